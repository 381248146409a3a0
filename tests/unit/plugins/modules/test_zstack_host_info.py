# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""zstack_host_info and zstack_vm_instance_info against the simulator over HTTP."""

from __future__ import annotations

from ansible_collections.zstack.cloud.plugins.modules import zstack_host_info, zstack_vm_instance_info

from zstack_simulator.fleet import fixed_uuid


def demo_uuid(name):
    return fixed_uuid('demo', name)


def names(items):
    return sorted(i['name'] for i in items)


def test_all_hosts_camel_case_and_sorted(run):
    result = run(zstack_host_info)
    assert result['changed'] is False
    assert names(result['hosts']) == ['kvm-%d' % i for i in range(1, 7)]
    assert [h['uuid'] for h in result['hosts']] == sorted(h['uuid'] for h in result['hosts'])
    first = result['hosts'][0]
    for key in ('uuid', 'name', 'zoneUuid', 'clusterUuid', 'managementIp', 'state', 'status', 'hypervisorType',
                'architecture', 'osDistribution', 'osVersion'):
        assert key in first


def test_filters_are_anded(run):
    result = run(zstack_host_info, cluster_uuid=demo_uuid('cluster-2a'), status='Connected')
    assert names(result['hosts']) == ['kvm-5']
    result = run(zstack_host_info, zone_uuid=demo_uuid('zone-1'), conditions=['managementIp=10.0.1.13'])
    assert names(result['hosts']) == ['kvm-3']
    result = run(zstack_host_info, name='kvm-2', state='Enabled')
    assert names(result['hosts']) == ['kvm-2']


def test_paging_with_a_small_page(run, sim):
    result = run(zstack_host_info, page_size=2)
    assert len(result['hosts']) == 6
    assert sim.backend.counters_snapshot()['requests']['GET /v1/hosts'] == 4  # 2 + 2 + 2 + an empty page


def test_uuids_are_split_into_short_requests(run, sim):
    sim.backend.seed({'generate': {'hosts': 400, 'vms_per_host': 0, 'seed': 7}})
    every = run(zstack_host_info)['hosts']
    assert len(every) == 406
    wanted = [h['uuid'] for h in every][:350] + ['0' * 32]
    before = sim.backend.counters_snapshot()['requests']['GET /v1/hosts']
    result = run(zstack_host_info, uuids=wanted)
    assert len(result['hosts']) == 350
    assert sim.backend.counters_snapshot()['requests']['GET /v1/hosts'] - before == 3


def test_empty_uuids_matches_nothing(run, sim):
    result = run(zstack_host_info, uuids=[])
    assert result['hosts'] == []
    assert 'GET /v1/hosts' not in sim.backend.counters_snapshot()['requests']


def test_bad_uuid_fails_before_any_query(run):
    result = run(zstack_host_info, uuids=['KVM-1'])
    assert result['failed'] is True
    assert 'invalid UUID' in result['msg']


def test_vms_by_host_and_state(run):
    result = run(zstack_vm_instance_info, host_uuid=demo_uuid('kvm-1'), state=['Running'])
    assert result['changed'] is False
    assert names(result['vm_instances']) == ['vm-1', 'vm-12', 'vm-2']
    vm = result['vm_instances'][0]
    for key in ('uuid', 'name', 'state', 'hostUuid', 'lastHostUuid', 'clusterUuid', 'zoneUuid', 'vmNics'):
        assert key in vm
    assert vm['vmNics'][0]['ip'].startswith('192.168.10.')


def test_vm_state_list_and_raw_conditions(run):
    result = run(zstack_vm_instance_info, state=['Stopped'])
    assert names(result['vm_instances']) == ['vm-14', 'vm-3', 'vm-8']
    result = run(zstack_vm_instance_info, conditions=['vmNics.ip=192.168.10.100'])
    assert names(result['vm_instances']) == ['vm-1']
    result = run(zstack_vm_instance_info, uuids=[demo_uuid('vm-4'), demo_uuid('vm-5')], cluster_uuid=demo_uuid('cluster-1a'))
    assert names(result['vm_instances']) == ['vm-4', 'vm-5']


def test_many_vm_uuids(run, sim):
    sim.backend.seed({'generate': {'hosts': 20, 'vms_per_host': 20, 'seed': 3}})
    every = run(zstack_vm_instance_info, page_size=100)['vm_instances']
    assert len(every) == 415
    uuids = [v['uuid'] for v in every]
    result = run(zstack_vm_instance_info, uuids=uuids + uuids[:10])
    assert [v['uuid'] for v in result['vm_instances']] == sorted(uuids)


def test_long_raw_in_condition_is_split_under_the_request_line_limit(run, sim):
    sim.backend.seed({'generate': {'hosts': 300, 'vms_per_host': 1, 'stopped_vm_ratio': 0.0, 'seed': 5}})
    hosts = [h['uuid'] for h in run(zstack_host_info)['hosts']]
    assert len(hosts) == 306
    result = run(zstack_vm_instance_info, conditions=['hostUuid?=' + ','.join(hosts)], state=['Running'])
    assert 'failed' not in result  # one request with all 306 UUIDs would be answered 414
    assert len(result['vm_instances']) == 300 + 12  # the generated VMs and the demo fleet's running ones


def test_fields_keep_only_those_with_uuid_always(run):
    result = run(zstack_host_info, status='Connected', fields=['name', 'managementIp'])
    assert result['hosts'] and all(set(h) == {'uuid', 'name', 'managementIp'} for h in result['hosts'])
    vms = run(zstack_vm_instance_info, state=['Running'], fields=['hostUuid', 'state'])['vm_instances']
    assert vms and all(set(v) == {'uuid', 'hostUuid', 'state'} for v in vms)
    every = run(zstack_vm_instance_info, state=['Running'], fields=[])['vm_instances']
    assert [v['uuid'] for v in every] == [v['uuid'] for v in vms] and 'vmNics' in every[0]


def test_bad_field_name_fails_with_the_remedy(run, sim):
    result = run(zstack_vm_instance_info, fields=['name', 'host uuid'])
    assert result['failed'] is True
    assert "fields has 'host uuid', not an inventory field name" in result['msg']
    assert 'camelCase' in result['msg'] or 'camelCase' in str(result.get('error'))
    assert 'GET /v1/vm-instances' not in sim.backend.counters_snapshot()['requests']
