# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The steps of the virtualizer_compliance role, as the zstack.cloud.compliance_stage action runs them.

Private to this collection: not a public API, may change without notice.

Each step is a function of keyword inputs (read from stored variables or given as
values by the role) and a context (the clock, the console, module runs).  It
returns its outputs by name: ``output`` is the step's main value, set as the
variable the task names in ``fact``; the other names are set as the variables the
task names in ``facts``.  Every decision of the role is made here or in the logic
these steps call (_scope, _policy, _plan, _gate, _reports); the role's YAML only
says what happens in which order.
"""

from __future__ import annotations

import glob
import json
import os
import tempfile
import time
from collections.abc import Mapping

from ansible_collections.zstack.cloud.plugins.module_utils._progress import PROGRESS_INTERVAL, Throttle, subject, wait_line
from ansible_collections.zstack.cloud.plugins.plugin_utils import _gate, _inputs, _plan, _policy, _reports, _scope
from ansible_collections.zstack.cloud.plugins.plugin_utils._common import HOST, ComplianceError, as_list, collection_version, option, plural

_MAX_TABLE_LINES = 200
#: how many resources a progress line names
_PROGRESS_NAMES = 5

#: the modules the steps run themselves (through the action, with the task's module_defaults): what they
#: return goes to the step as the module returned it, never through a registered variable and a template
HOST_INFO = 'zstack.cloud.zstack_host_info'
VM_INFO = 'zstack.cloud.zstack_vm_instance_info'
VIRTUALIZER_INFO = 'zstack.cloud.zstack_virtualizer_info'
GLOBAL_CONFIG_INFO = 'zstack.cloud.zstack_global_config_info'
VM_MIGRATION = 'zstack.cloud.zstack_vm_migration'
#: named hosts per query of their running VMs (``hostUuid?=`` with 100 UUIDs keeps the request line short)
HOST_VMS_CHUNK = 100
#: inventories per page of the discovery queries: ZStack's query takes any ``limit`` (1,000 is only its default),
#: and the few fields discovery asks for keep a page of 5,000 small; a fleet of 10,000 VMs takes 2 requests, not 10
DISCOVERY_PAGE_SIZE = 5000


class StepFailed(Exception):
    """The step ends the task as failed with this message (a policy decision, not a bug)."""


class Context:
    """What a step may use beyond its inputs; the action plugin gives the real one, tests a recording one."""

    def now(self):
        return time.time()

    def sleep(self, seconds):
        time.sleep(seconds)

    def display(self, line):
        raise NotImplementedError

    def warn(self, message):
        raise NotImplementedError

    def run_module(self, name, args, check_mode=False):
        """The result of module ``name`` run with ``args`` (and the task's module_defaults); ``check_mode`` forces check mode."""
        raise NotImplementedError


def _utc(stamp):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(stamp))


def _module(ctx, module, what, args, remedy=None):
    """The result of ``module`` run with ``args``; its warnings become the step's.

    A failure fails the step with a message naming ``what`` was read, the module's own message and the ``remedy``.
    """
    result = ctx.run_module(module, args)
    for warning in result.get('warnings') or ():
        ctx.warn(warning)
    if result.get('failed'):
        raise StepFailed('%s: %s failed: %s%s' % (what, module, result.get('msg') or 'no message',
                                                  '; ' + remedy if remedy else ''))
    return result


def _names(scope):
    """The names the scope step found (zones, clusters, hosts, VMs), else those of the scope's hosts."""
    if (scope or {}).get('names') is not None:
        return scope['names']
    resources = (scope or {}).get('resources') or {}
    return dict((uuid, entry.get('name')) for uuid, entry in resources.items() if entry.get('resource_type') == HOST)


#: where the scope step reads the names of the zones, clusters and hosts its resources refer to:
#: (kind, module, its result key, the only fields asked for).  Clusters first: their zones are named too.
NAME_SOURCES = (
    ('cluster', 'zstack.cloud.zstack_cluster_info', 'clusters', ['uuid', 'name', 'zoneUuid']),
    ('zone', 'zstack.cloud.zstack_zone_info', 'zones', ['uuid', 'name']),
    ('host', 'zstack.cloud.zstack_host_info', 'hosts', ['uuid', 'name']),
)


def _name_references(ctx, scope, names, inputs):
    """Add to ``names`` the zones, clusters and hosts ``scope`` refers to without a name; one module run a kind.

    Only what is not named yet is read.  A UUID ZStack no longer knows (deleted meanwhile) stays
    without a name; a lookup that fails is a warning (the reports show the UUIDs), not an error.
    """
    wanted = _scope.unnamed(scope, names, inputs.get('zone_uuids'), inputs.get('cluster_uuids'))
    for kind, module, key, fields in NAME_SOURCES:
        uuids = [u for u in wanted[kind] if u not in names]
        if not uuids:
            continue
        result = ctx.run_module(module, {'uuids': uuids, 'fields': fields})
        if result.get('failed'):
            ctx.warn('The %s names could not be read (%s failed: %s); the reports show those %ss by UUID only' % (
                kind, module, result.get('msg'), kind))
            continue
        for inventory in as_list(result.get(key), key):
            if inventory.get('uuid') in uuids and inventory.get('name'):
                names[inventory['uuid']] = inventory['name']
            zone = inventory.get('zoneUuid')
            if kind == 'cluster' and zone and zone not in names and zone not in wanted['zone']:
                wanted['zone'].append(zone)
    return names


# ------------------------------------------------------------------ steps
def step_validate(ctx, inputs, environ=None, ansible_core_version=None):
    """Check every input before anything is read or changed; start the clock and an empty action log."""
    checked = _inputs.check_inputs(inputs, environ=environ)
    checked['started_at'] = _utc(ctx.now())
    checked['audit'] = dict(checked['audit'], collection_version=collection_version(), ansible_core_version=ansible_core_version)
    return {'output': checked, 'actions': [], 'vm_plan': None, 'after': None}


def step_scope(ctx, inputs, hosts=None, vms=None, discovered_hosts=None, keep=None):
    """The ordered scope; an empty one, or a zone / cluster that matched no host, is an error unless allowed.

    ``keep`` is the run's first scope when the scope is read again during remediation: every
    UUID of it stays in scope (a VM stopped meanwhile is reported, not dropped), and it was checked.
    The scope's ``names`` maps UUIDs to names: its hosts and VMs, the zones and clusters they are
    in (and those the inputs narrow to), and the hosts its VMs run on; a UUID that ZStack does
    not know (deleted meanwhile) has no entry.  Read again, only what the first scope did not
    name is looked up.
    """
    if keep is not None:
        scope = _scope.build_scope(hosts, vms, keep['uuids'])
        names = dict(keep.get('names') or {})
    else:
        scope = _scope.build_scope(hosts, vms, inputs['uuids'])
        _scope.check_scope(scope, inputs['zone_uuids'], inputs['cluster_uuids'],
                           discovered_hosts if inputs['discover'] and (inputs['zone_uuids'] or inputs['cluster_uuids']) else None,
                           allow_empty=inputs['allow_empty_scope'])
        names = {}
    names.update(_scope.resource_names(scope))
    scope['names'] = _name_references(ctx, scope, names, inputs)
    return {'output': scope}


def step_evaluate(ctx, inputs, virtualizer_info, scope):
    """The policy applied to the verdicts, with the scope's ``names`` (``{uuid: name}``) for the reports."""
    evaluation = _policy.evaluate(virtualizer_info, scope, inputs['policy'])
    evaluation['names'] = dict((scope or {}).get('names') or {})
    return {'output': evaluation}


def step_plan(ctx, inputs, evaluation, maintenance=None, phase='all', actions=None, check_mode=False):
    """The remediation plan; the console gets the summary and the plan lines.

    ``maintenance`` is the registered result of reading host.maintenance.policy (when the
    hosts enter maintenance); ``actions`` the records so far (the VM phase spends what is left
    of the cap).
    """
    options = dict(inputs['options'])
    if maintenance and not maintenance.get('skipped'):
        values = maintenance.get('config_values') or {}
        options['maintenance_policy'] = values.get('host.host.maintenance.policy') or _plan.STOPPING_POLICY
    taken = _gate.may_act(actions, options)['taken'] if actions else 0
    plan = _plan.build_plan(evaluation, options, phase=phase, actions_taken=taken)
    counts = plan['counts']
    if phase == 'all':
        ctx.display(_reports.summary_line(evaluation['summary']))
        note = ' (check mode: nothing will change)' if check_mode else (
            '' if inputs['remediate'] else ' (remediation is off: nothing will change)')
        ctx.display('Plan%s: %s, %s (%d predicted after host upgrades), %d deferred by the cap, %d blocked by pre-flight checks' % (
            note, plural(counts['host_actions'], 'host action') + ' in ' + plural(counts['host_batches'], 'batch', 'batches'),
            plural(counts['vm_actions'], 'VM action'), counts['predicted_vm_actions'], counts['deferred'], counts['blocked']))
    else:
        ctx.display('VM phase: %s' % plural(counts['vm_actions'], 'VM action'))
    for line in plan['lines']:
        ctx.display('  ' + line)
    return {'output': plan}


def _discover(ctx, inputs):
    """The scope: the hosts and running VMs discovery finds, the hosts and VMs named, the running VMs of the named hosts."""
    hosts, vms, discovered = [], [], None
    host_fields, vm_fields = list(_scope.HOST_FIELDS), list(_scope.VM_FIELDS)
    if inputs['discover']:
        discovered = _module(ctx, HOST_INFO, 'discovery of the hosts in scope',
                             {'fields': host_fields, 'conditions': inputs['conditions'],
                              'page_size': DISCOVERY_PAGE_SIZE}).get('hosts') or []
        hosts.extend(discovered)
        vms.extend(_module(ctx, VM_INFO, 'discovery of the running VMs in scope',
                           {'fields': list(_scope.DISCOVERED_VM_FIELDS), 'conditions': inputs['conditions'],
                            'state': ['Running'], 'page_size': DISCOVERY_PAGE_SIZE}).get('vm_instances') or [])
    if inputs['uuids']:
        named = _module(ctx, HOST_INFO, 'the read of the hosts named in virtualizer_compliance_uuids',
                        {'fields': host_fields, 'uuids': inputs['uuids']}).get('hosts') or []
        hosts.extend(named)
        vms.extend(_module(ctx, VM_INFO, 'the read of the VMs named in virtualizer_compliance_uuids',
                           {'fields': vm_fields, 'uuids': inputs['uuids']}).get('vm_instances') or [])
        if inputs['include_host_vms']:
            uuids = [h['uuid'] for h in named if h.get('uuid')]
            for start in range(0, len(uuids), HOST_VMS_CHUNK):
                vms.extend(_module(ctx, VM_INFO, 'the read of the running VMs of the named hosts', {
                    'fields': vm_fields, 'conditions': ['hostUuid?=' + ','.join(uuids[start:start + HOST_VMS_CHUNK])],
                    'state': ['Running']}).get('vm_instances') or [])
    return step_scope(ctx, inputs, hosts=hosts, vms=vms, discovered_hosts=discovered)['output']


def _read_again(ctx, inputs, scope):
    """The scope read again by UUID (every UUID of it stays in it): hosts upgraded, VMs moved or stopped meanwhile."""
    hosts = vms = []
    if scope['host_uuids']:
        hosts = _module(ctx, HOST_INFO, 'the read of the hosts in scope',
                        {'fields': list(_scope.HOST_FIELDS), 'uuids': scope['host_uuids']}).get('hosts') or []
    if scope['vm_uuids']:
        vms = _module(ctx, VM_INFO, 'the read of the VMs in scope',
                      {'fields': list(_scope.VM_FIELDS), 'uuids': scope['vm_uuids']}).get('vm_instances') or []
    return step_scope(ctx, inputs, hosts=hosts, vms=vms, keep=scope)['output']


def _assess(ctx, inputs, scope):
    """The policy applied to the verdicts of ``scope``, read in one module call (it batches inside)."""
    info = {}
    if scope['uuids']:
        remedy = None
        if inputs['on_batch_error'] == 'fail':
            remedy = ('when a batch kept failing, %s=report lets the run go on: the UUIDs of that batch get the verdict Error, '
                      'which %s judges' % (option('on_batch_error'), option('error_policy')))
        read = _module(ctx, VIRTUALIZER_INFO, 'the verdict read', {
            'uuids': scope['uuids'], 'output': 'grouped', 'on_batch_error': inputs['on_batch_error']}, remedy=remedy)
        info = _policy.verdicts_of(read, scope['uuids'])
        missing = [uuid for uuid in scope['uuids'] if uuid not in info]
        if missing:  # the module answers for every UUID; a read that does not is not taken as fewer resources
            raise StepFailed('the verdict read (zstack.cloud.zstack_virtualizer_info) returned no verdict for %s of the %d UUIDs '
                             'in scope (first: %s); nothing was decided. Run it again; if it persists, report it as a bug '
                             'of the zstack.cloud collection' % (len(missing), len(scope['uuids']), missing[0]))
    return step_evaluate(ctx, inputs, info, scope)['output']


def step_assess(ctx, inputs, check_mode=False):
    """Find the hosts and VMs in scope, read every verdict, apply the policy and plan the remediation.

    The modules run from here (discovery, ``zstack_virtualizer_info``, the host maintenance policy
    when hosts enter maintenance): a fleet's inventories and verdicts reach the step as the modules
    return them, without a registered variable that ansible-core would template value by value.
    Output: the plan; also ``scope`` and ``evaluation``.
    """
    scope = _discover(ctx, inputs)
    evaluation = _assess(ctx, inputs, scope)
    maintenance = None
    if inputs['options']['host_maintenance']:
        maintenance = _module(ctx, GLOBAL_CONFIG_INFO, 'the read of host.maintenance.policy (it decides whether entering '
                              'maintenance may stop VMs)', {'category': 'host', 'name': 'host.maintenance.policy'})
    plan = step_plan(ctx, inputs, evaluation, maintenance=maintenance, check_mode=check_mode)['output']
    return {'output': plan, 'scope': scope, 'evaluation': evaluation}


def step_rescan(ctx, inputs, scope, actions=None, plan_vms=False):
    """Read the hosts and VMs of ``scope`` and their verdicts again and apply the policy (after the host phase).

    With ``plan_vms``, the VM phase is planned from the fresh verdicts (``actions``: the records so far,
    which spent part of the cap). Output: the evaluation; also ``scope`` (read again) and ``vm_plan``.
    """
    scope_now = _read_again(ctx, inputs, scope)
    evaluation = _assess(ctx, inputs, scope_now)
    vm_plan = step_plan(ctx, inputs, evaluation, phase='vms', actions=actions)['output'] if plan_vms else None
    return {'output': evaluation, 'scope': scope_now, 'vm_plan': vm_plan}


def step_gate(ctx, inputs, action, actions, host=None, candidates=None):
    """May ``action`` run now?  The cap, the failure budget, then the action's pre-flight checks.

    The pre-flight reads what it checks, once the cap and the budget let the action run: the host
    again (``zstack_host_info``, host actions), the migration candidates (``zstack_vm_migration`` in
    check mode, VM migrations; changes nothing).  ``host`` and ``candidates`` give those results instead
    (the module results, as registered).  A refused action is recorded as skipped.
    Output: ``{allowed, reason, started, how}`` (``how``: migrate / reboot for a VM).
    """
    now = ctx.now()
    gate, actions = _gate.open_gate(actions, action, inputs['options'], now)
    gate['how'] = None
    refusal = None
    is_host = action.get('resource_type') == HOST
    if gate['allowed'] and is_host and host is None:
        host = _module(ctx, HOST_INFO, 'the pre-flight read of %s' % subject(HOST, action.get('name'), action['uuid']),
                       {'fields': list(_scope.HOST_FIELDS), 'uuids': [action['uuid']]})
    elif gate['allowed'] and not is_host and candidates is None and action.get('action') == 'migrate':
        args = {'uuid': action['uuid']}
        if action.get('require_version'):
            args['require_version'] = action['require_version']
        # no candidate is a pre-flight answer (the module fails saying why), recorded below, not a step failure
        candidates = ctx.run_module(VM_MIGRATION, args, check_mode=True)
    if gate['allowed'] and host is not None:
        found = as_list((host or {}).get('hosts'), 'hosts')
        if not found:
            refusal = 'host no longer exists'
        else:
            refusal = _plan.host_preflight(found[0], inputs['options'])
            gate['host'] = dict((k, found[0].get(k)) for k in ('uuid', 'name', 'state', 'status', 'managementIp',
                                                               'clusterUuid', 'zoneUuid'))
    elif gate['allowed'] and not is_host:
        gate['how'] = _vm_method(action, candidates, inputs['options'])
        gate['destination_host_uuid'] = (candidates or {}).get('destination_host_uuid')
        if gate['how'] is None:
            refusal = 'no migration candidate: %s' % ((candidates or {}).get('msg') or 'none found')
    if refusal:
        gate.update(allowed=False, reason='pre-flight: ' + refusal)
        actions = _gate.record(actions, action, 'skipped', gate['reason'], now, now)
    return {'output': gate, 'actions': actions}


def _vm_method(action, candidates, options):
    if action.get('action') == 'reboot':
        return 'reboot'
    if (candidates or {}).get('destination_host_uuid'):
        return 'migrate'
    return 'reboot' if options.get('vm_reboot_fallback') else None


def step_record(ctx, inputs, action, actions, gate, status, message=None, results=None, steps=None, then=None,
                failure=None, restore=None, scope=None):
    """Append the record of ``action``: status, message, the ZStack jobs of its ``results``, the time since the gate.

    Without a ``message``, a refreshed VM's says how it was refreshed (the gate decided).
    """
    if message is None and status == 'ok':
        message = {'migrate': 'migrated', 'reboot': 'rebooted'}.get((gate or {}).get('how'))
    return {'output': _gate.record(actions, action, status, message, (gate or {}).get('started'), ctx.now(),
                                   results=results, steps=steps, then=then, failure=failure, names=_names(scope), restore=restore)}


def step_verify(ctx, inputs, actions, connection=None, scope=None):
    """Re-read the remediated resources until each is Matched against the version it needed, or the deadline.

    Reads only the resources the run changed (their verdicts, not the fleet's), one line on the
    console when the number still waiting changes and at least every PROGRESS_INTERVAL seconds, in the
    format of every progress line (module_utils/_progress.py).  Then, when something was remediated and
    ``scope`` is given, the whole scope is read and evaluated again (output ``after``; None when nothing
    changed, so the first evaluation stands).  Output: ``{remediated, verified, pending, seconds}``.
    """
    done = [a for a in as_list(actions, 'actions') if a.get('status') == 'ok']
    uuids = list(dict.fromkeys(a['uuid'] for a in done))
    labels = dict((a['uuid'], subject(HOST if a.get('resource_type') == HOST else 'VM', a.get('name'), a['uuid'])) for a in done)
    required = dict((a['uuid'], a['require_version']) for a in done if a.get('require_version'))
    if not uuids:
        return {'output': {'remediated': 0, 'verified': [], 'pending': [], 'seconds': 0}, 'after': None}
    start = ctx.now()
    deadline = start + inputs['verify_timeout']
    throttle = Throttle(PROGRESS_INTERVAL)
    while True:
        result = _module(ctx, VIRTUALIZER_INFO, 'verification', dict(connection or {}, uuids=uuids, output='facts',
                                                                     on_batch_error=inputs['on_batch_error']))
        waiting = _gate.pending(result.get('virtualizer_info'), uuids, required)
        now = ctx.now()
        if not waiting or now + inputs['verify_interval'] > deadline:
            break
        if throttle.due(now, len(waiting), ahead=inputs['verify_interval']):
            names = ', '.join(labels[u] for u in waiting[:_PROGRESS_NAMES]) + (', ...' if len(waiting) > _PROGRESS_NAMES else '')
            ctx.display('verify: ' + wait_line('%d of %d remediated resources (%s)' % (len(waiting), len(uuids), names),
                                               'not Matched yet', now - start, deadline - now))
        ctx.sleep(inputs['verify_interval'])
    if waiting:
        info = result.get('virtualizer_info') or {}
        ctx.warn('Still not verified after %d s: %s' % (inputs['verify_timeout'], '; '.join(
            '%s: %s%s' % (u, (info.get(u) or {}).get('verdict'),
                          ' against %s, needed %s' % ((info.get(u) or {}).get('expect_version'), required[u])
                          if required.get(u) and (info.get(u) or {}).get('verdict') == 'Matched' else '')
            for u in waiting)))
    verification = {'remediated': len(uuids), 'verified': [u for u in uuids if u not in waiting], 'pending': waiting,
                    'seconds': round(ctx.now() - start, 1)}
    after = None
    if scope is not None:
        after = _assess(ctx, inputs, _read_again(ctx, inputs, scope))
    return {'output': verification, 'after': after}


def step_result(ctx, inputs, before, plan, actions, after=None, vm_plan=None, check_mode=False, names=None):
    """The result fact; the reports written on the controller; the console table, and what changed since the last run.

    ``names`` maps the UUIDs of zones, clusters and hosts to their names (the scope's).  The
    previous report (``inputs['previous_report']``: a path, or ``auto`` for the newest JSON
    report in the report directory) is read before this run's reports replace it.
    """
    plan = dict(plan, vm_phase=vm_plan)
    result = _reports.build_result(before, after, plan, actions, check_mode=check_mode, remediate=inputs['remediate'],
                                   started_at=inputs['started_at'], finished_at=_utc(ctx.now()), reports=inputs['reports'])
    result['audit'] = dict(inputs.get('audit') or {})
    result['names'] = dict(names or {})
    previous, source = _previous_report(inputs)
    result['drift'] = None if previous is None else _reports.drift(previous, result, source=source)
    changed = False
    if inputs['reports']:
        os.makedirs(inputs['report_dir'], exist_ok=True)
        texts = _reports.render_report(result, list(inputs['reports']))
        for fmt, path in inputs['reports'].items():
            changed = _write(path, texts[fmt]) or changed
    for line in _reports.table_lines(result, max_lines=_MAX_TABLE_LINES):
        ctx.display(line)
    for line in _reports.drift_lines(result.get('drift'), source):
        ctx.display(line)
    for path in inputs['reports'].values():
        ctx.display('report: %s' % path)
    return {'output': result, 'changed': changed}


def _previous_report(inputs):
    """The previous run's JSON report as loaded, and where it came from; (None, None) when there is none to compare.

    ``auto`` takes the newest ``*.json`` of the report directory that is a compliance report (others
    are passed over); a path named by the user must be one.
    """
    wanted = inputs.get('previous_report')
    if not wanted:
        return None, None
    if wanted != 'auto':
        return _load_report(wanted, strict=True), wanted
    candidates = sorted(glob.glob(os.path.join(glob.escape(inputs['report_dir']), '*.json')),
                        key=lambda p: (os.path.getmtime(p), p), reverse=True)
    for path in candidates:
        report = _load_report(path, strict=False)
        if report is not None:
            return report, path
    return None, None


def _load_report(path, strict):
    problem = None
    try:
        with open(path, encoding='utf-8') as handle:
            report = json.load(handle)
    except (OSError, ValueError) as exc:
        problem = 'cannot be read as JSON (%s)' % (getattr(exc, 'strerror', None) or exc)
    else:
        if isinstance(report, Mapping) and isinstance(report.get('resources'), Mapping) and isinstance(report.get('summary'), Mapping):
            return report
        problem = 'is not a virtualizer compliance report (no resources and summary)'
    if strict:
        raise ComplianceError('%s %s %s: give the JSON report of an earlier run, auto or none'
                              % (option('previous_report'), path, problem))
    return None


def _write(path, text):
    """Write ``text`` to ``path`` atomically; False when the file already holds it."""
    try:
        with open(path, encoding='utf-8') as handle:
            if handle.read() == text:
                return False
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.' + os.path.basename(path) + '.')
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True


def step_conclude(ctx, inputs, result):
    """Fail when a resource is not compliant (or warn, as the role's on_noncompliance says)."""
    if result['compliant']:
        ctx.display('All %d resources are compliant' % result['summary']['total'])
        return {'output': True}
    message = _reports.failure_message(result, limit=_MAX_TABLE_LINES)
    if inputs['on_noncompliance'] == 'fail':
        raise StepFailed(message)
    ctx.warn(message + '\n(virtualizer_compliance_on_noncompliance=warn: the play goes on)')
    return {'output': False}


STEPS = {
    'validate': step_validate,
    'assess': step_assess,
    'rescan': step_rescan,
    'scope': step_scope,
    'evaluate': step_evaluate,
    'plan': step_plan,
    'gate': step_gate,
    'record': step_record,
    'verify': step_verify,
    'result': step_result,
    'conclude': step_conclude,
}


def run(name, ctx, arguments):
    """Run step ``name`` with ``arguments``; ComplianceError and StepFailed pass through to the caller."""
    if not isinstance(arguments.get('inputs', {}), Mapping):
        raise ComplianceError('inputs must be the output of the validate step')
    return STEPS[name](ctx, **arguments)
