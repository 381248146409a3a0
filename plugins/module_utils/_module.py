# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one adapter between Ansible module parameters and the ZStack client.

Private to this collection: not a public API, may change without notice.

- :func:`connection_argument_spec` is the argument spec of the options that the
  ``zstack.cloud.zstack`` doc fragment documents (one place for both);
- :func:`client_from_params` builds a :class:`ZStackClient` from those values;
- :func:`run_module` runs a module body with the client and reports any
  ZStackError once, through ``fail_json``, with every secret scrubbed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.zstack.cloud.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    Credentials,
    RetryPolicy,
    ZStackClient,
    scrub,
)
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackError

#: option name -> environment variable (documented in the zstack.cloud.zstack doc fragment)
ENV_VARS = {
    'api_url': 'ZSTACK_API_URL',
    'account_name': 'ZSTACK_ACCOUNT_NAME',
    'user_name': 'ZSTACK_USER_NAME',
    'password': 'ZSTACK_PASSWORD',
    'session_uuid': 'ZSTACK_SESSION_UUID',
    'access_key_id': 'ZSTACK_ACCESS_KEY_ID',
    'access_key_secret': 'ZSTACK_ACCESS_KEY_SECRET',
    'validate_certs': 'ZSTACK_VALIDATE_CERTS',
    'ca_path': 'ZSTACK_CA_PATH',
    'timeout': 'ZSTACK_TIMEOUT',
}

SECRET_OPTIONS = ('password', 'session_uuid', 'access_key_secret')


def connection_argument_spec():
    """The shared connection options, each with its environment fallback."""
    spec = {
        'api_url': {'type': 'str', 'required': True},
        'account_name': {'type': 'str'},
        'user_name': {'type': 'str'},
        'password': {'type': 'str', 'no_log': True},
        'session_uuid': {'type': 'str', 'no_log': True},
        'access_key_id': {'type': 'str'},
        'access_key_secret': {'type': 'str', 'no_log': True},
        'validate_certs': {'type': 'bool', 'default': True},
        'ca_path': {'type': 'path'},
        'timeout': {'type': 'int', 'default': 30},
    }
    for name, env in ENV_VARS.items():
        spec[name]['fallback'] = (env_fallback, [env])
    return spec


def client_from_params(params, **kwargs):
    """A ZStackClient from a dict of the connection options (module params or plugin options)."""
    credentials = Credentials(
        account_name=params.get('account_name'),
        user_name=params.get('user_name'),
        password=params.get('password'),
        session_uuid=params.get('session_uuid'),
        access_key_id=params.get('access_key_id'),
        access_key_secret=params.get('access_key_secret'),
    )
    timeout = params.get('timeout')
    if timeout is None:
        timeout = 30
    return ZStackClient(
        params.get('api_url'),
        credentials,
        timeout=timeout,
        validate_certs=params.get('validate_certs', True),
        ca_path=params.get('ca_path'),
        retry=kwargs.pop('retry', None) or RetryPolicy(),
        **kwargs
    )


def secrets_of(params):
    """The secrets the connection options carry (the password and its SHA-512 hex, session, access key secret)."""
    try:
        return Credentials(**dict((k, params.get(k)) for k in (
            'account_name', 'user_name', 'password', 'session_uuid', 'access_key_id', 'access_key_secret'))).secrets
    except ZStackError:
        return [params.get(k) for k in SECRET_OPTIONS if params.get(k)]


def new_module(argument_spec, **kwargs):
    """An AnsibleModule with the connection options added, failing early when requests is missing."""
    spec = connection_argument_spec()
    spec.update(argument_spec)
    module = AnsibleModule(argument_spec=spec, **kwargs)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=str(REQUESTS_IMPORT_ERROR))
    if not module.params['validate_certs']:
        module.warn('validate_certs is false: the management node certificate is not verified; '
                    'use ca_path instead outside of a trusted test network')
    return module


def run_module(module, body):
    """Build the client, call ``body(module, client)`` (it returns the result dict), exit or fail once."""
    client = None
    failure = None
    result = None
    try:
        client = client_from_params(module.params)
        try:
            result = body(module, client)
        finally:
            client.close()
    except ZStackError as exc:
        secrets = _secrets(module, client)
        # changed stays honest: an error after a change was submitted still reports the change
        failure = {'msg': scrub(str(exc), secrets), 'error': scrub(exc.to_dict(), secrets), 'changed': bool(exc.changed)}
    except Exception as exc:  # pylint: disable=broad-except
        # A bug, not a ZStack answer: still one clean failure, with the trace only where Ansible shows tracebacks.
        secrets = _secrets(module, client)
        failure = {'msg': scrub('unexpected error in zstack.cloud: %s: %s' % (type(exc).__name__, exc), secrets),
                   'exception': scrub(traceback.format_exc(), secrets)}
    for warning in (client.warnings if client is not None else []):
        module.warn(scrub(warning, _secrets(module, client)))
    if failure is not None:
        # Outside the except blocks: ansible-core before 2.19 adds the active traceback to a
        # fail_json called while an exception is being handled, and a ZStack error is no bug.
        module.fail_json(**failure)
    # Ansible already walks every result to mask no_log values; handing it the derived secrets too
    # (the password's SHA-512 hex, the sessions the client opened) costs nothing more, where a second
    # walk of our own would double the time and memory of a fleet-sized result.
    module.no_log_values.update(client.secrets)
    module.exit_json(**result)


def _secrets(module, client):
    """The client's secrets (credentials and the sessions it opened), or the options' when no client was built."""
    return client.secrets if client is not None else secrets_of(module.params)
