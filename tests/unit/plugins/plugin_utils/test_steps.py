# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the role's steps (plugin_utils/_steps.py) on a recording context with a clock of its own.

validate has its own file (test_inputs.py).
"""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._virtualizer import GROUP_FIELDS, group_uuids
from ansible_collections.zstack.cloud.plugins.plugin_utils import _steps
from ansible_collections.zstack.cloud.plugins.plugin_utils._common import ComplianceError
from ansible_collections.zstack.cloud.plugins.plugin_utils._plan import build_plan
from ansible_collections.zstack.cloud.plugins.plugin_utils._policy import evaluate
from ansible_collections.zstack.cloud.plugins.plugin_utils._reports import build_result, report_document, summary_line, table_lines
from ansible_collections.zstack.cloud.plugins.plugin_utils._scope import build_scope
from ansible_collections.zstack.cloud.tests.unit.plugins.plugin_utils.compliance_fleet import (
    NEW,
    NEWER,
    OLD,
    LOOKUPS,
    Recorder,
    answering,
    evaluated,
    fleet,
    host,
    lookup,
    role_inputs,
    u,
    verdict,
    vm,
)

START = 1767225600.0  # 2026-01-01T00:00:00Z


def inputs_for(tmp_path, **changes):
    """The validate step's output, as every later step gets it."""
    return _steps.step_validate(Recorder(start=START), role_inputs(tmp_path, **changes), environ={})['output']


# ------------------------------------------------------------------ scope
def test_scope_from_discovery_and_named_uuids(tmp_path):
    hosts, vms, _info = fleet()
    inputs = inputs_for(tmp_path, uuids=[u(99)], discover=True)
    scope = _steps.step_scope(Recorder(results=[lookup]), inputs, hosts=hosts, vms=vms, discovered_hosts=hosts)['output']
    names = scope.pop('names')
    assert scope == build_scope(hosts, vms, [u(99)])
    assert u(99) in scope['uuids']  # named, so kept although stopped
    assert names[u(99)] == 'stopped' and names[u(1)] == 'kvm-1'


def test_scope_names_its_zones_and_clusters_with_one_lookup_each(tmp_path):
    hosts, vms, _info = fleet()
    ctx = Recorder(results=[lookup])
    scope = _steps.step_scope(ctx, inputs_for(tmp_path, uuids=[], discover=True), hosts=hosts, vms=vms, discovered_hosts=hosts)['output']
    assert ctx.calls == [
        ('zstack.cloud.zstack_cluster_info', {'uuids': [u(1001), u(1002)], 'fields': ['uuid', 'name', 'zoneUuid']}),
        ('zstack.cloud.zstack_zone_info', {'uuids': [u(2001)], 'fields': ['uuid', 'name']}),
    ]  # every VM's host is in the scope: no host lookup
    assert scope['names'] == {
        u(1): 'kvm-1', u(2): 'kvm-2', u(3): 'kvm-3', u(4): 'kvm-4',
        u(11): 'vm-1', u(12): 'vm-2', u(21): 'vm-10', u(22): 'vm-9', u(31): 'vm-31',
        u(1001): 'cluster-1', u(1002): 'cluster-2', u(2001): 'zone-1',
    }
    assert ctx.warnings == [] and ctx.lines == []


def test_scope_names_the_narrowing_the_zones_of_its_clusters_and_the_hosts_of_named_vms(tmp_path):
    """VMs named alone: their hosts are outside the scope, but named; a cluster's zone is named too."""
    vms = [vm(11, 1, 'vm-1', cluster=3, zone=9), vm(21, 2, 'vm-10')]
    ctx = Recorder(results=[lookup])
    inputs = inputs_for(tmp_path, uuids=[u(11), u(21)], discover=True, zone_uuids=[u(2002)])
    scope = _steps.step_scope(ctx, inputs, hosts=[], vms=vms)['output']
    assert [call[0] for call in ctx.calls] == ['zstack.cloud.zstack_cluster_info', 'zstack.cloud.zstack_zone_info',
                                               'zstack.cloud.zstack_host_info']
    assert ctx.calls[1][1]['uuids'] == [u(2001), u(2002), u(2009), u(2003)]  # cluster-3 is in zone-3
    assert ctx.calls[2][1] == {'uuids': [u(1), u(2)], 'fields': ['uuid', 'name']}
    names = scope['names']
    assert [names.get(x) for x in (u(1003), u(1001), u(2003), u(2002), u(2001), u(1), u(2))] == [
        'cluster-3', 'cluster-1', 'zone-3', 'zone-2', 'zone-1', 'kvm-1', 'kvm-2']
    assert u(2009) not in names  # deleted meanwhile: no name, no error
    assert ctx.warnings == []


def test_a_failed_name_lookup_warns_and_the_scope_stands(tmp_path):
    hosts, vms, _info = fleet()
    ctx = Recorder(results=[{'failed': True, 'msg': 'ZStack answered 503 SYS.1001'}, lookup])
    scope = _steps.step_scope(ctx, inputs_for(tmp_path, uuids=[], discover=True), hosts=hosts, vms=vms, discovered_hosts=hosts)['output']
    assert scope['uuids'] == build_scope(hosts, vms)['uuids']
    assert ctx.warnings == ['The cluster names could not be read (zstack.cloud.zstack_cluster_info failed: ZStack answered 503 '
                            'SYS.1001); the reports show those clusters by UUID only']
    assert u(1001) not in scope['names'] and scope['names'][u(2001)] == 'zone-1'


def test_an_empty_scope_is_an_error_unless_allowed(tmp_path):
    inputs = inputs_for(tmp_path, uuids=[], discover=True)
    with pytest.raises(ComplianceError) as info:
        _steps.step_scope(Recorder(results=[AssertionError]), inputs, hosts=[], vms=[], discovered_hosts=[])
    assert 'the scope is empty' in str(info.value) and 'virtualizer_compliance_allow_empty_scope=true' in str(info.value)
    inputs = inputs_for(tmp_path, uuids=[], discover=True, allow_empty_scope=True)
    ctx = Recorder(results=[AssertionError])
    scope = _steps.step_scope(ctx, inputs, hosts=[], vms=[], discovered_hosts=[])['output']
    assert scope['uuids'] == [] and scope['names'] == {}
    assert ctx.calls == []  # nothing to name: no lookup


def test_a_cluster_that_matched_no_discovered_host_is_named(tmp_path):
    hosts = [host(1, cluster=1), host(2, cluster=2)]
    inputs = inputs_for(tmp_path, uuids=[], cluster_uuids=[u(1001), u(1003)])
    ctx = Recorder(results=[AssertionError])
    with pytest.raises(ComplianceError) as info:
        _steps.step_scope(ctx, inputs, hosts=hosts[:1], vms=[], discovered_hosts=hosts[:1])
    assert 'virtualizer_compliance_cluster_uuids: no host found in cluster %s' % u(1003) in str(info.value)
    assert u(1001) not in str(info.value)
    assert ctx.calls == []  # the scope is checked before any name is read
    inputs = inputs_for(tmp_path, uuids=[], zone_uuids=[u(2009)])
    with pytest.raises(ComplianceError, match='virtualizer_compliance_zone_uuids: no host found in zone %s' % u(2009)):
        _steps.step_scope(ctx, inputs, hosts=hosts, vms=[], discovered_hosts=hosts)


def test_named_uuids_without_discovery_check_no_narrowing(tmp_path):
    inputs = inputs_for(tmp_path, uuids=[u(1)])
    scope = _steps.step_scope(Recorder(results=[lookup]), inputs, hosts=[host(1)], vms=[], discovered_hosts=None)['output']
    assert scope['uuids'] == [u(1)]


def test_scope_read_again_keeps_every_uuid_of_the_first(tmp_path):
    hosts, vms, _info = fleet()
    inputs = inputs_for(tmp_path, uuids=[], discover=True)
    first = _steps.step_scope(Recorder(results=[lookup]), inputs, hosts=hosts, vms=vms, discovered_hosts=hosts)['output']
    # vm-2 (u(12)) stopped meanwhile; vm-1 moved to kvm-2; nothing else was read
    moved = [dict(v, hostUuid=u(2)) if v['uuid'] == u(11) else dict(v, state='Stopped', hostUuid=None) if v['uuid'] == u(12) else v
             for v in vms]
    ctx = Recorder(results=[lookup])
    again = _steps.step_scope(ctx, inputs, hosts=hosts, vms=moved, keep=first)['output']
    assert set(again['uuids']) == set(first['uuids'])
    assert again['resources'][u(12)]['state'] == 'Stopped'
    assert again['resources'][u(11)]['host_uuid'] == u(2)
    assert again['names'] == first['names'] and ctx.calls == []  # everything was named the first time
    # an empty re-read is not refused: the first scope was checked; its names stay
    empty = _steps.step_scope(Recorder(results=[AssertionError]), inputs, hosts=[], vms=[], keep=first)['output']
    assert empty['explicit_unresolved'] == first['uuids'] and empty['names'] == first['names']


def test_scope_read_again_names_only_what_is_new(tmp_path):
    """A VM migrated meanwhile to a host outside the scope: only that host is read."""
    hosts, vms, _info = fleet()
    inputs = inputs_for(tmp_path, uuids=[], discover=True)
    first = _steps.step_scope(Recorder(results=[lookup]), inputs, hosts=hosts, vms=vms, discovered_hosts=hosts)['output']
    moved = [dict(v, hostUuid=u(7)) if v['uuid'] == u(11) else v for v in vms]
    ctx = Recorder(results=[lookup])
    again = _steps.step_scope(ctx, inputs, hosts=hosts, vms=moved, keep=first)['output']
    assert ctx.calls == [('zstack.cloud.zstack_host_info', {'uuids': [u(7)], 'fields': ['uuid', 'name']})]
    assert again['names'] == dict(first['names'], **{u(7): 'kvm-7'})


# ------------------------------------------------------------------ evaluate
def test_evaluate_applies_the_policy_of_the_inputs(tmp_path):
    hosts, vms, info = fleet()
    scope = build_scope(hosts, vms)
    inputs = inputs_for(tmp_path, unknown_policy='ignore', no_record_policy='fail')
    out = _steps.step_evaluate(Recorder(), inputs, virtualizer_info=info, scope=dict(scope, names={u(1): 'kvm-1', u(1001): 'c-1'}))['output']
    assert out.pop('names') == {u(1): 'kvm-1', u(1001): 'c-1'}  # the scope's names, for the result step
    assert out == evaluate(info, scope, {'unknown': 'ignore', 'no_record': 'fail'})
    assert out['resources'][u(3)]['outcome'] == 'ignore' and out['resources'][u(4)]['outcome'] == 'fail'


def test_evaluate_refuses_what_is_not_the_modules_dict(tmp_path):
    with pytest.raises(ComplianceError, match='virtualizer_info must be the dict returned by zstack_virtualizer_info'):
        _steps.step_evaluate(Recorder(), inputs_for(tmp_path), virtualizer_info=[], scope=None)


# ------------------------------------------------------------------ assess and rescan: the steps run the reads
HOST_FIELDS = ['uuid', 'name', 'zoneUuid', 'clusterUuid', 'managementIp', 'state', 'status']
VM_FIELDS = ['uuid', 'name', 'zoneUuid', 'clusterUuid', 'hostUuid', 'state']


def zstack(hosts, vms, info, **more):
    """The modules' answers over a fleet, as the step's context runs them (queries by UUID, by host, by narrowing)."""
    def host_info(args):
        if 'uuids' in args:
            return {'changed': False, 'hosts': [h for h in hosts if h['uuid'] in args['uuids']]}
        return {'changed': False, 'hosts': hosts}

    def vm_info(args):
        if 'uuids' in args:
            return {'changed': False, 'vm_instances': [v for v in vms if v['uuid'] in args['uuids']]}
        found = [v for v in vms if v['state'] in args.get('state', [v['state']])]
        for condition in args.get('conditions') or []:
            if condition.startswith('hostUuid?='):
                found = [v for v in found if v['hostUuid'] in condition.split('=', 1)[1].split(',')]
        return {'changed': False, 'vm_instances': found}

    def virtualizer_info(args):
        return answer_of(info, args, vms)

    def names_of(module):
        key, known = LOOKUPS[module]
        return lambda args: {'changed': False, key: [dict((f, inv[f]) for f in args['fields'] if f in inv)
                                                     for inv in known if inv['uuid'] in set(args['uuids'])]}

    table = {_steps.HOST_INFO: host_info, _steps.VM_INFO: vm_info, _steps.VIRTUALIZER_INFO: virtualizer_info}
    table.update((module, names_of(module)) for module in (ZONE_INFO, CLUSTER_INFO))
    table.update(more)
    return Recorder(results=[answering(table)])


ZONE_INFO, CLUSTER_INFO = 'zstack.cloud.zstack_zone_info', 'zstack.cloud.zstack_cluster_info'


def unnamed(scope):
    """The scope without the names the scope step looked up."""
    return dict((k, v) for k, v in scope.items() if k != 'names')


def reads(ctx):
    """The module runs of a step, without the scope's look-ups of zone and cluster names (tested on their own)."""
    return [call for call in ctx.calls if call[0] not in (ZONE_INFO, CLUSTER_INFO)]


def answer_of(info, args, vms=(), **extra):
    """zstack_virtualizer_info's answer for ``args`` from the entries of ``info``: its groups (any output), and the
    entries keyed by UUID unless the output is grouped. As the module, it answers for every UUID: one of ``vms``
    that ``info`` does not know has no record (a stopped VM), any other is not found."""
    vm_uuids = set(v['uuid'] for v in vms)
    entries = {}
    for x in args['uuids']:
        entries[x] = info.get(x) or (dict(verdict(int(x, 16), 'vm', 'NoRecord', None, None), uuid=x) if x in vm_uuids else
                                     dict(verdict(int(x, 16), None, 'NotFound', None, None), uuid=x))
    answer = dict(extra, changed=False, groups=group_uuids(list(entries), lambda x: tuple(entries[x].get(f) for f in GROUP_FIELDS)))
    if args.get('output') != 'grouped':
        answer['virtualizer_info'] = entries
    return answer


def test_assess_discovers_reads_every_verdict_in_one_call_and_plans(tmp_path):
    hosts, vms, info = fleet()
    inputs = inputs_for(tmp_path, uuids=[], cluster_uuids=[u(1001), u(1002)])
    ctx = zstack(hosts, vms, info)
    out = _steps.step_assess(ctx, inputs, check_mode=True)
    scope = build_scope(hosts, vms)
    assert unnamed(out['scope']) == scope and out['scope']['names'][u(1001)] == 'cluster-1'
    evaluation = evaluate(info, out['scope'])
    assert unnamed(out['evaluation']) == unnamed(evaluation)
    assert out['output'] == build_plan(evaluation, inputs['options'])
    conditions = ['clusterUuid?=%s,%s' % (u(1001), u(1002))]
    assert reads(ctx) == [
        (_steps.HOST_INFO, {'fields': HOST_FIELDS, 'conditions': conditions, 'page_size': 5000}),
        (_steps.VM_INFO, {'fields': ['uuid', 'name', 'hostUuid', 'state'], 'conditions': conditions, 'state': ['Running'],
                          'page_size': 5000}),
        (_steps.VIRTUALIZER_INFO, {'uuids': scope['uuids'], 'output': 'grouped', 'on_batch_error': 'fail'}),
    ]
    assert ctx.lines[0] == summary_line(evaluation['summary'])
    assert ctx.lines[1].startswith('Plan (check mode: nothing will change): 1 host action in 1 batch')


def test_assess_reads_the_named_uuids_and_the_running_vms_of_the_named_hosts_in_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(_steps, 'HOST_VMS_CHUNK', 2)
    hosts, vms, info = fleet()
    named = [u(1), u(2), u(3), u(31), u(99)]  # three hosts, a running VM, a stopped VM
    ctx = zstack(hosts, vms, info)
    out = _steps.step_assess(ctx, inputs_for(tmp_path, uuids=named))
    assert reads(ctx)[:4] == [
        (_steps.HOST_INFO, {'fields': HOST_FIELDS, 'uuids': named}),
        (_steps.VM_INFO, {'fields': VM_FIELDS, 'uuids': named}),
        (_steps.VM_INFO, {'fields': VM_FIELDS, 'conditions': ['hostUuid?=%s,%s' % (u(1), u(2))], 'state': ['Running']}),
        (_steps.VM_INFO, {'fields': VM_FIELDS, 'conditions': ['hostUuid?=%s' % u(3)], 'state': ['Running']}),
    ]
    assert reads(ctx)[4][0] == _steps.VIRTUALIZER_INFO and len(reads(ctx)) == 5
    # the named hosts, their running VMs, the VMs named (the stopped one too, since it was named)
    assert unnamed(out['scope']) == build_scope(hosts[:3], vms, named)
    assert sorted(out['scope']['uuids']) == sorted([u(1), u(2), u(3), u(11), u(12), u(21), u(22), u(31), u(99)])
    # without the hosts' VMs: only what was named
    ctx = zstack(hosts, vms, info)
    out = _steps.step_assess(ctx, inputs_for(tmp_path, uuids=named, include_host_vms=False))
    assert [c[0] for c in reads(ctx)] == [_steps.HOST_INFO, _steps.VM_INFO, _steps.VIRTUALIZER_INFO]
    assert sorted(out['scope']['uuids']) == sorted(named)


def test_assess_reads_the_maintenance_policy_when_hosts_enter_maintenance(tmp_path):
    hosts, vms, info = fleet()
    policy = {'changed': False, 'config_values': {'host.host.maintenance.policy': 'StopVmOnMigrationFailure'}}
    ctx = zstack(hosts, vms, info, **{_steps.GLOBAL_CONFIG_INFO: policy})
    out = _steps.step_assess(ctx, inputs_for(tmp_path, uuids=[], discover=True, host_maintenance=True))
    assert reads(ctx)[-1] == (_steps.GLOBAL_CONFIG_INFO, {'category': 'host', 'name': 'host.maintenance.policy'})
    assert out['output']['counts']['blocked'] == 1 and 'StopVmOnMigrationFailure' in out['output']['blocked'][0]['blocked_reason']
    ctx = zstack(hosts, vms, info)
    _steps.step_assess(ctx, inputs_for(tmp_path, uuids=[], discover=True))
    assert _steps.GLOBAL_CONFIG_INFO not in [c[0] for c in reads(ctx)]


def test_assess_refuses_a_verdict_read_that_leaves_uuids_out(tmp_path):
    """A read that answers for fewer UUIDs than went in decides nothing: those UUIDs are not dropped as if compliant."""
    hosts, vms, info = fleet()

    def short(args):
        answer = answer_of(info, args, vms)
        answer['groups'] = [dict(g, uuids=[x for x in g['uuids'] if x != u(21)]) for g in answer['groups']]
        return answer
    with pytest.raises(_steps.StepFailed, match=r'the verdict read \(zstack.cloud.zstack_virtualizer_info\) returned no verdict '
                       r'for 1 of the 9 UUIDs in scope \(first: %s\); nothing was decided' % u(21)):
        _steps.step_assess(zstack(hosts, vms, info, **{_steps.VIRTUALIZER_INFO: short}), inputs_for(tmp_path, uuids=[], discover=True))


def test_assess_reports_batches_that_keep_failing_as_error_judged_by_the_error_policy(tmp_path):
    hosts, vms, info = fleet()
    info[u(21)] = dict(verdict(21, 'vm', 'Error', None, None, reason='not read: its batch kept failing (HTTP 502)'),
                       match_state=None)
    warning = '1 of 9 UUIDs have the verdict Error: 1 batch(es) kept failing after their retries'

    def virtualizer_info(args):
        return answer_of(info, args, vms, warnings=[warning])
    ctx = zstack(hosts, vms, info, **{_steps.VIRTUALIZER_INFO: virtualizer_info})
    out = _steps.step_assess(ctx, inputs_for(tmp_path, uuids=[], discover=True, on_batch_error='report', error_policy='warn'))
    assert reads(ctx)[-1][1]['on_batch_error'] == 'report'
    assert ctx.warnings == [warning]  # the module's warning is the task's
    entry = out['evaluation']['resources'][u(21)]
    assert entry['verdict'] == 'Error' and entry['outcome'] == 'warn'
    assert out['evaluation']['summary']['error'] == 1
    # nothing is known of it: it is not remediated
    assert u(21) not in [a['uuid'] for a in out['output']['vm_actions']]
    # under the default policy it fails
    ctx = zstack(hosts, vms, info, **{_steps.VIRTUALIZER_INFO: virtualizer_info})
    out = _steps.step_assess(ctx, inputs_for(tmp_path, uuids=[], discover=True, on_batch_error='report'))
    assert out['evaluation']['resources'][u(21)]['outcome'] == 'fail' and not out['evaluation']['compliant']


def test_assess_fails_naming_the_read_that_failed(tmp_path):
    hosts, vms, info = fleet()
    failed = {'failed': True, 'msg': 'ZStack answered 503 (SYS.1000): internal error'}
    ctx = zstack(hosts, vms, info, **{_steps.VM_INFO: failed})
    with pytest.raises(_steps.StepFailed) as exc:
        _steps.step_assess(ctx, inputs_for(tmp_path, uuids=[], discover=True))
    assert str(exc.value) == ('discovery of the running VMs in scope: zstack.cloud.zstack_vm_instance_info failed: '
                              'ZStack answered 503 (SYS.1000): internal error')
    assert [c[0] for c in reads(ctx)] == [_steps.HOST_INFO, _steps.VM_INFO]


def test_a_failed_verdict_read_names_the_on_batch_error_remedy(tmp_path):
    hosts, vms, info = fleet()
    failed = {'failed': True, 'msg': 'GetVirtualizerInfo answered HTTP 504 after 4 attempts'}
    with pytest.raises(_steps.StepFailed) as exc:
        _steps.step_assess(zstack(hosts, vms, info, **{_steps.VIRTUALIZER_INFO: failed}), inputs_for(tmp_path))
    assert str(exc.value) == (
        'the verdict read: zstack.cloud.zstack_virtualizer_info failed: GetVirtualizerInfo answered HTTP 504 after 4 attempts; '
        'when a batch kept failing, virtualizer_compliance_on_batch_error=report lets the run go on: the UUIDs of that batch '
        'get the verdict Error, which virtualizer_compliance_error_policy judges')
    # already reporting: an error of the whole run, no remedy to offer
    with pytest.raises(_steps.StepFailed) as exc:
        _steps.step_assess(zstack(hosts, vms, info, **{_steps.VIRTUALIZER_INFO: failed}),
                           inputs_for(tmp_path, on_batch_error='report'))
    assert str(exc.value).endswith('failed: GetVirtualizerInfo answered HTTP 504 after 4 attempts')


def test_assess_refuses_an_empty_scope_before_any_verdict_is_read(tmp_path):
    ctx = zstack([], [], {})
    with pytest.raises(ComplianceError, match='the scope is empty'):
        _steps.step_assess(ctx, inputs_for(tmp_path, uuids=[], discover=True))
    assert _steps.VIRTUALIZER_INFO not in [c[0] for c in reads(ctx)]
    # allowed: no verdict call for nothing, an empty evaluation
    ctx = zstack([], [], {})
    out = _steps.step_assess(ctx, inputs_for(tmp_path, uuids=[], discover=True, allow_empty_scope=True))
    assert out['evaluation']['summary']['total'] == 0 and [c[0] for c in reads(ctx)] == [_steps.HOST_INFO, _steps.VM_INFO]


def test_rescan_reads_the_scope_again_and_plans_the_vm_phase(tmp_path):
    hosts, vms, info = fleet()
    inputs = inputs_for(tmp_path, uuids=[], discover=True)
    first = build_scope(hosts, vms)
    # kvm-1 was upgraded: it is Matched now, and its VMs (on the old process) Unmatched
    info = dict(info)
    info[u(1)] = verdict(1, 'host', 'Matched')
    info[u(11)] = verdict(11, 'vm', 'Unmatched', OLD, NEW)
    ctx = zstack(hosts, vms + [vm(77, 1, 'new-vm')], info)
    out = _steps.step_rescan(ctx, inputs, first, actions=[{'uuid': u(1), 'status': 'ok'}], plan_vms=True)
    assert reads(ctx) == [
        (_steps.HOST_INFO, {'fields': HOST_FIELDS, 'uuids': first['host_uuids']}),
        (_steps.VM_INFO, {'fields': VM_FIELDS, 'uuids': first['vm_uuids']}),
        (_steps.VIRTUALIZER_INFO, {'uuids': first['uuids'], 'output': 'grouped', 'on_batch_error': 'fail'}),
    ]
    assert out['scope']['uuids'] == first['uuids']  # a VM started meanwhile is not added
    assert out['output']['resources'][u(11)]['verdict'] == 'Unmatched'
    assert sorted(a['uuid'] for a in out['vm_plan']['vm_actions']) == [u(11), u(21)]
    assert ctx.lines[-3] == 'VM phase: 2 VM actions'
    assert _steps.step_rescan(zstack(hosts, vms, info), inputs, first)['vm_plan'] is None


# ------------------------------------------------------------------ plan
def test_plan_shows_the_summary_and_the_plan(tmp_path):
    ev = evaluated()
    ctx = Recorder()
    plan = _steps.step_plan(ctx, inputs_for(tmp_path), ev)['output']
    assert plan == build_plan(ev, inputs_for(tmp_path)['options'])
    assert ctx.lines[0] == summary_line(ev['summary'])
    assert ctx.lines[1] == ('Plan (remediation is off: nothing will change): 1 host action in 1 batch, 3 VM actions '
                            '(2 predicted after host upgrades), 0 deferred by the cap, 0 blocked by pre-flight checks')
    assert ctx.lines[2:] == ['  ' + line for line in plan['lines']]
    assert ctx.lines[2] == '  1. batch 1: host kvm-1 (%s): update_cluster_os, then reconnect' % u(1)
    assert ctx.warnings == []


def test_plan_line_says_check_mode_and_counts_in_plural(tmp_path):
    hosts = [host(n) for n in (1, 2, 3)]
    info = dict((h['uuid'], verdict(int(h['uuid'], 16), 'host', 'Unmatched', OLD, NEW)) for h in hosts)
    ev = evaluate(info, build_scope(hosts))
    ctx = Recorder()
    _steps.step_plan(ctx, inputs_for(tmp_path, remediate=True, batch_size=2, max_actions=2), ev, check_mode=True)
    assert ctx.lines[1] == ('Plan (check mode: nothing will change): 2 host actions in 1 batch, 0 VM actions '
                            '(0 predicted after host upgrades), 1 deferred by the cap, 0 blocked by pre-flight checks')
    ctx = Recorder()
    _steps.step_plan(ctx, inputs_for(tmp_path, remediate=True, batch_size=1, max_actions=0), ev)
    assert ctx.lines[1].startswith('Plan: 3 host actions in 3 batches, 0 VM actions')


@pytest.mark.parametrize('maintenance,blocked', [
    ({'changed': False, 'config_values': {'host.host.maintenance.policy': 'StopVmOnMigrationFailure'}}, True),
    ({'changed': False, 'config_values': {'host.host.maintenance.policy': 'JustMigrate'}}, False),
    # the configuration was not found: the policy that may stop VMs is assumed
    ({'changed': False, 'config_values': {}}, True),
    # not read (the hosts do not enter maintenance): nothing to refuse
    ({'changed': False, 'skipped': True}, False),
    (None, False),
])
def test_plan_reads_the_maintenance_policy_from_its_registered_result(tmp_path, maintenance, blocked):
    inputs = inputs_for(tmp_path, host_maintenance=True)
    plan = _steps.step_plan(Recorder(), inputs, evaluated(), maintenance=maintenance)['output']
    assert plan['counts']['blocked'] == (1 if blocked else 0)
    assert plan['counts']['host_actions'] == (0 if blocked else 1)
    if blocked:
        assert 'StopVmOnMigrationFailure' in plan['blocked'][0]['blocked_reason']
    # the inputs themselves are not changed
    assert inputs['options']['maintenance_policy'] is None


def test_vm_phase_spends_what_is_left_of_the_cap(tmp_path):
    hosts, vms, info = fleet()
    info[u(22)] = verdict(22, 'vm', 'Unmatched', OLD, NEW)
    ev = evaluate(info, build_scope(hosts, vms))
    inputs = inputs_for(tmp_path, max_actions=3)
    # two actions taken (one failed counts too), one refused by the cap (does not)
    actions = [{'uuid': u(1), 'status': 'ok'}, {'uuid': u(3), 'status': 'failed'}, {'uuid': u(4), 'status': 'skipped'}]
    ctx = Recorder()
    plan = _steps.step_plan(ctx, dict(inputs, options=dict(inputs['options'], failure_budget=1)), ev, phase='vms',
                            actions=actions)['output']
    assert plan['counts']['vm_actions'] == 1 and plan['counts']['deferred'] == 1
    assert ctx.lines[0] == 'VM phase: 1 VM action'
    assert ctx.lines[1:] == ['  ' + line for line in plan['lines']]
    # no actions yet: the whole cap
    assert _steps.step_plan(Recorder(), inputs, ev, phase='vms', actions=[])['output']['counts']['vm_actions'] == 2


# ------------------------------------------------------------------ gate
HOST_ACTION = {'uuid': u(1), 'name': 'kvm-1', 'resource_type': 'host', 'action': 'update_cluster_os', 'order': 1}
VM_ACTION = {'uuid': u(11), 'name': 'vm-1', 'resource_type': 'vm', 'action': 'migrate', 'order': 2, 'host_uuid': u(1),
             'require_version': NEW}


def test_gate_opens_for_a_host_that_passes_its_preflight(tmp_path):
    ctx = Recorder(start=500.0)
    out = _steps.step_gate(ctx, inputs_for(tmp_path), HOST_ACTION, [], host={'hosts': [host(1)]})
    gate = out['output']
    assert gate['allowed'] is True and gate['reason'] is None and gate['started'] == 500.0 and gate['how'] is None
    assert gate['host'] == {'uuid': u(1), 'name': 'host-1', 'state': 'Enabled', 'status': 'Connected',
                            'managementIp': '10.0.0.1', 'clusterUuid': u(1001), 'zoneUuid': u(2001)}
    assert out['actions'] == []


@pytest.mark.parametrize('found,fragment', [
    ([host(1, state='Maintenance')], 'pre-flight: host is in state Maintenance'),
    ([host(1, status='Disconnected')], 'pre-flight: host is Disconnected, not Connected'),
    ([], 'pre-flight: host no longer exists'),
])
def test_gate_refuses_a_host_that_fails_its_preflight_and_records_it_skipped(tmp_path, found, fragment):
    earlier = [dict(HOST_ACTION, uuid=u(9), status='ok')]
    out = _steps.step_gate(Recorder(start=700.0), inputs_for(tmp_path), HOST_ACTION, earlier, host={'hosts': found})
    gate = out['output']
    assert gate['allowed'] is False and gate['reason'].startswith(fragment)
    assert out['actions'][:1] == earlier
    assert out['actions'][1] == dict(HOST_ACTION, status='skipped', message=gate['reason'], steps=[], job_uuids=[], seconds=0)


def test_gate_refuses_maintenance_that_may_stop_vms(tmp_path):
    inputs = inputs_for(tmp_path, host_maintenance=True)
    inputs = dict(inputs, options=dict(inputs['options'], maintenance_policy='StopVmOnMigrationFailure'))
    gate = _steps.step_gate(Recorder(), inputs, HOST_ACTION, [], host={'hosts': [host(1)]})['output']
    assert gate['allowed'] is False and 'virtualizer_compliance_allow_vm_stop_on_maintenance' in gate['reason']


def test_gate_cap_and_budget_are_checked_before_the_preflight(tmp_path):
    done = [dict(HOST_ACTION, uuid=u(n), status='ok') for n in (5, 6)]
    out = _steps.step_gate(Recorder(), inputs_for(tmp_path, max_actions=2), HOST_ACTION, done, host={'hosts': []})
    assert out['output']['allowed'] is False
    assert out['output']['reason'] == 'the cap of 2 actions per run (virtualizer_compliance_max_actions) is reached'
    assert [a['status'] for a in out['actions']] == ['ok', 'ok', 'skipped']
    failed = [dict(HOST_ACTION, uuid=u(5), status='failed')]
    out = _steps.step_gate(Recorder(), inputs_for(tmp_path), VM_ACTION, failed, candidates={'destination_host_uuid': u(2)})
    assert out['output']['allowed'] is False and 'failure budget of 0' in out['output']['reason']
    assert out['output']['how'] is None
    assert out['actions'][-1]['uuid'] == u(11) and out['actions'][-1]['status'] == 'skipped'


def test_gate_vm_migrates_to_the_candidate(tmp_path):
    candidates = {'changed': False, 'source_host_uuid': u(1), 'destination_host_uuid': u(2), 'candidates': [u(2)]}
    out = _steps.step_gate(Recorder(), inputs_for(tmp_path), VM_ACTION, [], candidates=candidates)
    assert out['output']['allowed'] is True and out['output']['how'] == 'migrate'
    assert out['output']['destination_host_uuid'] == u(2) and out['actions'] == []


def test_gate_vm_without_candidate_is_refused_or_rebooted_when_allowed(tmp_path):
    candidates = {'failed': True, 'msg': 'no host runs qemu-kvm %s' % NEW}
    out = _steps.step_gate(Recorder(), inputs_for(tmp_path), VM_ACTION, [], candidates=candidates)
    assert out['output']['allowed'] is False and out['output']['how'] is None
    assert out['output']['reason'] == 'pre-flight: no migration candidate: no host runs qemu-kvm %s' % NEW
    assert out['actions'][0]['status'] == 'skipped' and out['actions'][0]['message'] == out['output']['reason']
    out = _steps.step_gate(Recorder(), inputs_for(tmp_path), VM_ACTION, [], candidates={})
    assert out['output']['reason'] == 'pre-flight: no migration candidate: none found'
    inputs = inputs_for(tmp_path, vm_reboot_fallback=True, allow_vm_downtime=True)
    out = _steps.step_gate(Recorder(), inputs, VM_ACTION, [], candidates=candidates)
    assert out['output']['allowed'] is True and out['output']['how'] == 'reboot' and out['actions'] == []


def test_gate_vm_reboot_needs_no_candidate(tmp_path):
    inputs = inputs_for(tmp_path, vm_method='reboot', allow_vm_downtime=True)
    out = _steps.step_gate(Recorder(), inputs, dict(VM_ACTION, action='reboot'), [], candidates={'skipped': True})
    assert out['output']['allowed'] is True and out['output']['how'] == 'reboot'
    assert out['output']['destination_host_uuid'] is None


def test_gate_reads_the_host_again_once_the_cap_and_budget_let_it_run(tmp_path):
    ctx = Recorder(results=[{'changed': False, 'hosts': [host(1, status='Disconnected')]}])
    out = _steps.step_gate(ctx, inputs_for(tmp_path), HOST_ACTION, [])
    assert ctx.calls == [(_steps.HOST_INFO, {'fields': HOST_FIELDS, 'uuids': [u(1)]})]
    assert out['output']['allowed'] is False and out['output']['reason'].startswith('pre-flight: host is Disconnected, not Connected')
    # the budget is spent: nothing is read
    ctx = Recorder(results=[AssertionError])
    out = _steps.step_gate(ctx, inputs_for(tmp_path), HOST_ACTION, [dict(HOST_ACTION, uuid=u(5), status='failed')])
    assert ctx.calls == [] and 'failure budget' in out['output']['reason']
    # a failed read fails the step, naming the host
    ctx = Recorder(results=[{'failed': True, 'msg': 'Session expired'}])
    with pytest.raises(_steps.StepFailed) as exc:
        _steps.step_gate(ctx, inputs_for(tmp_path), HOST_ACTION, [])
    assert str(exc.value) == ('the pre-flight read of host kvm-1 (%s): zstack.cloud.zstack_host_info failed: Session expired'
                              % u(1))


def test_gate_asks_for_migration_candidates_in_check_mode(tmp_path):
    ctx = Recorder(results=[{'changed': True, 'destination_host_uuid': u(2), 'candidates': [u(2)]}])
    out = _steps.step_gate(ctx, inputs_for(tmp_path), VM_ACTION, [])
    assert ctx.calls == [(_steps.VM_MIGRATION, {'uuid': u(11), 'require_version': NEW}, 'check_mode')]
    assert out['output']['how'] == 'migrate' and out['output']['destination_host_uuid'] == u(2)
    # no candidate: the module's failure is the pre-flight's answer, not the step's
    ctx = Recorder(results=[{'failed': True, 'msg': 'no candidate host runs %s' % NEW}])
    out = _steps.step_gate(ctx, inputs_for(tmp_path), dict(VM_ACTION, require_version=None), [])
    assert ctx.calls == [(_steps.VM_MIGRATION, {'uuid': u(11)}, 'check_mode')]
    assert out['output']['reason'] == 'pre-flight: no migration candidate: no candidate host runs %s' % NEW
    assert out['actions'][0]['status'] == 'skipped'
    # a reboot needs no candidate
    ctx = Recorder(results=[AssertionError])
    inputs = inputs_for(tmp_path, vm_method='reboot', allow_vm_downtime=True)
    assert _steps.step_gate(ctx, inputs, dict(VM_ACTION, action='reboot'), [])['output']['how'] == 'reboot'
    assert ctx.calls == []


# ------------------------------------------------------------------ record
def _host_results():
    maintenance = {'changed': True, 'host': {'uuid': u(1)}, 'actions': [{'action': 'changeHostState', 'job_uuid': u(501)}]}
    upgrade = {'changed': True, 'request': {'updateClusterOS': {'hostUuid': u(1)}}, 'job_uuid': u(502),
               'long_job': {'uuid': u(503), 'state': 'Succeeded'}}
    reconnect = {'changed': True, 'host': {'uuid': u(1)},
                 'actions': [{'action': 'changeHostState', 'job_uuid': u(504)}, {'action': 'reconnectHost', 'job_uuid': u(505)}]}
    return maintenance, upgrade, reconnect


def test_record_lists_the_steps_in_order_with_their_jobs(tmp_path):
    maintenance, upgrade, reconnect = _host_results()
    gate = {'allowed': True, 'started': 1000.0}
    ctx = Recorder(start=1012.34)
    out = _steps.step_record(ctx, inputs_for(tmp_path), HOST_ACTION, [], gate, 'ok', message='upgraded and reconnected',
                             results=[maintenance, upgrade], steps=[{'action': 'tasks_file', 'job_uuid': None}],
                             then=[reconnect])['output']
    assert len(out) == 1
    entry = out[0]
    assert [s['action'] for s in entry['steps']] == [
        'changeHostState', 'updateClusterOS', 'tasks_file', 'changeHostState', 'reconnectHost']
    assert entry['job_uuids'] == [u(501), u(502), u(504), u(505)]
    assert entry['steps'][1]['long_job_uuid'] == u(503)
    assert entry['status'] == 'ok' and entry['message'] == 'upgraded and reconnected'
    assert entry['seconds'] == 12.3
    assert dict((k, entry[k]) for k in HOST_ACTION) == HOST_ACTION


def test_record_ignores_results_left_by_another_resource(tmp_path):
    maintenance, upgrade, reconnect = _host_results()
    # the registered variables of a loop still hold the previous host's results, or a skipped task's
    stale = [{'changed': True, 'host': {'uuid': u(2)}, 'actions': [{'action': 'changeHostState', 'job_uuid': u(601)}]},
             {'changed': True, 'request': {'updateClusterOS': {'hostUuid': u(2)}}, 'job_uuid': u(602), 'long_job': {}}]
    out = _steps.step_record(Recorder(), inputs_for(tmp_path), HOST_ACTION, [], {'started': 0}, 'ok',
                             results=stale + [{'skipped': True, 'changed': False}, upgrade],
                             then=[dict(reconnect, host={'uuid': u(2)})])['output']
    assert out[0]['job_uuids'] == [u(502)]
    assert out[0]['message'] == 'ok'


def test_record_of_a_migrated_vm_says_from_where_to_where(tmp_path):
    hosts, vms, _info = fleet()
    scope = build_scope(hosts, vms)
    migrated = {'changed': True, 'vm_instance': {'uuid': u(11)}, 'source_host_uuid': u(1), 'destination_host_uuid': u(2),
                'actions': [{'action': 'migrateVm', 'job_uuid': u(701)}]}
    gate = {'allowed': True, 'started': 10.0, 'how': 'migrate'}
    out = _steps.step_record(Recorder(start=13.0), inputs_for(tmp_path), VM_ACTION, [{'uuid': u(1), 'status': 'ok'}], gate,
                             'ok', results=[migrated, {'skipped': True}], scope=scope)['output']
    assert out[0] == {'uuid': u(1), 'status': 'ok'}
    assert out[1]['message'] == 'migrated from kvm-1 (%s) to kvm-2 (%s)' % (u(1), u(2))
    assert out[1]['job_uuids'] == [u(701)] and out[1]['seconds'] == 3.0
    # a host the scope does not know is shown by its UUID
    out = _steps.step_record(Recorder(), inputs_for(tmp_path), VM_ACTION, [], gate, 'ok',
                             results=[dict(migrated, destination_host_uuid=u(8))], scope=scope)['output']
    assert out[0]['message'] == 'migrated from kvm-1 (%s) to %s' % (u(1), u(8))


def test_record_of_a_rebooted_vm(tmp_path):
    rebooted = {'changed': True, 'vm_instance': {'uuid': u(11)}, 'actions': [{'action': 'rebootVmInstance', 'job_uuid': u(801)}]}
    out = _steps.step_record(Recorder(), inputs_for(tmp_path), VM_ACTION, [], {'started': 0, 'how': 'reboot'}, 'ok',
                             results=[{'skipped': True}, rebooted])['output']
    assert out[0]['message'] == 'rebooted' and out[0]['job_uuids'] == [u(801)]


def test_record_of_a_failure_and_the_restored_state(tmp_path):
    maintenance, _upgrade, _reconnect = _host_results()
    failure = {'task': 'Upgrade qemu-kvm on the host', 'result': {'failed': True, 'msg': 'UpdateClusterOS failed: disk full',
                                                                  'error': {'job_uuid': u(902)}}}
    restore = {'state': 'Enabled', 'result': {'changed': True, 'host': {'uuid': u(1)},
                                              'actions': [{'action': 'changeHostState', 'job_uuid': u(903)}]}}
    out = _steps.step_record(Recorder(start=30.0), inputs_for(tmp_path), HOST_ACTION, [], {'started': 0.0}, 'failed',
                             results=[maintenance, {'skipped': True}], failure=failure, restore=restore)['output']
    entry = out[0]
    assert entry['status'] == 'failed'
    assert entry['message'] == 'UpdateClusterOS failed: disk full; previous state Enabled restored'
    assert entry['steps'] == [{'action': 'changeHostState', 'job_uuid': u(501)},
                              {'action': 'failed', 'task': 'Upgrade qemu-kvm on the host', 'job_uuid': u(902)},
                              {'action': 'changeHostState', 'job_uuid': u(903)}]
    assert entry['job_uuids'] == [u(501), u(902), u(903)] and entry['seconds'] == 30.0


def test_record_of_a_failure_whose_restore_failed_too(tmp_path):
    failure = {'task': None, 'result': {}}
    restore = {'state': 'Disabled', 'result': {'failed': True, 'msg': 'host is Disconnected'}}
    out = _steps.step_record(Recorder(), inputs_for(tmp_path), HOST_ACTION, [], {'started': 0}, 'failed', message='while upgrading',
                             failure=failure, restore=restore)['output']
    assert out[0]['message'] == 'failed; while upgrading; could not restore state Disabled: host is Disconnected'
    assert out[0]['steps'] == [{'action': 'failed', 'task': None, 'job_uuid': None}] and out[0]['job_uuids'] == []


def test_record_without_a_gate_takes_no_time(tmp_path):
    out = _steps.step_record(Recorder(), inputs_for(tmp_path), HOST_ACTION, [], None, 'skipped', message='not needed')['output']
    assert out[0]['seconds'] == 0 and out[0]['message'] == 'not needed'


# ------------------------------------------------------------------ verify
def _info(entries):
    return {'changed': False, 'virtualizer_info': dict((e['uuid'], e) for e in entries)}


def test_verify_without_remediated_resources_reads_nothing(tmp_path):
    ctx = Recorder(results=[AssertionError])
    out = _steps.step_verify(ctx, inputs_for(tmp_path), [{'uuid': u(1), 'status': 'failed'}, {'uuid': u(2), 'status': 'skipped'}])
    assert out['output'] == {'remediated': 0, 'verified': [], 'pending': [], 'seconds': 0}
    assert ctx.calls == [] and ctx.lines == [] and ctx.warnings == []


def test_verify_waits_for_matched_against_the_version_each_needed(tmp_path):
    actions = [dict(HOST_ACTION, status='ok'), dict(VM_ACTION, status='ok', require_version=NEWER),
               dict(VM_ACTION, uuid=u(12), status='failed')]
    reads = [
        _info([verdict(1, 'host', 'Unmatched', OLD, NEW), verdict(11, 'vm', 'Unmatched', OLD, NEWER)]),
        # the VM is Matched, but against NEW: its new host runs the wrong qemu-kvm yet
        _info([verdict(1, 'host', 'Matched'), verdict(11, 'vm', 'Matched', NEW, NEW)]),
        _info([verdict(1, 'host', 'Matched'), verdict(11, 'vm', 'Matched', NEWER, NEWER)]),
    ]
    ctx = Recorder(start=100.0, results=reads)
    out = _steps.step_verify(ctx, inputs_for(tmp_path, verify_interval=10, verify_timeout=600), actions,
                             connection={'api_url': 'http://zstack.example.com:8080'})['output']
    assert out == {'remediated': 2, 'verified': [u(1), u(11)], 'pending': [], 'seconds': 20.0}
    assert ctx.calls == [('zstack.cloud.zstack_virtualizer_info',
                          {'api_url': 'http://zstack.example.com:8080', 'uuids': [u(1), u(11)], 'output': 'facts',
                           'on_batch_error': 'fail'})] * 3
    assert ctx.slept == [10, 10]
    assert ctx.warnings == []
    # a progress line at once, one when the host is Matched 10 s later, none when all are (the step ends)
    assert ctx.lines == [
        'verify: waiting for 2 of 2 remediated resources (host kvm-1 (%s), VM vm-1 (%s)): not Matched yet; '
        '0s elapsed, deadline in 600s' % (u(1), u(11)),
        'verify: waiting for 1 of 2 remediated resources (VM vm-1 (%s)): not Matched yet; 10s elapsed, deadline in 590s' % u(11)]


def test_verify_then_reads_the_whole_scope_again(tmp_path):
    hosts, vms, info = fleet()
    scope = build_scope(hosts, vms)
    info = dict(info)
    info[u(1)] = verdict(1, 'host', 'Matched')
    ctx = zstack(hosts, vms, info)
    inputs = inputs_for(tmp_path, on_batch_error='report')
    out = _steps.step_verify(ctx, inputs, [dict(HOST_ACTION, status='ok')], scope=scope)
    assert out['output']['verified'] == [u(1)]
    assert reads(ctx) == [
        (_steps.VIRTUALIZER_INFO, {'uuids': [u(1)], 'output': 'facts', 'on_batch_error': 'report'}),
        (_steps.HOST_INFO, {'fields': HOST_FIELDS, 'uuids': scope['host_uuids']}),
        (_steps.VM_INFO, {'fields': VM_FIELDS, 'uuids': scope['vm_uuids']}),
        (_steps.VIRTUALIZER_INFO, {'uuids': scope['uuids'], 'output': 'grouped', 'on_batch_error': 'report'}),
    ]
    assert out['after']['summary'] == evaluate(info, scope)['summary']
    assert out['after']['resources'][u(1)]['verdict'] == 'Matched'
    # nothing remediated: nothing read, the first evaluation stands
    ctx = zstack(hosts, vms, info)
    out = _steps.step_verify(ctx, inputs, [dict(HOST_ACTION, status='skipped')], scope=scope)
    assert out['after'] is None and reads(ctx) == []


def test_verify_progress_lines_come_every_15_seconds(tmp_path):
    ctx = Recorder(start=0.0, results=[_info([verdict(1, 'host', 'Unmatched', OLD, NEW)])])
    out = _steps.step_verify(ctx, inputs_for(tmp_path, verify_interval=5, verify_timeout=40), [dict(HOST_ACTION, status='ok')])
    elapsed = [int(line.split('; ')[1].split('s elapsed')[0]) for line in ctx.lines]
    assert elapsed == [0, 15, 30]
    assert ctx.slept == [5] * 8 and len(ctx.calls) == 9  # reads at 0, 5, ..., 40 (the deadline); 40 + 5 is past it
    assert out['output']['pending'] == [u(1)] and out['output']['seconds'] == 40.0


def test_verify_deadline_warns_naming_the_pending_uuids(tmp_path):
    actions = [dict(HOST_ACTION, status='ok'), dict(VM_ACTION, status='ok', require_version=NEWER),
               dict(VM_ACTION, uuid=u(12), status='ok', require_version=NEW)]
    read = _info([verdict(1, 'host', 'Unmatched', OLD, NEW), verdict(11, 'vm', 'Matched', NEW, NEW),
                  verdict(12, 'vm', 'Matched', NEW, NEW)])
    ctx = Recorder(results=[read])
    out = _steps.step_verify(ctx, inputs_for(tmp_path, verify_interval=10, verify_timeout=30), actions)['output']
    assert out['pending'] == [u(1), u(11)] and out['verified'] == [u(12)] and out['remediated'] == 3
    assert ctx.warnings == ['Still not verified after 30 s: %s: Unmatched; %s: Matched against %s, needed %s' % (
        u(1), u(11), NEW, NEWER)]
    assert len(ctx.calls) == 4  # at 0, 10, 20 and 30 s (the deadline); 30 + 10 is past it


def test_verify_with_no_time_reads_once(tmp_path):
    ctx = Recorder(results=[_info([])])
    out = _steps.step_verify(ctx, inputs_for(tmp_path, verify_timeout=0), [dict(HOST_ACTION, status='ok')])['output']
    assert len(ctx.calls) == 1 and ctx.slept == [] and out['pending'] == [u(1)]
    assert ctx.warnings == ['Still not verified after 0 s: %s: None' % u(1)]


def test_verify_module_failure_fails_the_step(tmp_path):
    ctx = Recorder(results=[{'failed': True, 'msg': 'ZStack answered 503'}])
    with pytest.raises(_steps.StepFailed) as info:
        _steps.step_verify(ctx, inputs_for(tmp_path), [dict(HOST_ACTION, status='ok')])
    assert str(info.value) == 'verification: zstack.cloud.zstack_virtualizer_info failed: ZStack answered 503'


# ------------------------------------------------------------------ result
def _result_inputs(tmp_path, **changes):
    return inputs_for(tmp_path, report_dir=str(tmp_path / 'reports'), **changes)


def test_result_writes_the_reports_and_shows_the_table(tmp_path):
    ev = evaluated()
    plan = build_plan(ev)
    inputs = _result_inputs(tmp_path, remediate=True)
    ctx = Recorder(start=START + 60)
    out = _steps.step_result(ctx, inputs, ev, plan, [], vm_plan={'vm_actions': []}, check_mode=True)
    res = out['output']
    assert out['changed'] is True
    expected = build_result(ev, None, dict(plan, vm_phase={'vm_actions': []}), [], check_mode=True, remediate=True,
                            started_at='2026-01-01T00:00:00Z', finished_at='2026-01-01T00:01:00Z', reports=inputs['reports'])
    assert res == dict(expected, audit=inputs['audit'], names={}, drift=None)
    assert sorted(os.listdir(str(tmp_path / 'reports'))) == ['virtualizer-compliance.html', 'virtualizer-compliance.json',
                                                             'virtualizer-compliance.junit.xml']
    with open(inputs['reports']['json'], encoding='utf-8') as handle:
        assert json.load(handle) == json.loads(json.dumps(report_document(res), default=str))
    assert oct(os.stat(inputs['reports']['html']).st_mode & 0o777) == '0o644'
    table = table_lines(res, max_lines=200)
    assert ctx.lines == table + ['report: %s' % inputs['reports'][f] for f in ('json', 'junit', 'html')]


def test_result_changes_nothing_when_the_reports_hold_it_already(tmp_path):
    ev = evaluated()
    inputs = _result_inputs(tmp_path, previous_report='none')
    assert _steps.step_result(Recorder(start=START), inputs, ev, {}, [])['changed'] is True
    stamps = dict((p, os.stat(p).st_ino) for p in inputs['reports'].values())
    assert _steps.step_result(Recorder(start=START), inputs, ev, {}, [])['changed'] is False
    assert stamps == dict((p, os.stat(p).st_ino) for p in inputs['reports'].values())
    # another finish time is another content (each report shows it): each is replaced as a whole (a new
    # file renamed over the old one)
    assert _steps.step_result(Recorder(start=START + 1), inputs, ev, {}, [])['changed'] is True
    replaced = dict((f, os.stat(p).st_ino != stamps[p]) for f, p in inputs['reports'].items())
    assert replaced == {'json': True, 'html': True, 'junit': True}
    assert sorted(os.listdir(inputs['report_dir'])) == sorted(os.path.basename(p) for p in inputs['reports'].values())


def test_result_leaves_no_partial_report_when_writing_fails(tmp_path, monkeypatch):
    ev = evaluated()
    inputs = _result_inputs(tmp_path, report_formats=['json'])
    _steps.step_result(Recorder(start=START), inputs, ev, {}, [])
    with open(inputs['reports']['json'], encoding='utf-8') as handle:
        before = handle.read()

    def broken(src, dst):
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(_steps.os, 'replace', broken)
    with pytest.raises(OSError):
        _steps.step_result(Recorder(start=START + 5), inputs, ev, {}, [])
    with open(inputs['reports']['json'], encoding='utf-8') as handle:
        assert handle.read() == before
    assert os.listdir(inputs['report_dir']) == ['virtualizer-compliance.json']


def test_result_without_reports_writes_nothing(tmp_path):
    inputs = _result_inputs(tmp_path, report_formats=[])
    ctx = Recorder()
    out = _steps.step_result(ctx, inputs, evaluated(), {}, [])
    assert out['changed'] is False and out['output']['reports'] == {}
    assert not (tmp_path / 'reports').exists()
    assert not [line for line in ctx.lines if line.startswith('report: ')]


def test_result_keeps_before_and_after(tmp_path):
    hosts, vms, info = fleet()
    before = evaluate(info, build_scope(hosts, vms))
    after = evaluate(dict(info, **{u(1): verdict(1, 'host', 'Matched')}), build_scope(hosts, vms))
    action = dict(HOST_ACTION, status='ok', job_uuids=[u(501)], seconds=3.0, message='upgraded')
    ctx = Recorder()
    res = _steps.step_result(ctx, _result_inputs(tmp_path, report_formats=[]), before, build_plan(before), [action],
                             after=after)['output']
    assert res['resources'][u(1)]['before']['verdict'] == 'Unmatched' and res['resources'][u(1)]['after']['verdict'] == 'Matched'
    assert res['summary']['actions'] == {'ok': 1, 'failed': 0, 'skipped': 0}
    assert 'Unmatched->Matched' in [line for line in ctx.lines if u(1) in line][0]


# ------------------------------------------------------------------ conclude
def test_conclude_compliant(tmp_path):
    hosts = [host(1)]
    ev = evaluate({u(1): verdict(1, 'host', 'Matched')}, build_scope(hosts))
    ctx = Recorder()
    assert _steps.step_conclude(ctx, inputs_for(tmp_path), build_result(ev))['output'] is True
    assert ctx.lines == ['All 1 resources are compliant'] and ctx.warnings == []


def test_conclude_fails_on_a_non_compliant_fleet(tmp_path):
    res = build_result(evaluated())
    ctx = Recorder()
    with pytest.raises(_steps.StepFailed) as info:
        _steps.step_conclude(ctx, inputs_for(tmp_path), res)
    assert str(info.value).startswith('3 of 9 resources fail the compliance policy (1 more with a warning, not failing):')
    for entry in res['failing']:
        assert entry['uuid'] in str(info.value)
    assert ctx.warnings == []


def test_conclude_warns_when_told_to(tmp_path):
    res = build_result(evaluated())
    ctx = Recorder()
    assert _steps.step_conclude(ctx, inputs_for(tmp_path, on_noncompliance='warn'), res)['output'] is False
    assert len(ctx.warnings) == 1
    assert ctx.warnings[0].startswith('3 of 9 resources fail the compliance policy (1 more with a warning, not failing):')
    assert ctx.warnings[0].endswith('\n(virtualizer_compliance_on_noncompliance=warn: the play goes on)')


# ------------------------------------------------------------------ run
def test_run_dispatches_by_name_and_refuses_inputs_that_are_not_validated(tmp_path):
    ev = evaluated()
    arguments = {'inputs': inputs_for(tmp_path, on_noncompliance='warn'), 'result': build_result(ev)}
    assert _steps.run('conclude', Recorder(), arguments) == {'output': False}
    with pytest.raises(ComplianceError, match='inputs must be the output of the validate step'):
        _steps.run('evaluate', Recorder(), {'inputs': 'fail', 'virtualizer_info': {}, 'scope': None})
    assert sorted(_steps.STEPS) == sorted(['validate', 'assess', 'rescan', 'scope', 'evaluate', 'plan', 'gate', 'record', 'verify',
                                           'result', 'conclude'])


def test_the_base_context_has_a_real_clock_and_needs_the_rest():
    ctx = _steps.Context()
    assert abs(ctx.now() - __import__('time').time()) < 5
    for call in (lambda: ctx.display('x'), lambda: ctx.warn('x'), lambda: ctx.run_module('m', {})):
        with pytest.raises(NotImplementedError):
            call()


# ------------------------------------------------------------------ result: names, audit, since the last run
def _changed_fleet():
    """This run's evaluation after one more failing resource, and the previous run's (of the same fleet)."""
    previous = evaluated()
    now = evaluated(policy={'no_record': 'fail'})
    return previous, now


def test_result_carries_audit_and_names(tmp_path):
    inputs = _result_inputs(tmp_path, previous_report='none', credentials={'account_name': 'admin', 'password': True})
    names = {u(2001): 'zone-A', u(2002): 'cluster-A'}
    res = _steps.step_result(Recorder(start=START), inputs, evaluated(), {}, [], names=names)['output']
    assert res['audit']['auth'] == 'account' and res['audit']['principal'] == 'admin'
    assert res['names'] == names and res['drift'] is None
    with open(inputs['reports']['json'], encoding='utf-8') as handle:
        document = json.load(handle)
    assert document['schema_version'] == 2 and document['audit']['principal'] == 'admin'
    assert document['names'][u(2001)] == 'zone-A'


def test_result_compares_with_the_newest_report_in_the_directory(tmp_path):
    previous, now = _changed_fleet()
    inputs = _result_inputs(tmp_path)
    first = _steps.step_result(Recorder(start=START), inputs, previous, {}, [])
    assert first['output']['drift'] is None  # nothing to compare the first time
    # a JSON file that is not a compliance report, newer than the report, is passed over
    stray = os.path.join(inputs['report_dir'], 'zz-other.json')
    with open(stray, 'w', encoding='utf-8') as handle:
        handle.write('{"not": "a report"}')
    os.utime(stray, (START + 3600, START + 3600))
    ctx = Recorder(start=START + 60)
    res = _steps.step_result(ctx, inputs, now, {}, [])['output']
    drift = res['drift']
    newly = [item['uuid'] for item in drift['newly_failing']]
    assert newly and drift['fixed'] == [] and drift['new'] == [] and drift['gone'] == []
    assert drift['since'] == first['output']['finished_at']
    head = 'Since the report of %s (%s): %d newly failing, 0 fixed, 0 new, 0 gone' % (
        drift['since'], inputs['reports']['json'], len(newly))
    assert ctx.lines[-4 - len(newly)] == head
    shown = ctx.lines[-3 - len(newly):-3]
    assert [line.startswith('  newly failing: ') for line in shown] == [True] * len(newly)
    assert [uuid for uuid in newly if any('(%s)' % uuid in line for line in shown)] == newly
    with open(inputs['reports']['json'], encoding='utf-8') as handle:
        assert [item['uuid'] for item in json.load(handle)['drift']['newly_failing']] == newly


def test_result_compares_with_a_named_report_and_refuses_one_that_is_not(tmp_path):
    previous, now = _changed_fleet()
    old = tmp_path / 'old'
    old.mkdir()
    kept = _steps.step_result(Recorder(start=START), inputs_for(old, report_dir=str(old), previous_report='none'),
                              previous, {}, [])['output']
    inputs = _result_inputs(tmp_path, previous_report=kept['reports']['json'])
    res = _steps.step_result(Recorder(start=START + 60), inputs, now, {}, [])['output']
    assert res['drift']['newly_failing']
    bogus = tmp_path / 'bogus.json'
    bogus.write_text('[1, 2]')
    with pytest.raises(ComplianceError) as info:
        _steps.step_result(Recorder(start=START), _result_inputs(tmp_path, previous_report=str(bogus)), now, {}, [])
    assert str(info.value) == ('virtualizer_compliance_previous_report %s is not a virtualizer compliance report (no resources '
                               'and summary): give the JSON report of an earlier run, auto or none' % bogus)
