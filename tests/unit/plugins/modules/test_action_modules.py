# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""zstack_host, zstack_vm_instance, zstack_vm_migration and zstack_cluster_os_update against the simulator over HTTP."""

from __future__ import annotations

import json

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.zstack.cloud.plugins.modules import (
    zstack_cluster_os_update,
    zstack_host,
    zstack_vm_instance,
    zstack_vm_migration,
)
from zstack_simulator.fleet import V627, V632, fixed_uuid


def demo(name):
    return fixed_uuid('demo', name)


def job_error(code, details):
    return {'code': code, 'description': 'An operation failed', 'details': details}


# ------------------------------------------------------------------ zstack_host
def test_host_check_mode_makes_no_changing_call(run):
    result = run(zstack_host, check_mode=True, diff=True, uuid=demo('kvm-1'), state='maintenance')
    assert result['changed'] is True
    assert result['actions'] == [{'action': 'changeHostState', 'job_uuid': None, 'seconds': 0.0}]
    assert result['host']['state'] == 'Enabled'
    assert result['diff'] == {'before': {'state': 'Enabled'}, 'after': {'state': 'Maintenance'}}
    assert run.mutating() == 0


def test_host_maintain_is_idempotent_and_moves_vms(run, sim):
    result = run(zstack_host, uuid=demo('kvm-1'), state='maintenance')
    assert result['changed'] is True
    assert result['previous_state'] == 'Enabled'
    assert result['host']['state'] == 'Maintenance'
    assert len(result['actions'][0]['job_uuid']) == 32
    assert not [v for v in sim.backend.vms.values() if v.get('hostUuid') == demo('kvm-1')]
    again = run(zstack_host, uuid=demo('kvm-1'), state='maintenance')
    assert again['changed'] is False
    assert again['actions'] == []


def test_host_pre_maintenance_counts_as_maintenance(run, sim):
    sim.backend.hosts[demo('kvm-2')]['state'] = 'PreMaintenance'
    result = run(zstack_host, uuid=demo('kvm-2'), state='maintenance')
    assert result['changed'] is False
    assert result['previous_state'] == 'PreMaintenance'


def test_host_enable_then_reconnect_in_that_order(run, sim):
    sim.backend.hosts[demo('kvm-3')]['state'] = 'Maintenance'
    result = run(zstack_host, uuid=demo('kvm-3'), state='enabled', reconnect=True)
    assert result['changed'] is True
    assert [a['action'] for a in result['actions']] == ['changeHostState', 'reconnectHost']
    assert all(len(a['job_uuid']) == 32 for a in result['actions'])
    assert result['actions'][0]['job_uuid'] != result['actions'][1]['job_uuid']
    assert result['host']['state'] == 'Enabled'
    assert sim.backend.counters_snapshot()['actions'] == {'changeHostState': 1, 'reconnectHost': 1}


def test_host_reconnect_in_maintenance_fails_before_any_change(run, sim):
    sim.backend.hosts[demo('kvm-3')]['state'] = 'Maintenance'
    result = run(zstack_host, uuid=demo('kvm-3'), reconnect=True)
    assert result['failed'] is True
    assert 'refuses to reconnect' in result['msg']
    assert run.mutating() == 0


def test_host_job_failure_is_reported_once_with_its_job(run, sim):
    sim.backend.add_fault({'action': 'reconnectHost', 'job_error': {
        'code': 'HOST.1002', 'description': 'UNABLE_TO_RECONNECT_HOST', 'details': 'unable to reconnect host'}})
    result = run(zstack_host, uuid=demo('kvm-1'), reconnect=True)
    assert result['failed'] is True
    assert 'HOST.1002' in result['msg']
    assert result['error']['code'] == 'HOST.1002'
    assert len(result['error']['job_uuid']) == 32
    assert 'password' not in result['msg']


def test_host_reconnect_failure_after_a_state_change_names_the_done_job(run, sim):
    sim.backend.hosts[demo('kvm-3')]['state'] = 'Disabled'
    sim.backend.add_fault({'action': 'reconnectHost', 'job_error': {
        'code': 'HOST.1002', 'description': 'UNABLE_TO_RECONNECT_HOST', 'details': 'unable to reconnect host'}})
    result = run(zstack_host, uuid=demo('kvm-3'), state='enabled', reconnect=True)
    assert result['failed'] is True
    assert 'HOST.1002' in result['msg']
    assert 'changeHostState already done in job ' in result['msg']
    assert sim.backend.hosts[demo('kvm-3')]['state'] == 'Enabled'


def test_host_maintain_of_a_disconnected_host_fails_without_a_call(run):
    result = run(zstack_host, uuid=demo('kvm-6'), state='maintenance')
    assert result['failed'] is True
    assert 'Disconnected' in result['msg']
    assert run.mutating() == 0


def test_host_not_found(run):
    result = run(zstack_host, uuid='0123456789abcdef0123456789abcdef', state='enabled')
    assert result['failed'] is True
    assert 'no host with UUID 0123456789abcdef0123456789abcdef' in result['msg']


# ------------------------------------------------------------------ zstack_vm_instance
def test_vm_stop_start_reboot(run, sim):
    vm = demo('vm-1')
    check = run(zstack_vm_instance, check_mode=True, uuid=vm, state='stopped')
    assert check['changed'] is True and check['vm_instance']['state'] == 'Running'
    assert run.mutating() == 0
    stopped = run(zstack_vm_instance, uuid=vm, state='stopped', stop_type='cold')
    assert stopped['changed'] is True
    assert stopped['vm_instance']['state'] == 'Stopped'
    assert run(zstack_vm_instance, uuid=vm, state='stopped')['changed'] is False
    started = run(zstack_vm_instance, uuid=vm, state='running', host_uuid=demo('kvm-2'))
    assert started['changed'] is True
    assert started['previous_state'] == 'Stopped'
    assert started['vm_instance']['hostUuid'] == demo('kvm-2')
    assert run(zstack_vm_instance, uuid=vm, state='running')['changed'] is False
    rebooted = run(zstack_vm_instance, uuid=vm, state='rebooted')
    assert rebooted['changed'] is True
    assert rebooted['actions'][0]['action'] == 'rebootVmInstance'
    assert sim.backend.counters_snapshot()['actions'] == {'stopVmInstance': 1, 'startVmInstance': 1, 'rebootVmInstance': 1}


def test_vm_reboot_refreshes_the_qemu_process(run, sim):
    vm = demo('vm-4')  # runs 627 on kvm-2, which has 632 installed
    assert sim.backend.records[vm] == V627
    run(zstack_vm_instance, uuid=vm, state='rebooted')
    assert sim.backend.records[vm] == V632


def test_vm_running_elsewhere_warns_about_host_uuid(run, monkeypatch):
    # Record warnings at the source: once controller code is imported in this process (the inventory
    # plugin tests do), ansible-core routes module warnings to its Display instead of the result.
    warned = []
    monkeypatch.setattr(AnsibleModule, 'warn', lambda self, msg: warned.append(msg))
    result = run(zstack_vm_instance, uuid=demo('vm-1'), state='running', host_uuid=demo('kvm-2'))
    assert result['changed'] is False
    assert any('zstack_vm_migration' in w for w in warned), warned


def test_vm_reboot_of_stopped_vm_fails_without_a_call(run):
    result = run(zstack_vm_instance, uuid=demo('vm-3'), state='rebooted')
    assert result['failed'] is True
    assert 'vm-3' in result['msg'] and 'Stopped' in result['msg']
    assert run.mutating() == 0


# ------------------------------------------------------------------ zstack_vm_migration
def test_migration_picks_a_host_with_the_required_version(run, sim):
    vm = demo('vm-4')
    check = run(zstack_vm_migration, check_mode=True, uuid=vm, require_version=V632)
    assert check['changed'] is True
    assert run.mutating() == 0
    assert check['source_host_uuid'] == demo('kvm-2')
    assert check['destination_host_uuid'] == demo('kvm-1')
    assert check['candidates'] == [{'uuid': demo('kvm-1'), 'name': 'kvm-1', 'current_version': V632,
                                    'available_memory': check['candidates'][0]['available_memory'],
                                    'selected': True, 'rejected_reason': None}]
    moved = run(zstack_vm_migration, uuid=vm, require_version=V632)
    assert moved['changed'] is True
    assert moved['vm_instance']['hostUuid'] == demo('kvm-1')
    assert moved['actions'][0]['action'] == 'migrateVm' and len(moved['actions'][0]['job_uuid']) == 32
    assert sim.backend.records[vm] == V632
    same = run(zstack_vm_migration, uuid=vm, host_uuid=demo('kvm-1'))
    assert same['changed'] is False and same['actions'] == []


def test_migration_with_no_acceptable_candidate_names_everything(run):
    result = run(zstack_vm_migration, uuid=demo('vm-4'), require_version='9.9.9')
    assert result['failed'] is True
    for text in ('vm-4', demo('vm-4'), 'kvm-1', demo('kvm-1'), 'runs qemu-kvm %s, not the required 9.9.9' % V632):
        assert text in result['msg']
    assert run.mutating() == 0


def test_migration_to_a_named_host_with_another_version_is_refused(run):
    result = run(zstack_vm_migration, uuid=demo('vm-6'), host_uuid=demo('kvm-4'), require_version=V627)
    assert result['failed'] is True
    assert 'runs qemu-kvm %s, not the required %s' % (V632, V627) in result['msg']
    assert run.mutating() == 0


def test_migration_with_a_strategy_to_a_named_host(run, sim):
    result = run(zstack_vm_migration, uuid=demo('vm-6'), host_uuid=demo('kvm-4'), strategy='auto-converge')
    assert result['changed'] is True
    assert result['candidates'] == []
    assert sim.backend.vms[demo('vm-6')]['hostUuid'] == demo('kvm-4')


def test_migration_of_a_stopped_vm_is_refused(run):
    result = run(zstack_vm_migration, uuid=demo('vm-3'))
    assert result['failed'] is True
    assert 'Stopped' in result['msg']


def test_migration_ties_go_to_the_lowest_uuid(run, sim):
    sim.backend.seed({'hosts': [{'uuid': 'f' * 32, 'name': 'kvm-f', 'clusterUuid': demo('cluster-1a'), 'qemuVersion': V632},
                                {'uuid': '0' * 31 + '1', 'name': 'kvm-0', 'clusterUuid': demo('cluster-1a'), 'qemuVersion': V632}]})
    result = run(zstack_vm_migration, check_mode=True, uuid=demo('vm-4'))
    assert result['destination_host_uuid'] == '0' * 31 + '1'
    assert [c['selected'] for c in result['candidates']] == [True, False, False]
    assert all(c['current_version'] is None for c in result['candidates'])


# ------------------------------------------------------------------ zstack_cluster_os_update
def test_cluster_update_check_mode_then_wait(run, sim):
    sim.backend.longjob_ticks = 1
    args = dict(cluster_uuid=demo('cluster-1b'), host_uuid=demo('kvm-3'), update_packages=['qemu-kvm'])
    check = run(zstack_cluster_os_update, check_mode=True, **args)
    assert check['changed'] is True
    assert check['request'] == {'updateClusterOS': {'hostUuid': demo('kvm-3'), 'updatePackages': ['qemu-kvm'], 'force': False}}
    assert check['long_job'] == {} and check['job_uuid'] is None
    assert run.mutating() == 0
    done = run(zstack_cluster_os_update, wait_timeout=60, **args)
    assert done['changed'] is True
    assert done['long_job']['state'] == 'Succeeded'
    assert len(done['job_uuid']) == 32
    assert sim.backend.host_sw[demo('kvm-3')]['qemuVersion'] == V632


def test_cluster_update_without_waiting(run):
    result = run(zstack_cluster_os_update, cluster_uuid=demo('cluster-1b'), wait=False)
    assert result['changed'] is True
    assert result['long_job']['state'] == 'Waiting'
    assert result['request'] == {'updateClusterOS': {'force': False}}


def test_cluster_update_failure_carries_the_job_result(run, sim):
    sim.backend.longjob_ticks = 1
    sim.backend.add_fault({'action': 'updateClusterOS', 'job_error': job_error('SYS.1006', 'yum exited 1 on kvm-3')})
    result = run(zstack_cluster_os_update, cluster_uuid=demo('cluster-1b'), host_uuid=demo('kvm-3'), wait_timeout=60)
    assert result['failed'] is True
    assert 'ended Failed' in result['msg']
    assert 'yum exited 1 on kvm-3' in result['msg']


def test_cluster_update_deadline(run, sim):
    sim.backend.longjob_ticks = 10 ** 6
    result = run(zstack_cluster_os_update, cluster_uuid=demo('cluster-1b'), wait_timeout=2)
    assert result['failed'] is True
    assert 'still Waiting after' in result['msg']


def test_cluster_update_host_of_another_cluster(run):
    result = run(zstack_cluster_os_update, cluster_uuid=demo('cluster-1b'), host_uuid=demo('kvm-1'))
    assert result['failed'] is True
    assert 'not in cluster-1b' in result['msg']
    assert run.mutating() == 0


# ------------------------------------------------------------------ progress files (the action plugins print them)
def _record(path):
    with open(path) as handle:
        return json.load(handle)


def test_host_records_what_it_waits_for_and_the_job_without_secrets(run, sim, tmp_path):
    path = str(tmp_path / 'progress.json')
    result = run(zstack_host, uuid=demo('kvm-1'), state='maintenance', progress_file=path, poll_interval=0.2)
    record = _record(path)
    assert record['subject'] == 'changeHostState (maintain) of host kvm-1 (%s)' % demo('kvm-1')
    assert record['state'] == 'job %s running' % result['actions'][0]['job_uuid']
    assert 0 < record['deadline_after'] - record['elapsed'] <= 3600
    assert 'password' not in json.dumps(record) and not any(s in json.dumps(record) for s in sim.backend.sessions)


def test_cluster_update_records_the_long_job_state(run, sim, tmp_path):
    path = str(tmp_path / 'progress.json')
    result = run(zstack_cluster_os_update, cluster_uuid=demo('cluster-1b'), host_uuid=demo('kvm-3'),
                 update_packages=['qemu-kvm'], wait_timeout=120, progress_file=path, poll_interval=0.1)
    record = _record(path)
    assert record['subject'] == 'updateClusterOS of cluster cluster-1b (%s), host kvm-3 (%s)' % (demo('cluster-1b'), demo('kvm-3'))
    assert record['state'] == 'long job %s Succeeded' % result['long_job']['uuid']
    assert record['job_uuid'] == result['long_job']['uuid']


def test_vm_reboot_and_migration_record_the_vm_by_name(run, sim, tmp_path):
    reboot = str(tmp_path / 'reboot.json')
    run(zstack_vm_instance, uuid=demo('vm-4'), state='rebooted', progress_file=reboot)
    assert _record(reboot)['subject'] == 'rebootVmInstance of VM vm-4 (%s)' % demo('vm-4')
    migrate = str(tmp_path / 'migrate.json')
    result = run(zstack_vm_migration, uuid=demo('vm-1'), progress_file=migrate)
    chosen = [c for c in result['candidates'] if c['selected']][0]
    assert _record(migrate)['subject'] == 'migrateVm of VM vm-1 (%s) from host %s to host %s (%s)' % (
        demo('vm-1'), demo('kvm-1'), chosen['name'], chosen['uuid'])


def test_check_mode_writes_no_progress_file(run, sim, tmp_path):
    path = str(tmp_path / 'progress.json')
    run(zstack_host, check_mode=True, uuid=demo('kvm-1'), state='maintenance', progress_file=path)
    assert not (tmp_path / 'progress.json').exists()


def test_bad_poll_interval_fails_before_any_request_naming_option_and_variable(run, sim):
    before = sim.backend.counters_snapshot()['total_requests']
    result = run(zstack_host, uuid=demo('kvm-1'), state='disabled', poll_interval=60)
    assert result['failed'] is True
    assert 'poll_interval' in result['msg'] and 'ZSTACK_POLL_INTERVAL' in result['msg']
    assert sim.backend.counters_snapshot()['total_requests'] == before
