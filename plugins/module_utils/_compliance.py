# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The compliance logic of the virtualizer_compliance role: scope, policy, plan, result, reports.

Private to this collection: not a public API, may change without notice.

Plain Python with no Ansible inside, so the filter plugins (plugins/filter/)
stay thin and everything here is unit-tested alone.  The role calls it in this
order:

1. :func:`build_scope` merges the discovered host and VM inventories with the
   UUIDs the user named, into one ordered UUID list for one verdict call;
2. :func:`evaluate` applies the policy to the verdicts (``virtualizer_info`` of
   ``zstack.cloud.zstack_virtualizer_info``): every resource passes, fails,
   warns or is ignored, with its reason;
3. :func:`build_plan` orders the remediation: the Unmatched hosts first, in
   batches, then the VMs left running an old qemu process, under an action cap,
   with pre-flight refusals (host not Connected, in maintenance, ...);
4. :func:`build_result` assembles the one result fact (before/after per
   resource, plan, actions);
5. :func:`render_report` writes it as JSON, JUnit XML or HTML.

Verdicts are those of ``_virtualizer``: Matched, Unmatched, Unknown, NoRecord, NotFound.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
from collections.abc import Iterable, Mapping
from xml.sax.saxutils import escape as _xml_escape, quoteattr as _xml_quoteattr

from html import escape as _html_escape

MATCHED = 'Matched'
UNMATCHED = 'Unmatched'
UNKNOWN = 'Unknown'
NO_RECORD = 'NoRecord'
NOT_FOUND = 'NotFound'
VERDICTS = (MATCHED, UNMATCHED, UNKNOWN, NO_RECORD, NOT_FOUND)

HOST = 'host'
VM = 'vm'
HOST_TYPE = 'HostVO'
VM_TYPE = 'VmInstanceVO'

FAIL = 'fail'
WARN = 'warn'
IGNORE = 'ignore'
PASS = 'pass'
POLICY_CHOICES = (FAIL, WARN, IGNORE)
OUTCOMES = (PASS, FAIL, WARN, IGNORE)

HOST_METHODS = ('update_cluster_os', 'tasks', 'playbook', 'none')
VM_METHODS = ('migrate', 'reboot', 'none')
REPORT_FORMATS = ('json', 'junit', 'html')

#: Host states from which ZStack refuses ReconnectHost (zstack-api.md §6)
MAINTENANCE_STATES = ('Maintenance', 'PreMaintenance')
STOPPING_POLICY = 'StopVmOnMigrationFailure'

_SUMMARY_KEYS = {MATCHED: 'matched', UNMATCHED: 'unmatched', UNKNOWN: 'unknown',
                 NO_RECORD: 'no_record', NOT_FOUND: 'not_found'}


class ComplianceError(ValueError):
    """Bad input to the compliance logic (a wrong option value, a malformed verdict)."""


# ------------------------------------------------------------------ helpers
def _kind(resource_type):
    if resource_type in (HOST_TYPE, HOST):
        return HOST
    if resource_type in (VM_TYPE, VM):
        return VM
    return None


def _natural(text):
    """'vm-10' sorts after 'vm-9'."""
    return tuple((0, int(part), '') if part.isdigit() else (1, 0, part) for part in re.split(r'(\d+)', text or '') if part)


def _sort_key(entry):
    return (entry.get('zone_uuid') or '', entry.get('cluster_uuid') or '', _natural(entry.get('name')), entry.get('uuid') or '')


def _name_key(entry):
    return (entry.get('resource_type') != HOST, _natural(entry.get('name')), entry.get('uuid') or '')


def _as_list(value, what):
    if value is None:
        return []
    if isinstance(value, Mapping):
        return list(value.values())
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ComplianceError('%s must be a list, got %s' % (what, type(value).__name__))
    return list(value)


def _slim_host(inv):
    return {
        'uuid': inv.get('uuid'),
        'name': inv.get('name'),
        'resource_type': HOST,
        'zone_uuid': inv.get('zoneUuid'),
        'cluster_uuid': inv.get('clusterUuid'),
        'host_uuid': None,
        'management_ip': inv.get('managementIp'),
        'state': inv.get('state'),
        'status': inv.get('status'),
    }


def _slim_vm(inv):
    return {
        'uuid': inv.get('uuid'),
        'name': inv.get('name'),
        'resource_type': VM,
        'zone_uuid': inv.get('zoneUuid'),
        'cluster_uuid': inv.get('clusterUuid'),
        'host_uuid': inv.get('hostUuid'),
        'management_ip': None,
        'state': inv.get('state'),
        'status': None,
    }


def summary_counts(verdicts):
    """``{total, matched, unmatched, unknown, no_record, not_found}`` over verdict entries (dict or list)."""
    summary = {'total': 0, 'matched': 0, 'unmatched': 0, 'unknown': 0, 'no_record': 0, 'not_found': 0}
    for entry in _as_list(verdicts, 'verdicts'):
        summary['total'] += 1
        key = _SUMMARY_KEYS.get(entry.get('verdict'))
        if key is None:
            raise ComplianceError('unknown verdict %r for %s' % (entry.get('verdict'), entry.get('uuid')))
        summary[key] += 1
    return summary


# ------------------------------------------------------------------ scope
def build_scope(hosts=None, vms=None, uuids=None, vm_states=('Running',)):
    """One ordered scope from discovered inventories and explicit UUIDs.

    ``hosts`` and ``vms`` are ZStack inventories (camelCase, as the info modules
    return them); ``uuids`` are the UUIDs the user named (hosts or VMs, any mix).
    VMs whose state is not in ``vm_states`` are dropped from discovery, but an
    explicitly named VM is always kept.  Returns ``{uuids, resources,
    host_uuids, vm_uuids, explicit_unresolved}``; ``uuids`` lists hosts first.
    """
    explicit = []
    seen = set()
    for value in _as_list(uuids, 'uuids'):
        if value not in seen:
            seen.add(value)
            explicit.append(value)
    explicit_set = set(explicit)
    resources = {}
    for inv in _as_list(hosts, 'hosts'):
        if inv.get('uuid'):
            resources[inv['uuid']] = _slim_host(inv)
    for inv in _as_list(vms, 'vms'):
        uuid = inv.get('uuid')
        if not uuid or uuid in resources:
            continue
        if vm_states and inv.get('state') not in vm_states and uuid not in explicit_set:
            continue
        resources[uuid] = _slim_vm(inv)
    # fill in zone/cluster of VMs from their host when the VM inventory lacks it
    for entry in resources.values():
        if entry['resource_type'] == VM and entry['host_uuid'] in resources:
            host = resources[entry['host_uuid']]
            entry['zone_uuid'] = entry['zone_uuid'] or host['zone_uuid']
            entry['cluster_uuid'] = entry['cluster_uuid'] or host['cluster_uuid']
    host_list = sorted((e for e in resources.values() if e['resource_type'] == HOST), key=_sort_key)
    vm_list = sorted((e for e in resources.values() if e['resource_type'] == VM), key=_sort_key)
    unresolved = [u for u in explicit if u not in resources]
    ordered = [e['uuid'] for e in host_list] + [e['uuid'] for e in vm_list] + unresolved
    return {
        'uuids': ordered,
        'resources': resources,
        'host_uuids': [e['uuid'] for e in host_list],
        'vm_uuids': [e['uuid'] for e in vm_list],
        'explicit_unresolved': unresolved,
    }


# ------------------------------------------------------------------ policy
def check_policy(policy):
    """A complete policy dict with validated values: ``{unknown, no_record}``."""
    policy = dict(policy or {})
    result = {'unknown': policy.get('unknown', FAIL), 'no_record': policy.get('no_record', WARN)}
    for key, value in result.items():
        if value not in POLICY_CHOICES:
            raise ComplianceError('policy %s must be one of %s, got %r' % (key, ', '.join(POLICY_CHOICES), value))
    return result


def outcome_of(verdict, policy):
    """pass / fail / warn / ignore for one verdict under a policy (Unmatched and NotFound always fail)."""
    if verdict == MATCHED:
        return PASS
    if verdict in (UNMATCHED, NOT_FOUND):
        return FAIL
    if verdict == UNKNOWN:
        return policy['unknown']
    if verdict == NO_RECORD:
        return policy['no_record']
    raise ComplianceError('unknown verdict %r' % (verdict,))


def _snapshot(verdict_entry):
    return {
        'verdict': verdict_entry.get('verdict'),
        'current_version': verdict_entry.get('current_version'),
        'expect_version': verdict_entry.get('expect_version'),
        'reason': verdict_entry.get('reason'),
    }


def evaluate(virtualizer_info, scope=None, policy=None):
    """Apply the policy to the verdicts.

    ``virtualizer_info`` is the module's dict keyed by UUID.  Returns
    ``{resources, summary, failing, warnings, ignored, compliant, policy}``;
    each resource carries its inventory facts (name, cluster, host) from the
    scope, its verdict snapshot and its outcome.
    """
    policy = check_policy(policy)
    if not isinstance(virtualizer_info, Mapping):
        raise ComplianceError('virtualizer_info must be the dict returned by zstack_virtualizer_info, got %s'
                              % type(virtualizer_info).__name__)
    known = (scope or {}).get('resources') or {}
    resources = {}
    for uuid, entry in virtualizer_info.items():
        facts = dict(known.get(uuid) or {})
        kind = facts.get('resource_type') or _kind(entry.get('resource_type'))
        snap = _snapshot(entry)
        outcome = outcome_of(snap['verdict'], policy)
        resources[uuid] = {
            'uuid': uuid,
            'name': facts.get('name') or uuid,
            'resource_type': kind,
            'zone_uuid': facts.get('zone_uuid'),
            'cluster_uuid': facts.get('cluster_uuid'),
            'host_uuid': facts.get('host_uuid'),
            'state': facts.get('state'),
            'status': facts.get('status'),
            'verdict': snap['verdict'],
            'current_version': snap['current_version'],
            'expect_version': snap['expect_version'],
            'reason': snap['reason'],
            'outcome': outcome,
        }
    return _evaluation(resources, policy)


def _evaluation(resources, policy):
    summary = summary_counts(resources.values())
    by_outcome = dict((o, []) for o in OUTCOMES)
    for entry in sorted(resources.values(), key=lambda e: (e['resource_type'] != HOST,) + _sort_key(e)):
        by_outcome[entry['outcome']].append(_brief(entry))
    summary.update({'failing': len(by_outcome[FAIL]), 'warning': len(by_outcome[WARN]),
                    'ignored': len(by_outcome[IGNORE]), 'passing': len(by_outcome[PASS])})
    return {
        'resources': resources,
        'summary': summary,
        'failing': by_outcome[FAIL],
        'warnings': by_outcome[WARN],
        'ignored': by_outcome[IGNORE],
        'compliant': not by_outcome[FAIL],
        'policy': policy,
    }


def _brief(entry):
    return {'uuid': entry['uuid'], 'name': entry.get('name'), 'resource_type': entry.get('resource_type'),
            'verdict': entry.get('verdict'), 'reason': entry.get('reason') or _default_reason(entry)}


def _default_reason(entry):
    if entry.get('verdict') == MATCHED:
        return None
    return '%s is %s' % (entry.get('resource_type') or 'resource', entry.get('verdict'))


# ------------------------------------------------------------------ plan
def check_options(options):
    """Validated remediation options with defaults (the role's inputs without their prefix)."""
    opts = {
        'host_method': 'update_cluster_os',
        'vm_method': 'migrate',
        'allow_vm_downtime': False,
        'vm_reboot_fallback': False,
        'batch_size': 1,
        'max_actions': 0,
        'failure_budget': 0,
        'host_maintenance': False,
        'allow_vm_stop_on_maintenance': False,
        'maintenance_policy': None,
    }
    opts.update(dict((k, v) for k, v in (options or {}).items() if v is not None))
    if opts['host_method'] not in HOST_METHODS:
        raise ComplianceError('host_method must be one of %s, got %r' % (', '.join(HOST_METHODS), opts['host_method']))
    if opts['vm_method'] not in VM_METHODS:
        raise ComplianceError('vm_method must be one of %s, got %r' % (', '.join(VM_METHODS), opts['vm_method']))
    for key in ('batch_size', 'max_actions', 'failure_budget'):
        try:
            opts[key] = int(opts[key])
        except (TypeError, ValueError):
            raise ComplianceError('%s must be an integer, got %r' % (key, opts[key]))
    if opts['batch_size'] < 1:
        raise ComplianceError('batch_size must be at least 1, got %d' % opts['batch_size'])
    if opts['max_actions'] < 0 or opts['failure_budget'] < 0:
        raise ComplianceError('max_actions and failure_budget must not be negative')
    if (opts['vm_method'] == 'reboot' or opts['vm_reboot_fallback']) and not opts['allow_vm_downtime']:
        raise ComplianceError('rebooting VMs means downtime: set allow_vm_downtime to true to allow it')
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
                'VMs; set virtualizer_compliance_allow_vm_stop_on_maintenance or change the policy to JustMigrate')
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
    hosts = sorted((e for e in resources if e.get('resource_type') == HOST), key=_sort_key)
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
                not_remediated.append(dict(_brief(host), why='virtualizer_compliance_host_method is none'))
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
    if phase in ('all', 'vms'):
        vm_name = _vm_action_name(opts)
        # only the VMs that may need an action are sorted (and read beyond these two fields)
        vms = sorted((e for e in vm_entries if e.get('verdict') == UNMATCHED or e.get('host_uuid') in upgraded),
                     key=lambda e: (e.get('host_uuid') or '',) + _sort_key(e))
        for vm in vms:
            predicted = vm.get('host_uuid') in upgraded and vm.get('verdict') in (MATCHED, UNMATCHED) \
                and vm.get('state') in (None, 'Running')
            if vm.get('verdict') != UNMATCHED and not predicted:
                continue
            if vm_name is None:
                not_remediated.append(dict(_brief(vm), why='virtualizer_compliance_vm_method is none'))
                continue
            require = host_expect.get(vm.get('host_uuid'))
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
        'lines': plan_lines(host_batches, vm_actions, deferred, blocked),
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


def plan_lines(host_batches, vm_actions, deferred=(), blocked=(), limit=MAX_PLAN_LINES):
    """The plan as short lines of text, for a person reading the play output (at most ``limit`` + 1)."""
    lines = []
    for batch in host_batches:
        for action in batch:
            lines.append('%d. batch %d: host %s (%s): %s, then reconnect' % (
                action['order'], action['batch'], action.get('name'), action['uuid'], action['action']))
    for action in vm_actions:
        lines.append('%d. vm %s (%s) on host %s: %s%s' % (
            action['order'], action.get('name'), action['uuid'], action.get('host_uuid'), action['action'],
            ' (predicted: after its host is upgraded)' if action.get('predicted') else ''))
    for action in deferred:
        lines.append('deferred: %s %s (%s): %s' % (
            action.get('resource_type'), action.get('name'), action['uuid'], action['action']))
    for action in blocked:
        lines.append('blocked: %s %s (%s): %s' % (
            action.get('resource_type'), action.get('name'), action['uuid'], action.get('blocked_reason')))
    if limit and len(lines) > limit:
        lines = lines[:limit] + ['... and %d more plan lines (the reports hold the whole plan)' % (len(lines) - limit)]
    return lines or ['nothing to do']


def table_lines(evaluation, max_lines=200):
    """The summary line, then one fixed-width line per resource (type, name, UUID, verdict, outcome, reason), hosts first.

    For a result, a verdict that changed shows as ``before->after``.  With more than ``max_lines``
    resources (0: no limit) only those that do not pass are listed, at most ``max_lines``, and a
    last line says how many were left out (the reports have them all).
    """
    all_resources = evaluation.get('resources') or {}
    left_out = 0
    if max_lines and len(all_resources) > max_lines:
        if _has_outcome_lists(evaluation):
            # the evaluation already lists what does not pass (failing, warnings, ignored):
            # the passing thousands of a large fleet are not even read
            listed = (b['uuid'] for b in evaluation['failing'] + evaluation['warnings'] + evaluation['ignored'])
            not_passing = (all_resources[u] for u in listed if u in all_resources)
        else:
            not_passing = (e for e in all_resources.values() if e.get('outcome') != PASS)
        resources = sorted(not_passing, key=_name_key)[:max_lines]
        left_out = len(all_resources) - len(resources)
    else:
        resources = sorted(all_resources.values(), key=_name_key)
    width = max([len(str(e.get('name') or '')) for e in resources] + [4])
    summary = evaluation.get('summary') or {}
    lines = [summary_line(summary), '%-4s  %-*s  %-32s  %-9s  %-7s  %s' % ('TYPE', width, 'NAME', 'UUID', 'VERDICT', 'OUTCOME', 'REASON')]
    for entry in resources:
        after = (entry.get('after') or entry.get('before') or {}) if 'before' in entry else entry
        shown = after.get('verdict')
        prior = (entry.get('before') or {}).get('verdict') if 'before' in entry else None
        if prior and prior != shown:
            shown = '%s->%s' % (prior, shown)
        lines.append('%-4s  %-*s  %-32s  %-9s  %-7s  %s' % (
            entry.get('resource_type') or '-', width, entry.get('name') or '', entry['uuid'], shown,
            entry.get('outcome'), entry.get('reason') or ''))
    if left_out:
        lines.append('... %d more resources not listed (passing ones first); the reports list every resource' % left_out)
    return lines


def _has_outcome_lists(evaluation):
    return all(isinstance(evaluation.get(k), list) for k in ('failing', 'warnings', 'ignored'))


def summary_line(summary):
    """``N resources: a Matched, b Unmatched, ...; f failing, w warning``."""
    return ('%d resources: %d Matched, %d Unmatched, %d Unknown, %d without record, %d not found; '
            '%d failing, %d warning, %d ignored' % tuple(int(summary.get(k, 0)) for k in (
                'total', 'matched', 'unmatched', 'unknown', 'no_record', 'not_found', 'failing', 'warning', 'ignored')))


def may_act(actions, options=None):
    """``{allowed, reason, taken, failed}``: whether one more action is allowed by the cap and the failure budget.

    ``actions`` are the records of actions run so far (``status`` ok / failed / skipped).
    """
    opts = check_options(options)
    actions = _as_list(actions, 'actions')
    taken = len([a for a in actions if a.get('status') in ('ok', 'failed')])
    failed = len([a for a in actions if a.get('status') == 'failed'])
    if failed > opts['failure_budget']:
        return {'allowed': False, 'taken': taken, 'failed': failed,
                'reason': '%d action(s) failed, more than the failure budget of %d (virtualizer_compliance_failure_budget)'
                          % (failed, opts['failure_budget'])}
    if opts['max_actions'] and taken >= opts['max_actions']:
        return {'allowed': False, 'taken': taken, 'failed': failed,
                'reason': 'the cap of %d actions per run (virtualizer_compliance_max_actions) is reached' % opts['max_actions']}
    return {'allowed': True, 'taken': taken, 'failed': failed, 'reason': None}


def pending(virtualizer_info, uuids):
    """The UUIDs among ``uuids`` whose verdict is not Matched yet (for the verification loop)."""
    info = virtualizer_info or {}
    return [u for u in _as_list(uuids, 'uuids') if (info.get(u) or {}).get('verdict') != MATCHED]


# ------------------------------------------------------------------ result
def build_result(before, after=None, plan=None, actions=None, check_mode=False, remediate=False,
                 started_at=None, finished_at=None, reports=None):
    """The ``virtualizer_compliance_result`` fact: summary, per-resource before/after, plan and actions."""
    after = after or before
    actions = _as_list(actions, 'actions')
    by_uuid = {}
    for action in actions:
        by_uuid.setdefault(action.get('uuid'), []).append(action)
    resources = {}
    for uuid, entry in after['resources'].items():
        prior = before['resources'].get(uuid) or entry
        resources[uuid] = {
            'uuid': uuid,
            'name': entry.get('name'),
            'resource_type': entry.get('resource_type'),
            'zone_uuid': entry.get('zone_uuid'),
            'cluster_uuid': entry.get('cluster_uuid'),
            'host_uuid': entry.get('host_uuid'),
            'before': _snap_of(prior),
            'after': _snap_of(entry),
            'outcome': entry.get('outcome'),
            'reason': entry.get('reason'),
            'actions': [dict((k, a.get(k)) for k in ('action', 'status', 'job_uuids', 'seconds', 'message'))
                        for a in by_uuid.get(uuid, [])],
        }
    for uuid, entry in before['resources'].items():
        if uuid not in resources:  # left the scope (e.g. a VM stopped during the run)
            resources[uuid] = {
                'uuid': uuid, 'name': entry.get('name'), 'resource_type': entry.get('resource_type'),
                'zone_uuid': entry.get('zone_uuid'), 'cluster_uuid': entry.get('cluster_uuid'),
                'host_uuid': entry.get('host_uuid'), 'before': _snap_of(entry), 'after': None,
                'outcome': entry.get('outcome'), 'reason': entry.get('reason'), 'actions': [],
            }
    statuses = {'ok': 0, 'failed': 0, 'skipped': 0}
    for action in actions:
        statuses[action.get('status')] = statuses.get(action.get('status'), 0) + 1
    summary = dict(after['summary'])
    summary['actions'] = statuses
    return {
        'compliant': after['compliant'],
        'check_mode': bool(check_mode),
        'remediate': bool(remediate),
        'policy': after.get('policy'),
        'summary': summary,
        'summary_before': before['summary'],
        'failing': after['failing'],
        'warnings': after['warnings'],
        'ignored': after['ignored'],
        'resources': resources,
        'plan': plan or {},
        'actions': actions,
        'started_at': started_at,
        'finished_at': finished_at,
        'reports': reports or {},
    }


def _snap_of(entry):
    return {'verdict': entry.get('verdict'), 'current_version': entry.get('current_version'),
            'expect_version': entry.get('expect_version'), 'outcome': entry.get('outcome'),
            'reason': entry.get('reason')}


def failure_message(result, limit=0):
    """One line per non-compliant UUID with its reason (the final assertion's message)."""
    lines = []
    failing = result.get('failing') or []
    for entry in failing[:limit or None]:
        lines.append('%s %s (%s): %s - %s' % (
            entry.get('resource_type') or 'resource', entry['uuid'], entry.get('name'), entry.get('verdict'), entry.get('reason')))
    if limit and len(failing) > limit:
        lines.append('... and %d more (see the JSON report)' % (len(failing) - limit))
    head = '%d of %d resources are not compliant' % (len(failing), (result.get('summary') or {}).get('total', 0))
    return head + (':\n' + '\n'.join(lines) if lines else '')


# ------------------------------------------------------------------ reports
def render_report(result, fmt):
    """The report text in one format: ``json``, ``junit`` or ``html``; for a list of formats, a dict format -> text."""
    if isinstance(fmt, (list, tuple)):
        return dict((one, render_report(result, one)) for one in fmt)
    if fmt == 'json':
        return json.dumps(result, indent=2, sort_keys=True, default=str) + '\n'
    if fmt == 'junit':
        return render_junit(result)
    if fmt == 'html':
        return render_html(result)
    raise ComplianceError('report format must be one of %s, got %r' % (', '.join(REPORT_FORMATS), fmt))


def _ordered_resources(result):
    return sorted((result.get('resources') or {}).values(),
                  key=lambda e: (e.get('resource_type') != HOST,) + _sort_key(e))


def render_junit(result):
    """JUnit XML: one test suite per resource type, one test case per resource."""
    resources = _ordered_resources(result)
    suites = []
    for kind, title in ((HOST, 'hosts'), (VM, 'vms'), (None, 'other')):
        cases = [e for e in resources if (e.get('resource_type') if e.get('resource_type') in (HOST, VM) else None) == kind]
        if not cases:
            continue
        failures = len([e for e in cases if e.get('outcome') == FAIL])
        skipped = len([e for e in cases if e.get('outcome') == WARN])
        body = []
        for entry in cases:
            after = entry.get('after') or entry.get('before') or {}
            classname = 'zstack.virtualizer_compliance.%s.%s' % (title, entry.get('cluster_uuid') or 'no-cluster')
            name = '%s (%s)' % (entry.get('name') or entry['uuid'], entry['uuid'])
            text = 'verdict: %s\ncurrent_version: %s\nexpect_version: %s\noutcome: %s\nreason: %s\n' % (
                after.get('verdict'), after.get('current_version'), after.get('expect_version'),
                entry.get('outcome'), entry.get('reason') or after.get('reason'))
            for action in entry.get('actions') or []:
                text += 'action: %s %s (%s s) %s\n' % (action.get('action'), action.get('status'),
                                                       action.get('seconds'), action.get('message') or '')
            inner = ''
            message = '%s: %s' % (after.get('verdict'), entry.get('reason') or after.get('reason') or '')
            if entry.get('outcome') == FAIL:
                inner = '<failure message=%s type=%s>%s</failure>' % (
                    _xml_quoteattr(_xml_text(message)), _xml_quoteattr(str(after.get('verdict'))), _xml_escape(_xml_text(text)))
            elif entry.get('outcome') == WARN:
                inner = '<skipped message=%s/>' % _xml_quoteattr(_xml_text('warning: ' + message))
            inner += '<system-out>%s</system-out>' % _xml_escape(_xml_text(text))
            body.append('    <testcase classname=%s name=%s time="0">%s</testcase>' % (
                _xml_quoteattr(_xml_text(classname)), _xml_quoteattr(_xml_text(name)), inner))
        suites.append('  <testsuite name=%s tests="%d" failures="%d" errors="0" skipped="%d">\n%s\n  </testsuite>' % (
            _xml_quoteattr('zstack.virtualizer_compliance.' + title), len(cases), failures, skipped, '\n'.join(body)))
    total = len(resources)
    fails = len([e for e in resources if e.get('outcome') == FAIL])
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<testsuites name="zstack.virtualizer_compliance" tests="%d" failures="%d" errors="0">\n%s\n</testsuites>\n'
            % (total, fails, '\n'.join(suites)))


def _xml_text(value):
    """Drop the characters XML 1.0 cannot carry at all (control characters other than tab, LF, CR)."""
    text = value if isinstance(value, str) else str(value)
    return ''.join(ch for ch in text if ch in '\t\n\r' or ord(ch) >= 0x20)


def _h(value):
    return _html_escape('' if value is None else str(value), True)


_HTML_STYLE = '''
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 8px} h3{font-size:15px;margin:18px 0 6px}
.meta{color:#5a6270;font-size:13px}
.banner{padding:10px 14px;border-radius:6px;font-weight:600;margin:14px 0}
.banner.ok{background:#e3f6e8;color:#146c2e}.banner.bad{background:#fde7e9;color:#a1121f}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}
.card{border-radius:8px;padding:10px 14px;min-width:110px;background:#fff;border:1px solid #dde1e6}
.card .n{font-size:26px;font-weight:700}.card .l{font-size:12px;color:#5a6270;text-transform:uppercase}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px;margin-bottom:8px}
th,td{border:1px solid #dde1e6;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f5} code{font-size:12px}
.v-Matched{background:#e3f6e8;color:#146c2e}.v-Unmatched{background:#fde7e9;color:#a1121f}
.v-Unknown{background:#fff4d6;color:#7a5300}.v-NoRecord{background:#eceff3;color:#434b57}
.v-NotFound{background:#f3e5f5;color:#6a1b7a}
.o-fail{color:#a1121f;font-weight:600}.o-warn{color:#7a5300;font-weight:600}.o-pass{color:#146c2e}.o-ignore{color:#5a6270}
.s-ok{color:#146c2e;font-weight:600}.s-failed{color:#a1121f;font-weight:600}.s-skipped{color:#7a5300}
'''


def render_html(result):
    """A person's view: summary counts, per-cluster tables with state colours, the plan and what was done."""
    summary = result.get('summary') or {}
    before = result.get('summary_before') or summary
    out = ['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
           '<title>ZStack virtualizer compliance</title>', '<style>%s</style></head><body>' % _HTML_STYLE]
    mode = 'check mode (nothing changed)' if result.get('check_mode') else (
        'remediation' if result.get('remediate') else 'check and report')
    out.append('<h1>ZStack virtualizer compliance</h1>')
    out.append('<div class="meta">Mode: %s &middot; started %s &middot; finished %s &middot; policy: Unknown=%s, no record=%s</div>' % (
        _h(mode), _h(result.get('started_at')), _h(result.get('finished_at')),
        _h((result.get('policy') or {}).get('unknown')), _h((result.get('policy') or {}).get('no_record'))))
    if result.get('compliant'):
        out.append('<div class="banner ok" id="verdict">Compliant: no resource fails the policy</div>')
    else:
        out.append('<div class="banner bad" id="verdict">Not compliant: %s resource(s) fail the policy</div>'
                   % _h(summary.get('failing')))
    out.append('<h2>Summary</h2><div class="cards" id="summary">')
    for key, label in (('total', 'total'), ('matched', 'Matched'), ('unmatched', 'Unmatched'), ('unknown', 'Unknown'),
                       ('no_record', 'no record'), ('not_found', 'not found'), ('failing', 'failing'), ('warning', 'warning')):
        out.append('<div class="card" id="count-%s"><div class="n">%s</div><div class="l">%s</div></div>'
                   % (_h(key), _h(summary.get(key, 0)), _h(label)))
    out.append('</div>')
    if before is not summary and result.get('actions'):
        out.append('<div class="meta">Before remediation: %s</div>' % _h(', '.join(
            '%s %s' % (before.get(k, 0), k) for k in ('matched', 'unmatched', 'unknown', 'no_record', 'not_found'))))
    # per-cluster tables
    clusters = {}
    for entry in _ordered_resources(result):
        clusters.setdefault(entry.get('cluster_uuid') or '', []).append(entry)
    out.append('<h2>Resources by cluster</h2>')
    for cluster in sorted(clusters):
        entries = clusters[cluster]
        bad = len([e for e in entries if e.get('outcome') == FAIL])
        out.append('<h3>Cluster %s <span class="meta">(%d resources, %d failing)</span></h3>' % (
            '<code>%s</code>' % _h(cluster) if cluster else '(none)', len(entries), bad))
        out.append('<table><thead><tr><th>Type</th><th>Name</th><th>UUID</th><th>Before</th><th>After</th>'
                   '<th>Current version</th><th>Expected version</th><th>Outcome</th><th>Reason</th><th>Actions</th>'
                   '</tr></thead><tbody>')
        for entry in entries:
            prior = entry.get('before') or {}
            after = entry.get('after') or {}
            acts = '<br>'.join('%s: <span class="s-%s">%s</span>%s' % (
                _h(a.get('action')), _h(a.get('status')), _h(a.get('status')),
                ' (%ss)' % _h(a.get('seconds')) if a.get('seconds') is not None else '') for a in entry.get('actions') or [])
            out.append('<tr><td>%s</td><td>%s</td><td><code>%s</code></td><td class="v-%s">%s</td><td class="v-%s">%s</td>'
                       '<td>%s</td><td>%s</td><td class="o-%s">%s</td><td>%s</td><td>%s</td></tr>' % (
                           _h(entry.get('resource_type')), _h(entry.get('name')), _h(entry.get('uuid')),
                           _h(prior.get('verdict')), _h(prior.get('verdict')), _h(after.get('verdict')), _h(after.get('verdict')),
                           _h(after.get('current_version')), _h(after.get('expect_version')),
                           _h(entry.get('outcome')), _h(entry.get('outcome')), _h(entry.get('reason')), acts))
        out.append('</tbody></table>')
    # plan and actions
    plan = result.get('plan') or {}
    out.append('<h2>Plan</h2>')
    counts = plan.get('counts') or {}
    out.append('<div class="meta" id="plan-counts">%s host action(s) in %s batch(es), %s VM action(s), '
               '%s deferred by the action cap, %s blocked by pre-flight checks</div>' % (
                   _h(counts.get('host_actions', 0)), _h(counts.get('host_batches', 0)), _h(counts.get('vm_actions', 0)),
                   _h(counts.get('deferred', 0)), _h(counts.get('blocked', 0))))
    planned = [a for batch in plan.get('host_batches') or [] for a in batch] + list(plan.get('vm_actions') or [])
    rows = [(a, 'planned') for a in planned] + [(a, 'deferred') for a in plan.get('deferred') or []] + \
        [(a, 'blocked') for a in plan.get('blocked') or []]
    if rows:
        out.append('<table><thead><tr><th>#</th><th>Batch</th><th>Type</th><th>Name</th><th>UUID</th><th>Action</th>'
                   '<th>Status</th><th>Note</th></tr></thead><tbody>')
        for action, status in rows:
            note = action.get('blocked_reason') or action.get('deferred_reason') or action.get('why') or ''
            out.append('<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td><code>%s</code></td><td>%s</td><td>%s</td>'
                       '<td>%s</td></tr>' % (_h(action.get('order') or ''), _h(action.get('batch') or ''),
                                             _h(action.get('resource_type')), _h(action.get('name')), _h(action.get('uuid')),
                                             _h(action.get('action')), _h(status), _h(note)))
        out.append('</tbody></table>')
    else:
        out.append('<p>Nothing to do.</p>')
    out.append('<h2>What was done</h2>')
    actions = result.get('actions') or []
    if actions:
        out.append('<table id="actions"><thead><tr><th>Type</th><th>Name</th><th>UUID</th><th>Action</th><th>Status</th>'
                   '<th>Seconds</th><th>Jobs</th><th>Message</th></tr></thead><tbody>')
        for action in actions:
            out.append('<tr><td>%s</td><td>%s</td><td><code>%s</code></td><td>%s</td><td class="s-%s">%s</td><td>%s</td>'
                       '<td><code>%s</code></td><td>%s</td></tr>' % (
                           _h(action.get('resource_type')), _h(action.get('name')), _h(action.get('uuid')),
                           _h(action.get('action')), _h(action.get('status')), _h(action.get('status')),
                           _h(action.get('seconds')), _h(' '.join(action.get('job_uuids') or [])), _h(action.get('message'))))
        out.append('</tbody></table>')
    else:
        out.append('<p>No action was taken%s.</p>' % (' (check mode)' if result.get('check_mode') else ''))
    out.append('</body></html>')
    return '\n'.join(out) + '\n'
