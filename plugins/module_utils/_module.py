# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one adapter between Ansible module parameters and the ZStack client.

Private to this collection: not a public API, may change without notice.

- :func:`connection_argument_spec` is the argument spec of the options that the
  ``zstack.cloud.zstack`` doc fragment documents, with their environment fallbacks
  (the options, their variables and ``client_from_params`` are in the Ansible-free
  ``_connection.py``, which the inventory plugin and the doc fragment use too);
- :func:`run_module` runs a module body with the client and reports any
  ZStackError once, through ``fail_json``, with every secret scrubbed;
- :data:`WAIT_ARGUMENT_SPEC` and :func:`begin_wait`: a module that waits for jobs records
  its progress in ``progress_file`` for its action plugin (``_progress.ProgressFile``);
- :func:`call` is the body of :func:`run_module` without the exit: the role's steps use it
  to run a read module in the controller's process;
- :func:`query_spec` and :func:`query_gather` build a query (``*_info``) module's argument spec and ``gather``: the
  shared query options (``uuids``, ``name``, ``conditions``, ``page_size``, ``fields``; the
  ``zstack.cloud.zstack.query`` and ``query_fields`` doc fragments) plus its own filters;
  :func:`run_read_module` is the ``main()`` of a module that only reads.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.zstack.cloud.plugins.module_utils._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, scrub
from ansible_collections.zstack.cloud.plugins.module_utils._connection import (
    ARGUMENT_SPEC,
    ENV_VARS,
    client_from_params,
    secrets_of,
)
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackError
from ansible_collections.zstack.cloud.plugins.module_utils._progress import (
    DEFAULT_POLL_INTERVAL,
    POLL_INTERVAL_ENV,
    ProgressFile,
    check_poll_interval,
)
from ansible_collections.zstack.cloud.plugins.module_utils._resources import (
    DEFAULT_PAGE_SIZE,
    filter_conditions,
    query_inventories,
)
from ansible_collections.zstack.cloud.plugins.module_utils._virtualizer import validate_uuid

#: the options of a module that waits for ZStack jobs (doc fragment zstack.cloud.zstack.wait)
WAIT_ARGUMENT_SPEC = {
    'poll_interval': {'type': 'float', 'default': DEFAULT_POLL_INTERVAL, 'fallback': (env_fallback, [POLL_INTERVAL_ENV])},
    'progress_file': {'type': 'path'},
}


def connection_argument_spec():
    """The shared connection options (``_connection.ARGUMENT_SPEC``), each with its environment fallback."""
    return dict((name, dict(option, fallback=(env_fallback, [ENV_VARS[name]]))) for name, option in ARGUMENT_SPEC.items())


def new_module(argument_spec, **kwargs):
    """An AnsibleModule with the connection options added, failing early when requests is missing."""
    spec = connection_argument_spec()
    spec.update(argument_spec)
    module = AnsibleModule(argument_spec=spec, **kwargs)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=str(REQUESTS_IMPORT_ERROR))
    for warning in connection_warnings(module.params):
        module.warn(warning)
    return module


def connection_warnings(params):
    """The warnings the connection options deserve before any request."""
    if not params['validate_certs']:
        return ['validate_certs is false: the management node certificate is not verified; '
                'use ca_path instead outside of a trusted test network']
    return []


def call(module, body):
    """Build the client and call ``body(module, client)``: ``(result, failure, warnings, secrets)``.

    Exactly one of ``result`` (the dict ``body`` returned) and ``failure`` (the arguments of a
    ``fail_json``, every secret scrubbed) is set; ``warnings`` are scrubbed too; ``secrets`` are
    the values to mask in the result (the credentials and the sessions the client opened).
    ``module`` needs ``params`` and ``check_mode``: an AnsibleModule, or the controller's stand-in
    for one when a step of the role runs a read in its own process (``plugin_utils/_reads.py``).
    """
    client = None
    failure = None
    result = None
    try:
        client = client_from_params(module.params)
        if 'progress_file' in module.params:
            client.poll_interval = min(client.poll_interval, check_poll_interval(module.params['poll_interval']))
            # in check mode nothing is waited for, and nothing is recorded
            client.progress = ProgressFile(None if module.check_mode else module.params['progress_file'])
        try:
            result = body(module, client)
        finally:
            client.close()
    except ZStackError as exc:
        secrets = _secrets(module, client)
        # changed stays honest: an error after a change was submitted still reports the change
        failure = {'msg': scrub(str(exc), secrets), 'error': scrub(exc.to_dict(), secrets), 'changed': bool(exc.changed)}
        result = None
    except Exception as exc:  # pylint: disable=broad-except
        # A bug, not a ZStack answer: still one clean failure, with the trace only where Ansible shows tracebacks.
        secrets = _secrets(module, client)
        failure = {'msg': scrub('unexpected error in zstack.cloud: %s: %s' % (type(exc).__name__, exc), secrets),
                   'exception': scrub(traceback.format_exc(), secrets)}
        result = None
    warnings = list(client.warnings) if client is not None else []
    if client is not None and client.progress is not None:
        warnings.extend(client.progress.warnings)
    secrets = _secrets(module, client)
    return result, failure, [scrub(warning, secrets) for warning in warnings], secrets


def run_module(module, body):
    """Build the client, call ``body(module, client)`` (it returns the result dict), exit or fail once."""
    result, failure, warnings, secrets = call(module, body)
    for warning in warnings:
        module.warn(warning)
    if failure is not None:
        # Outside the except blocks: ansible-core before 2.19 adds the active traceback to a
        # fail_json called while an exception is being handled, and a ZStack error is no bug.
        module.fail_json(**failure)
    # Ansible already walks every result to mask no_log values; handing it the derived secrets too
    # (the password's SHA-512 hex, the sessions the client opened) costs nothing more, where a second
    # walk of our own would double the time and memory of a fleet-sized result.
    module.no_log_values.update(secrets)
    module.exit_json(**result)


def begin_wait(client, what, timeout):
    """A wait for ``what`` starts, with ``timeout`` seconds: the progress file says so (when there is one)."""
    if client.progress is not None:
        client.progress.begin(what, timeout)


def _secrets(module, client):
    """The client's secrets (credentials and the sessions it opened), or the options' when no client was built."""
    return client.secrets if client is not None else secrets_of(module.params)


def query_argument_spec():
    """The options every query module has (documented by the query and query_fields doc fragments)."""
    return dict(
        uuids=dict(type='list', elements='str'),
        name=dict(type='str'),
        conditions=dict(type='list', elements='str', default=[]),
        page_size=dict(type='int', default=DEFAULT_PAGE_SIZE),
        fields=dict(type='list', elements='str'),
    )


def query_spec(argument_spec):
    """A query module's argument spec: the shared query options plus its own filter options."""
    spec = query_argument_spec()
    spec.update(argument_spec)
    return spec


def query_gather(path, result_key, filters=(), list_filters=(), uuid_options=()):
    """A query module's ``gather``: every inventory of query API ``path`` that matches, as ``result_key``.

    ``filters`` and ``list_filters`` map the module's filter options to inventory fields (see
    ``_resources.filter_conditions``; ``name`` is always a filter); the ``uuid_options`` are
    validated before any request.  The module only reads: check mode runs it the same, and it
    never reports a change.
    """
    filters = tuple(filters) + (('name', 'name'),)

    def gather(module, client):
        for option in uuid_options:
            validate_uuid(module.params[option], option)
        found = query_inventories(client, path, filter_conditions(module.params, filters, list_filters),
                                  uuids=module.params['uuids'], page_size=module.params['page_size'],
                                  fields=module.params['fields'])
        return {'changed': False, result_key: found}

    return gather


def run_read_module(argument_spec, gather):
    """The ``main()`` of a module that only reads (its ``ARGUMENT_SPEC`` and ``gather``): check mode runs it the same.

    The role's steps run these same two in the controller's process when their task runs there
    (``plugin_utils/_reads.py``), so a read module keeps them at its top level.
    """
    run_module(new_module(argument_spec=argument_spec, supports_check_mode=True), gather)
