# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of plugin_utils/_plan.py: options, pre-flight checks, plan ordering, batches, the cap, plan lines."""

from __future__ import annotations

import pytest

from ansible_collections.zstack.cloud.plugins.plugin_utils._common import ComplianceError
from ansible_collections.zstack.cloud.plugins.plugin_utils._plan import MAX_PLAN_LINES, build_plan, check_options, host_preflight
from ansible_collections.zstack.cloud.plugins.plugin_utils._policy import evaluate
from ansible_collections.zstack.cloud.plugins.plugin_utils._scope import build_scope
from ansible_collections.zstack.cloud.tests.unit.plugins.plugin_utils.compliance_fleet import (
    NEW,
    NEWER,
    OLD,
    evaluated,
    fleet,
    host,
    u,
    verdict,
    vm,
)


def test_plan_orders_hosts_then_vms_and_predicts_the_vms_of_upgraded_hosts():
    plan = build_plan(evaluated())
    assert [a['uuid'] for b in plan['host_batches'] for a in b] == [u(1)]
    vm_uuids = [a['uuid'] for a in plan['vm_actions']]
    assert set(vm_uuids) == {u(11), u(12), u(21)}
    predicted = {a['uuid'] for a in plan['vm_actions'] if a['predicted']}
    assert predicted == {u(11), u(12)}
    orders = [a['order'] for b in plan['host_batches'] for a in b] + [a['order'] for a in plan['vm_actions']]
    assert orders == list(range(1, len(orders) + 1))
    assert all(a['require_version'] == NEW for a in plan['vm_actions'] if a['host_uuid'] == u(1))
    assert plan['counts']['total'] == 4
    assert plan['lines'][0].startswith('1. batch 1: host kvm-1')


def test_a_vm_requires_its_own_expect_version_and_a_predicted_one_its_upgraded_hosts():
    hosts, vms, info = fleet()
    # vm-1 on kvm-1 (upgraded first) expects OLD now: afterwards it must run kvm-1's expected NEW
    # vm-10 on kvm-2 (Matched, not upgraded) is Unmatched against NEWER: it needs NEWER, not kvm-2's NEW
    info[u(21)] = verdict(21, 'vm', 'Unmatched', OLD, NEWER)
    plan = build_plan(evaluate(info, build_scope(hosts, vms)))
    required = dict((a['uuid'], a['require_version']) for a in plan['vm_actions'])
    assert required == {u(11): NEW, u(12): NEW, u(21): NEWER}


def test_a_vm_whose_host_is_out_of_scope_requires_its_own_expect_version():
    # only the VM is in scope: its host (u(7)) is not, and gives no version
    scope = build_scope([], [vm(71, 7, 'lonely')], [u(71)])
    info = {u(71): verdict(71, 'vm', 'Unmatched', OLD, NEWER)}
    plan = build_plan(evaluate(info, scope))
    assert [(a['uuid'], a['predicted'], a['require_version']) for a in plan['vm_actions']] == [(u(71), False, NEWER)]
    # the plan line shows the host by UUID (the scope does not know its name) and the version needed
    assert plan['lines'] == ['1. VM lonely (%s) on host %s: migrate to a host running %s' % (u(71), u(7), NEWER)]
    # with the names the scope step read (the evaluate step passes them on), that host is named
    named = build_plan(dict(evaluate(info, scope), names={u(7): 'kvm-7', u(71): 'lonely'}))
    assert named['lines'] == ['1. VM lonely (%s) on host kvm-7: migrate to a host running %s' % (u(71), NEWER)]


def test_plan_lines_show_a_vms_host_by_name():
    plan = build_plan(evaluated())
    vm_lines = [line for line in plan['lines'] if ' VM ' in line]
    assert '. VM vm-10 (%s) on host kvm-2: migrate to a host running %s' % (u(21), NEW) in vm_lines[-1]
    predicted = [line for line in vm_lines if u(11) in line][0]
    assert 'on host kvm-1: migrate' in predicted and predicted.endswith('(predicted: after its host is upgraded)')


def test_plan_batches():
    hosts = [host(n, cluster=1 + n % 2) for n in range(1, 8)]
    info = dict((h['uuid'], verdict(int(h['uuid'], 16), 'host', 'Unmatched', OLD, NEW)) for h in hosts)
    plan = build_plan(evaluate(info, build_scope(hosts)), {'batch_size': 3})
    assert [len(b) for b in plan['host_batches']] == [3, 3, 1]
    assert [a['batch'] for b in plan['host_batches'] for a in b] == [1, 1, 1, 2, 2, 2, 3]
    # hosts are ordered by zone, cluster, name: the cluster of u(1002) first
    clusters = [a['cluster_uuid'] for b in plan['host_batches'] for a in b]
    assert clusters == sorted(clusters)
    assert plan['counts']['host_batches'] == 3


def test_plan_cap_defers_the_rest_in_order():
    plan = build_plan(evaluated(), {'max_actions': 2})
    assert plan['counts']['total'] == 2
    assert plan['host_batches'][0][0]['uuid'] == u(1)
    assert len(plan['deferred']) == 2
    assert 'virtualizer_compliance_max_actions' in plan['deferred'][0]['deferred_reason']
    assert [line for line in plan['lines'] if line.startswith('deferred: VM ')]


def test_plan_cap_counts_actions_already_taken():
    plan = build_plan(evaluated(), {'max_actions': 3}, phase='vms', actions_taken=2)
    assert plan['counts']['vm_actions'] == 1
    assert plan['host_batches'] == []
    # phase vms plans only VMs Unmatched now (no prediction)
    assert plan['vm_actions'][0]['uuid'] == u(21)
    assert build_plan(evaluated(), {'max_actions': 3}, phase='vms', actions_taken=3)['counts']['deferred'] == 1


def test_plan_phase_hosts():
    plan = build_plan(evaluated(), phase='hosts')
    assert plan['vm_actions'] == [] and plan['counts']['host_actions'] == 1


def test_plan_phase_must_be_known():
    with pytest.raises(ComplianceError, match="phase must be all, hosts or vms, got 'later'"):
        build_plan(evaluated(), phase='later')


def test_plan_blocks_hosts_failing_preflight():
    hosts, vms, info = fleet()
    hosts[0]['state'] = 'Maintenance'
    plan = build_plan(evaluate(info, build_scope(hosts, vms)))
    assert plan['host_batches'] == []
    assert 'enable it first' in plan['blocked'][0]['blocked_reason']
    # no host is upgraded, so no VM is predicted
    assert [a['uuid'] for a in plan['vm_actions']] == [u(21)]
    assert 'blocked: host kvm-1 (%s): host is in state Maintenance' % u(1) in '\n'.join(plan['lines'])
    hosts[0]['state'], hosts[0]['status'] = 'Enabled', 'Disconnected'
    plan = build_plan(evaluate(info, build_scope(hosts, vms)))
    assert 'not Connected' in plan['blocked'][0]['blocked_reason']


def test_plan_refuses_maintenance_that_may_stop_vms():
    opts = {'host_maintenance': True, 'maintenance_policy': 'StopVmOnMigrationFailure'}
    plan = build_plan(evaluated(), opts)
    assert plan['counts']['host_actions'] == 0
    assert 'StopVmOnMigrationFailure' in plan['blocked'][0]['blocked_reason']
    assert 'virtualizer_compliance_allow_vm_stop_on_maintenance=true' in plan['blocked'][0]['blocked_reason']
    plan = build_plan(evaluated(), dict(opts, allow_vm_stop_on_maintenance=True))
    assert plan['counts']['host_actions'] == 1
    plan = build_plan(evaluated(), dict(opts, maintenance_policy='JustMigrate'))
    assert plan['counts']['host_actions'] == 1


@pytest.mark.parametrize('state,status,fragment', [
    ('Enabled', 'Connected', None),
    ('Disabled', 'Connected', None),
    ('Enabled', 'Disconnected', 'host is Disconnected, not Connected'),
    ('PreMaintenance', 'Connected', 'host is in state PreMaintenance'),
    ('Maintenance', 'Connected', 'ChangeHostState enable'),
])
def test_host_preflight(state, status, fragment):
    refusal = host_preflight({'state': state, 'status': status}, check_options({}))
    assert (refusal is None) if fragment is None else (fragment in refusal)


def test_plan_methods_none():
    plan = build_plan(evaluated(), {'host_method': 'none', 'vm_method': 'none'})
    assert plan['counts']['total'] == 0
    assert {e['uuid'] for e in plan['not_remediated']} == {u(1), u(21)}
    assert plan['lines'] == ['nothing to do']


def test_reboot_needs_downtime():
    with pytest.raises(ComplianceError, match='allow_vm_downtime'):
        build_plan(evaluated(), {'vm_method': 'reboot'})
    with pytest.raises(ComplianceError, match='allow_vm_downtime'):
        build_plan(evaluated(), {'vm_reboot_fallback': True})
    plan = build_plan(evaluated(), {'vm_method': 'reboot', 'allow_vm_downtime': True})
    assert {a['action'] for a in plan['vm_actions']} == {'reboot'}


@pytest.mark.parametrize('opts,message', [
    ({'batch_size': 0}, 'virtualizer_compliance_batch_size must be at least 1, got 0'),
    ({'max_actions': -1}, 'virtualizer_compliance_max_actions must be at least 0 (0: no cap), got -1'),
    ({'failure_budget': -2}, 'virtualizer_compliance_failure_budget must be at least 0, got -2'),
    ({'host_method': 'yum'}, "virtualizer_compliance_host_method must be one of update_cluster_os, tasks, playbook, none, got 'yum'"),
    ({'vm_method': 'teleport'}, "virtualizer_compliance_vm_method must be one of migrate, reboot, none, got 'teleport'"),
    ({'batch_size': 'x'}, "virtualizer_compliance_batch_size must be an integer, got 'x'"),
    ({'batch_size': True}, 'virtualizer_compliance_batch_size must be an integer, got True'),
    ({'host_maintenance': 'perhaps'}, "virtualizer_compliance_host_maintenance must be true or false, got 'perhaps'"),
    ({'vm_method': 'reboot'}, 'Set virtualizer_compliance_allow_vm_downtime=true to allow it'),
])
def test_bad_options_name_the_role_variable(opts, message):
    with pytest.raises(ComplianceError) as info:
        check_options(opts)
    assert message in str(info.value)


def test_options_accept_strings_of_numbers_and_booleans():
    opts = check_options({'batch_size': '3', 'max_actions': '0', 'host_maintenance': 'yes', 'allow_vm_downtime': 'no',
                          'failure_budget': None})
    assert (opts['batch_size'], opts['max_actions'], opts['failure_budget']) == (3, 0, 0)
    assert opts['host_maintenance'] is True and opts['allow_vm_downtime'] is False


def test_plan_blocks_vm_not_running():
    hosts, vms, info = fleet()
    scope = build_scope(hosts, vms, [u(99)])
    info[u(99)] = verdict(99, 'vm', 'Unmatched', OLD, NEW)
    plan = build_plan(evaluate(info, scope), phase='vms')
    assert [a['uuid'] for a in plan['blocked']] == [u(99)]
    assert 'the VM is Stopped' in plan['blocked'][0]['blocked_reason']


def test_plan_lines_are_capped():
    hosts = [host(n) for n in range(1, 151)]
    info = dict((h['uuid'], verdict(int(h['uuid'], 16), 'host', 'Unmatched', OLD, NEW)) for h in hosts)
    plan = build_plan(evaluate(info, build_scope(hosts)), {'max_actions': 0})
    assert plan['counts']['host_actions'] == 150
    assert len(plan['lines']) == MAX_PLAN_LINES + 1
    assert plan['lines'][-1] == '... and 50 more plan lines (the reports hold the whole plan)'
