# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role's inputs, checked before anything is read or changed.

Private to this collection: not a public API, may change without notice.

:func:`check_inputs` takes the role's public variables without their
``virtualizer_compliance_`` prefix and returns what the later steps need (the
plan options, the policy, the discovery conditions, the report paths), or raises
one ComplianceError that lists every problem, each naming the variable and the remedy.
The argument spec (meta/argument_specs.yml) gives the types; ranges and rules live here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.zstack.cloud.plugins.module_utils._connection import CREDENTIAL_OPTIONS, ENV_VARS, SECRET_OPTIONS, auth_kind
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError
from ansible_collections.zstack.cloud.plugins.module_utils._virtualizer import ON_BATCH_ERROR, validate_uuids
from ansible_collections.zstack.cloud.plugins.plugin_utils._common import POLICY_CHOICES, ComplianceError, option, plural, type_name
from ansible_collections.zstack.cloud.plugins.plugin_utils._plan import DEFAULT_OPTIONS, HOST_METHODS, check_options
from ansible_collections.zstack.cloud.plugins.plugin_utils._policy import check_policy
from ansible_collections.zstack.cloud.plugins.plugin_utils._reports import REPORT_FORMATS, REPORT_SUFFIXES, safe_url

ON_NONCOMPLIANCE = ('fail', 'warn')
#: integer inputs outside the plan options: lowest value, and the value when not given (the role's default: a unit test
#: keeps these and _plan.DEFAULT_OPTIONS equal to defaults/main.yml and meta/argument_specs.yml)
TIMING_RANGES = (('wait_timeout', 1, 3600), ('verify_timeout', 0, 600), ('verify_interval', 1, 10))


def _bool(inputs, name, problems, default=False):
    value = inputs.get(name, default)
    if value is None:
        return default
    try:
        return boolean(value, strict=True)
    except TypeError:
        problems.append('%s must be true or false, got %r' % (option(name), value))
        return default


def _uuid_list(inputs, name, problems):
    value = inputs.get(name)
    if value is not None and not isinstance(value, (list, tuple)):
        problems.append('%s must be a list of UUIDs, got %s (%r): give a YAML list, e.g. %s: [%s]' % (
            option(name), type_name(value), value, option(name), value if isinstance(value, str) else '<uuid>'))
        return []
    try:
        return validate_uuids([] if value is None else value, option(name))
    except ZStackConfigError as exc:
        problems.append(str(exc))
        return []


def _report_problems(report_dir, basename, formats):
    problems = []
    if isinstance(formats, str) or not isinstance(formats, (list, tuple)):
        problems.append('%s must be a list of formats (%s), got %s (%r); write e.g. [json, html]' % (
            option('report_formats'), ', '.join(REPORT_FORMATS), type_name(formats), formats))
        return problems, []
    unknown = [f for f in formats if f not in REPORT_FORMATS]
    if unknown:
        problems.append('%s: unknown format %s; choose among %s' % (
            option('report_formats'), ', '.join(repr(f) for f in unknown), ', '.join(REPORT_FORMATS)))
    formats = [f for f in dict.fromkeys(formats) if f in REPORT_FORMATS]
    if not formats:
        return problems, formats
    if not isinstance(basename, str) or not basename.strip():
        problems.append('%s is empty: name the report files, e.g. virtualizer-compliance' % option('report_basename'))
    elif '/' in basename or '\\' in basename or '\0' in basename or basename.startswith('.') or basename != basename.strip():
        problems.append('%s %r must be a plain file name (no path separator, no leading dot, no surrounding white space): '
                        'put the directory in %s' % (option('report_basename'), basename, option('report_dir')))
    if not isinstance(report_dir, str) or not report_dir.strip():
        problems.append('%s is empty: name the directory the reports go to, e.g. reports' % option('report_dir'))
        return problems, formats
    path = os.path.abspath(os.path.expanduser(report_dir))
    probe = path
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if probe == path and not os.path.isdir(path):
        problems.append('%s %s is not a directory: choose a directory for the reports' % (option('report_dir'), path))
    elif not os.path.isdir(probe):
        problems.append('%s %s cannot be created: %s is not a directory' % (option('report_dir'), path, probe))
    elif not os.access(probe, os.W_OK | os.X_OK):
        problems.append('%s %s is not writable by this user (%s): choose another directory or fix its permissions' % (
            option('report_dir'), path, probe))
    return problems, formats


def _previous_report(value, problems):
    """``auto`` (the newest JSON report in the report directory), None (no comparison) or a file's absolute path."""
    if value is None or value is False or (isinstance(value, str) and value.strip().lower() in ('', 'none')):
        return None
    if not isinstance(value, str):
        problems.append('%s must be a path, auto or none, got %s %r' % (option('previous_report'), type_name(value), value))
        return None
    if value.strip().lower() == 'auto':
        return 'auto'
    path = os.path.abspath(os.path.expanduser(value))
    if not os.path.isfile(path):
        problems.append('%s %s is not a file: give the JSON report of an earlier run, auto (the newest in %s) or none'
                        % (option('previous_report'), path, option('report_dir')))
        return None
    return path


def _audit(inputs, environ):
    """Who reads which management node, for the reports' audit header: never a secret, only whether one was given.

    ``inputs['credentials']`` holds the role's credential inputs, the secret ones as booleans
    (given or not); the environment fills in what they leave out, as the modules' fallbacks do.
    """
    given = inputs.get('credentials') or {}
    params = {}
    for name in CREDENTIAL_OPTIONS:
        value = given.get(name) if isinstance(given, Mapping) else None
        if name in SECRET_OPTIONS:  # the role gives a flag (a string 'True' / 'False' on ansible-core 2.18)
            value = boolean(value, strict=False) if isinstance(value, (str, bool)) else bool(value)
        if value in (None, '', False):
            value = environ.get(ENV_VARS[name]) or None
        params[name] = (True if value else None) if name in SECRET_OPTIONS else value
    try:
        auth = auth_kind(params)
    except ZStackConfigError:
        auth = None  # the first module call names the problem with the connection options
    if auth == 'user':
        principal = '%s/%s' % (params['account_name'], params['user_name'])
    else:
        principal = {'account': params['account_name'], 'access_key': params['access_key_id']}.get(auth)
    return {'api_url': safe_url(inputs.get('api_url') or environ.get('ZSTACK_API_URL') or None), 'auth': auth,
            'principal': None if principal is None else str(principal)}


def check_inputs(inputs, environ=None):
    """The checked inputs: ``{options, policy, discover, uuids, conditions, on_noncompliance, remediate, ...}``.

    ``inputs`` are the role's variables without their prefix; ``environ`` the controller's
    environment (for ``ZSTACK_API_URL``).
    """
    environ = os.environ if environ is None else environ
    problems = []
    uuids = _uuid_list(inputs, 'uuids', problems)
    zones = _uuid_list(inputs, 'zone_uuids', problems)
    clusters = _uuid_list(inputs, 'cluster_uuids', problems)
    discover = inputs.get('discover')
    discover = (not uuids and not problems) if discover is None else _bool(inputs, 'discover', problems)
    if not discover and not uuids and not problems:
        problems.append('nothing to check: %s is false and %s is empty; name host and VM UUIDs in %s, or set %s=true' % (
            option('discover'), option('uuids'), option('uuids'), option('discover')))
    if (zones or clusters) and not discover:
        problems.append('%s / %s narrow the discovery, which is off: set %s=true or name the UUIDs in %s' % (
            option('zone_uuids'), option('cluster_uuids'), option('discover'), option('uuids')))
    policy = {}
    for key in ('unknown', 'no_record', 'error'):
        value = inputs.get(key + '_policy')
        if value is not None and value not in POLICY_CHOICES:
            problems.append('%s must be one of %s, got %r' % (option(key + '_policy'), ', '.join(POLICY_CHOICES), value))
        elif value is not None:
            policy[key] = value
    on_batch_error = inputs.get('on_batch_error') or 'fail'
    if on_batch_error not in ON_BATCH_ERROR:
        problems.append('%s must be one of %s, got %r' % (option('on_batch_error'), ', '.join(ON_BATCH_ERROR), on_batch_error))
    on_noncompliance = inputs.get('on_noncompliance') or 'fail'
    if on_noncompliance not in ON_NONCOMPLIANCE:
        problems.append('%s must be one of %s, got %r' % (option('on_noncompliance'), ', '.join(ON_NONCOMPLIANCE), on_noncompliance))
    method = inputs.get('host_method') or DEFAULT_OPTIONS['host_method']
    if method == 'tasks' and not inputs.get('host_tasks_file'):
        problems.append('%s=tasks needs %s (a tasks file that upgrades qemu-kvm on the host in virtualizer_compliance_host)'
                        % (option('host_method'), option('host_tasks_file')))
    if method == 'playbook' and not inputs.get('host_playbook'):
        problems.append('%s=playbook needs %s (a playbook that upgrades qemu-kvm on the host named by the extra variable '
                        'zstack_host_ip)' % (option('host_method'), option('host_playbook')))
    timing = {}
    for key, low, default in TIMING_RANGES:
        value = inputs.get(key, default)
        try:
            timing[key] = int(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            timing[key] = None
        if timing[key] is None:
            problems.append('%s must be an integer, got %r' % (option(key), value))
        elif timing[key] < low:
            problems.append('%s must be at least %d, got %d' % (option(key), low, timing[key]))
    options = None
    try:
        options = check_options(dict((k, inputs.get(k)) for k in DEFAULT_OPTIONS if k != 'maintenance_policy'))
    except ComplianceError as exc:
        problems.append(str(exc))
    if method not in HOST_METHODS:
        options = None
    report_problems, formats = _report_problems(inputs.get('report_dir'), inputs.get('report_basename'),
                                                inputs.get('report_formats') if 'report_formats' in inputs else list(REPORT_FORMATS))
    problems.extend(report_problems)
    if not inputs.get('api_url') and not environ.get('ZSTACK_API_URL'):
        problems.append('no ZStack API URL: set %s (e.g. http://zstack.example.com:8080) or export ZSTACK_API_URL on the '
                        'controller' % option('api_url'))
    previous_report = _previous_report(inputs.get('previous_report', 'auto'), problems)
    remediate = _bool(inputs, 'remediate', problems)
    include_host_vms = _bool(inputs, 'include_host_vms', problems, default=True)
    allow_empty = _bool(inputs, 'allow_empty_scope', problems)
    if problems:
        raise ComplianceError('%s with the role inputs: %s' % (plural(len(problems), 'problem'), '; '.join(problems)))
    conditions = []
    if zones:
        conditions.append('zoneUuid?=' + ','.join(zones))
    if clusters:
        conditions.append('clusterUuid?=' + ','.join(clusters))
    base = os.path.join(os.path.abspath(os.path.expanduser(inputs.get('report_dir') or '.')), inputs.get('report_basename') or '')
    return {
        'uuids': uuids,
        'zone_uuids': zones,
        'cluster_uuids': clusters,
        'discover': discover,
        'conditions': conditions,
        'include_host_vms': include_host_vms,
        'allow_empty_scope': allow_empty,
        'policy': check_policy(policy),
        'on_batch_error': on_batch_error,
        'on_noncompliance': on_noncompliance,
        'remediate': remediate,
        'options': options,
        'wait_timeout': timing['wait_timeout'],
        'verify_timeout': timing['verify_timeout'],
        'verify_interval': timing['verify_interval'],
        'report_dir': os.path.dirname(base),
        'reports': dict((f, base + REPORT_SUFFIXES[f]) for f in formats),
        'previous_report': previous_report,
        'audit': _audit(inputs, environ),
    }
