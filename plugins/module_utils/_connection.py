# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The connection options of zstack.cloud, and the ZStack client they build.

Private to this collection: not a public API, may change without notice.

Plain Python, no Ansible import: the modules' adapter (``_module.py``), the
inventory plugin and the ``zstack.cloud.zstack`` doc fragment share it.

- :data:`ENV_VARS`: each connection option and its environment variable;
- :data:`ARGUMENT_SPEC`: their argument spec as plain data (the adapter adds
  the environment fallbacks, which need Ansible);
- :func:`check_params`: validates the options before any request, with errors
  that name the option and its environment variable;
- :func:`client_from_params`: a :class:`ZStackClient` from a plain dict of them;
- :func:`secrets_of`: the secrets they carry, for scrubbing output.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.zstack.cloud.plugins.module_utils._client import (
    Credentials,
    ZStackClient,
    normalize_api_url,
)
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError, ZStackError

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

DEFAULT_TIMEOUT = 30

#: the options' argument spec; api_url is not ``required`` there, so that its absence is
#: reported by :func:`check_params` with the environment variable that can set it too
ARGUMENT_SPEC = {
    'api_url': {'type': 'str'},
    'account_name': {'type': 'str'},
    'user_name': {'type': 'str'},
    'password': {'type': 'str', 'no_log': True},
    'session_uuid': {'type': 'str', 'no_log': True},
    'access_key_id': {'type': 'str'},
    'access_key_secret': {'type': 'str', 'no_log': True},
    'validate_certs': {'type': 'bool', 'default': True},
    'ca_path': {'type': 'path'},
    'timeout': {'type': 'int', 'default': DEFAULT_TIMEOUT},
}

CREDENTIAL_OPTIONS = ('account_name', 'user_name', 'password', 'session_uuid', 'access_key_id', 'access_key_secret')
SECRET_OPTIONS = ('password', 'session_uuid', 'access_key_secret')
EXAMPLE_URL = 'http://zstack.example.com:8080'


def set_hint(option):
    """'set <option> or the <ENV> environment variable', the remedy every connection error ends with."""
    return 'set %s or the %s environment variable' % (option, ENV_VARS[option])


def _named(options):
    return ' and '.join('%s (%s)' % (option, ENV_VARS[option]) for option in options)


def _given(params, option):
    value = params.get(option)
    return value is not None and value != ''


def _required_with(option, given):
    return ZStackConfigError('%s is required with %s: %s' % (option, ' and '.join(given), set_hint(option)))


def auth_kind(params):
    """The one way to authenticate the options give: 'account', 'user', 'session' or 'access_key'.

    ``account_name`` alone selects nothing (it may come from the environment beside a session);
    ``user_name`` or ``password`` selects a login.
    """
    given = [option for option in CREDENTIAL_OPTIONS if _given(params, option)]
    session = [option for option in given if option == 'session_uuid']
    access_key = [option for option in given if option.startswith('access_key_')]
    login = [option for option in given if option in ('user_name', 'password')]
    if login and 'account_name' in given:
        login.insert(0, 'account_name')
    ways = [way for way in (session, access_key, login) if way]
    if len(ways) > 1:
        raise ZStackConfigError(
            'conflicting credentials: %s: give exactly one way to authenticate and unset the others '
            '(in the task or inventory file, or in the environment)' % ' versus '.join(_named(way) for way in ways))
    if session:
        return 'session'
    if access_key:
        missing = [option for option in ('access_key_id', 'access_key_secret') if option not in access_key]
        if missing:
            raise _required_with(missing[0], access_key)
        return 'access_key'
    if login:
        if 'password' not in login:
            raise _required_with('password', login)
        if 'account_name' not in login:
            raise _required_with('account_name', login)
        return 'user' if 'user_name' in login else 'account'
    if 'account_name' in given:
        raise _required_with('password', ['account_name'])
    raise ZStackConfigError(
        'no credentials given: set account_name and password (%s; add user_name, %s, for an IAM user), '
        'or session_uuid (%s), or access_key_id and access_key_secret (%s)' % (
            _named_envs('account_name', 'password'), ENV_VARS['user_name'], ENV_VARS['session_uuid'],
            _named_envs('access_key_id', 'access_key_secret')))


def _named_envs(*options):
    return ' and '.join(ENV_VARS[option] for option in options)


def check_api_url(api_url):
    """The management node root of ``api_url``, or the error that names the option and its variable."""
    if api_url is None or not str(api_url).strip():
        raise ZStackConfigError('api_url is required: %s to the management node, e.g. %s' % (set_hint('api_url'), EXAMPLE_URL))
    try:
        return normalize_api_url(str(api_url))
    except ZStackConfigError as exc:
        raise ZStackConfigError('%s: %s to scheme, host and port only, e.g. %s'
                                % (exc.message, set_hint('api_url'), EXAMPLE_URL)) from None


def check_timeout(timeout):
    """Seconds per HTTP request: the default for None, else a positive number."""
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ZStackConfigError('timeout must be a positive number of seconds, got %r: %s to the seconds to wait '
                                'for each HTTP request, e.g. %d' % (timeout, set_hint('timeout'), DEFAULT_TIMEOUT))
    return timeout


def check_ca_path(ca_path, validate_certs=True):
    """``ca_path`` when it is used (certificates verified) and exists; None when not given."""
    if not ca_path:
        return None
    if validate_certs and not os.path.exists(ca_path):
        raise ZStackConfigError('ca_path %r does not exist: %s to the PEM CA bundle (file or hashed folder) that '
                                'signed the management node certificate' % (ca_path, set_hint('ca_path')))
    return ca_path


def check_params(params):
    """Validate the connection options of a plain dict before any request; raise ZStackConfigError naming them."""
    check_api_url(params.get('api_url'))
    auth_kind(params)
    check_timeout(params.get('timeout'))
    check_ca_path(params.get('ca_path'), _validate_certs(params))


def _validate_certs(params):
    value = params.get('validate_certs')
    return True if value is None else value


def client_from_params(params, **kwargs):
    """A ZStackClient from a dict of the connection options (module params or plugin options).

    ``kwargs`` go to :class:`ZStackClient` (retry, transport, job_timeout, ...).
    """
    check_params(params)
    return ZStackClient(
        params.get('api_url'),
        Credentials(**dict((option, params.get(option)) for option in CREDENTIAL_OPTIONS)),
        timeout=check_timeout(params.get('timeout')),
        validate_certs=_validate_certs(params),
        ca_path=params.get('ca_path'),
        **kwargs
    )


def secrets_of(params):
    """The secrets the connection options carry (the password and its SHA-512 hex, session, access key secret)."""
    try:
        return Credentials(**dict((option, params.get(option)) for option in CREDENTIAL_OPTIONS)).secrets
    except ZStackError:
        return [params.get(option) for option in SECRET_OPTIONS if params.get(option)]
