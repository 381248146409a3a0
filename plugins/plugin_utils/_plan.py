# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The remediation plan: which hosts and VMs to act on, in which order, and what refuses an action.

Private to this collection: not a public API, may change without notice.

:func:`build_plan` orders the remediation: the Unmatched hosts first, in batches,
then the VMs left running an old qemu process, under an action cap, with
pre-flight refusals (:func:`host_preflight`: host not Connected, in maintenance, ...).
"""

from __future__ import annotations

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.zstack.cloud.plugins.plugin_utils._common import (
    HOST,
    KIND_WORDS,
    MATCHED,
    UNMATCHED,
    VM,
    ComplianceError,
    brief,
    option,
    sort_key,
)

HOST_METHODS = ('update_cluster_os', 'tasks', 'playbook', 'none')
VM_METHODS = ('migrate', 'reboot', 'none')

#: Host states from which ZStack refuses ReconnectHost (zstack-api.md §6)
MAINTENANCE_STATES = ('Maintenance', 'PreMaintenance')
STOPPING_POLICY = 'StopVmOnMigrationFailure'

DEFAULT_OPTIONS = {
    'host_method': 'update_cluster_os',
    'vm_method': 'migrate',
    'allow_vm_downtime': False,
    'vm_reboot_fallback': False,
    'batch_size': 1,
    'max_actions': 20,
    'failure_budget': 0,
    'host_maintenance': False,
    'allow_vm_stop_on_maintenance': False,
    'maintenance_policy': None,
}
#: integer options and their lowest value
INTEGER_RANGES = (('batch_size', 1), ('max_actions', 0), ('failure_budget', 0))
BOOLEAN_OPTIONS = ('allow_vm_downtime', 'vm_reboot_fallback', 'host_maintenance', 'allow_vm_stop_on_maintenance')


def check_options(options):
    """Validated remediation options with defaults (the role's inputs without their prefix).

    This is the one home of their ranges and rules; every message names the role variable.
    """
    opts = dict(DEFAULT_OPTIONS)
    opts.update(dict((k, v) for k, v in (options or {}).items() if v is not None))
    problems = []
    for key, choices in (('host_method', HOST_METHODS), ('vm_method', VM_METHODS)):
        if opts[key] not in choices:
            problems.append('%s must be one of %s, got %r' % (option(key), ', '.join(choices), opts[key]))
    for key, low in INTEGER_RANGES:
        value = opts[key]
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            problems.append('%s must be an integer, got %r' % (option(key), value))
            continue
        try:
            opts[key] = int(value)
        except ValueError:
            problems.append('%s must be an integer, got %r' % (option(key), value))
            continue
        if opts[key] < low:
            problems.append('%s must be at least %d%s, got %d' % (
                option(key), low, ' (0: no cap)' if key == 'max_actions' else '', opts[key]))
    for key in BOOLEAN_OPTIONS:
        try:
            opts[key] = boolean(opts[key], strict=True)
        except TypeError:
            problems.append('%s must be true or false, got %r' % (option(key), opts[key]))
    if (opts['vm_method'] == 'reboot' or opts['vm_reboot_fallback'] is True) and opts['allow_vm_downtime'] is not True:
        problems.append(
            '%s=reboot (or %s=true) reboots VMs, which interrupts their guests. Set %s=true to allow it, or use %s=migrate '
            'without the fallback' % (option('vm_method'), option('vm_reboot_fallback'), option('allow_vm_downtime'),
                                      option('vm_method')))
    if problems:
        raise ComplianceError('; '.join(problems))
    return opts


def host_preflight(host, options):
    """None when a host may be remediated now, else the reason it may not (zstack-api.md §6)."""
    if host.get('status') not in (None, 'Connected'):
        return 'host is %s, not Connected: ZStack cannot upgrade or reconnect it; reconnect it first' % host.get('status')
    if host.get('state') in MAINTENANCE_STATES:
        return ('host is in state %s: ZStack cannot reconnect a host in maintenance; enable it first '
                '(ChangeHostState enable) or take it out of scope' % host.get('state'))
    if options.get('host_maintenance') and options.get('maintenance_policy') == STOPPING_POLICY \
            and not options.get('allow_vm_stop_on_maintenance'):
        return ('global config host.maintenance.policy is StopVmOnMigrationFailure: entering maintenance may stop '
                'VMs; set %s=true or change the policy to JustMigrate' % option('allow_vm_stop_on_maintenance'))
    return None


def _action(entry, action, index, batch, **extra):
    result = {
        'uuid': entry['uuid'],
        'name': entry.get('name'),
        'resource_type': entry.get('resource_type'),
        'cluster_uuid': entry.get('cluster_uuid'),
        'zone_uuid': entry.get('zone_uuid'),
        'host_uuid': entry.get('host_uuid'),
        'previous_state': entry.get('state'),
        'verdict': entry.get('verdict'),
        'action': action,
        'order': index,
        'batch': batch,
        'predicted': False,
    }
    result.update(extra)
    return result


def _vm_action_name(options):
    return {'migrate': 'migrate', 'reboot': 'reboot'}.get(options['vm_method'])


def build_plan(evaluation, options=None, phase='all', actions_taken=0):
    """The ordered remediation plan.

    ``phase`` is ``all`` (hosts, then VMs: those Unmatched now and, predicted,
    the running VMs of every host to be upgraded), ``hosts`` or ``vms`` (only
    the VMs Unmatched now: the role calls it again after the host phase, on
    fresh verdicts).  ``actions_taken`` counts actions already spent against
    ``max_actions`` (0 = no cap).  Returns ``{host_batches, vm_actions,
    deferred, blocked, not_remediated, counts}``.
    """
    opts = check_options(options)
    if phase not in ('all', 'hosts', 'vms'):
        raise ComplianceError('phase must be all, hosts or vms, got %r' % (phase,))
    resources = list((evaluation.get('resources') or {}).values())
    hosts = sorted((e for e in resources if e.get('resource_type') == HOST), key=sort_key)
    vm_entries = [e for e in resources if e.get('resource_type') == VM]
    budget = opts['max_actions'] - int(actions_taken or 0) if opts['max_actions'] else None
    host_actions, vm_actions, deferred, blocked, not_remediated = [], [], [], [], []

    def take(action):
        if budget is not None and len(host_actions) + len(vm_actions) >= budget:
            action['deferred_reason'] = ('the cap of %d actions per run (virtualizer_compliance_max_actions) is reached; '
                                         'run the role again to continue' % opts['max_actions'])
            deferred.append(action)
            return False
        return True

    upgraded = set()
    if phase in ('all', 'hosts'):
        for host in hosts:
            if host.get('verdict') != UNMATCHED:
                continue
            if opts['host_method'] == 'none':
                not_remediated.append(dict(brief(host), why='virtualizer_compliance_host_method is none'))
                continue
            refusal = host_preflight(host, opts)
            action = _action(host, opts['host_method'], 0, 0, expect_version=host.get('expect_version'))
            if refusal:
                action['blocked_reason'] = refusal
                blocked.append(action)
                continue
            if take(action):
                host_actions.append(action)
                upgraded.add(host['uuid'])
    host_expect = dict((h['uuid'], h.get('expect_version')) for h in hosts)
    host_names = dict((h['uuid'], h.get('name')) for h in hosts if h.get('name'))
    host_names.update(evaluation.get('names') or {})  # the scope step's: hosts outside the scope too
    if phase in ('all', 'vms'):
        vm_name = _vm_action_name(opts)
        # only the VMs that may need an action are sorted (and read beyond these two fields)
        vms = sorted((e for e in vm_entries if e.get('verdict') == UNMATCHED or e.get('host_uuid') in upgraded),
                     key=lambda e: (e.get('host_uuid') or '',) + sort_key(e))
        for vm in vms:
            predicted = vm.get('host_uuid') in upgraded and vm.get('verdict') in (MATCHED, UNMATCHED) \
                and vm.get('state') in (None, 'Running')
            if vm.get('verdict') != UNMATCHED and not predicted:
                continue
            if vm_name is None:
                not_remediated.append(dict(brief(vm), why='virtualizer_compliance_vm_method is none'))
                continue
            # the VM's new qemu process must be the version it is compared with: its own expectVersion
            # (its host's installed qemu-kvm, read now), or, when its host is upgraded first, what that
            # host is expected to run afterwards; whether or not the host is in scope
            require = host_expect.get(vm.get('host_uuid')) if predicted else vm.get('expect_version')
            action = _action(vm, vm_name, 0, 0, predicted=predicted, require_version=require,
                             reboot_fallback=bool(opts['vm_reboot_fallback']))
            if predicted:
                action['why'] = 'its host is upgraded first, which leaves it running the old qemu process'
            if vm.get('state') not in (None, 'Running'):
                action['blocked_reason'] = 'the VM is %s: only a running VM can be migrated or rebooted' % vm.get('state')
                blocked.append(action)
                continue
            if take(action):
                vm_actions.append(action)
    order = 0
    host_batches = []
    for start in range(0, len(host_actions), opts['batch_size']):
        batch = host_actions[start:start + opts['batch_size']]
        for action in batch:
            order += 1
            action['order'] = order
            action['batch'] = len(host_batches) + 1
        host_batches.append(batch)
    for action in vm_actions:
        order += 1
        action['order'] = order
        action['batch'] = None
    return {
        'phase': phase,
        'lines': plan_lines(host_batches, vm_actions, deferred, blocked, names=host_names),
        'host_batches': host_batches,
        'vm_actions': vm_actions,
        'deferred': deferred,
        'blocked': blocked,
        'not_remediated': not_remediated,
        'counts': {
            'host_actions': len(host_actions),
            'host_batches': len(host_batches),
            'vm_actions': len(vm_actions),
            'predicted_vm_actions': len([a for a in vm_actions if a['predicted']]),
            'deferred': len(deferred),
            'blocked': len(blocked),
            'not_remediated': len(not_remediated),
            'total': len(host_actions) + len(vm_actions),
        },
        'options': opts,
    }


#: at most this many plan lines in the play output (the reports hold the whole plan)
MAX_PLAN_LINES = 100


def plan_lines(host_batches, vm_actions, deferred=(), blocked=(), limit=MAX_PLAN_LINES, names=None):
    """The plan as short lines of text, for a person reading the play output (at most ``limit`` + 1).

    ``names`` maps host UUIDs to names: a VM's host is shown by name where the scope knows it.
    """
    names = names or {}
    lines = []
    for batch in host_batches:
        for action in batch:
            lines.append('%d. batch %d: host %s (%s): %s, then reconnect' % (
                action['order'], action['batch'], action.get('name'), action['uuid'], action['action']))
    for action in vm_actions:
        host = action.get('host_uuid')
        lines.append('%d. VM %s (%s) on host %s: %s%s%s' % (
            action['order'], action.get('name'), action['uuid'], names.get(host) or host, action['action'],
            ' to a host running %s' % action['require_version'] if action.get('require_version') else '',
            ' (predicted: after its host is upgraded)' if action.get('predicted') else ''))
    for action in deferred:
        lines.append('deferred: %s %s (%s): %s' % (
            KIND_WORDS.get(action.get('resource_type'), action.get('resource_type')), action.get('name'), action['uuid'], action['action']))
    for action in blocked:
        lines.append('blocked: %s %s (%s): %s' % (
            KIND_WORDS.get(action.get('resource_type'), action.get('resource_type')), action.get('name'), action['uuid'], action.get('blocked_reason')))
    if limit and len(lines) > limit:
        lines = lines[:limit] + ['... and %d more plan lines (the reports hold the whole plan)' % (len(lines) - limit)]
    return lines or ['nothing to do']
