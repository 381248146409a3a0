# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""zstack_zone_info and zstack_cluster_info against the simulator over HTTP."""

from __future__ import annotations

from ansible_collections.zstack.cloud.plugins.modules import zstack_cluster_info, zstack_zone_info

from zstack_simulator.fleet import fixed_uuid


def demo_uuid(name):
    return fixed_uuid('demo', name)


def names(items):
    return sorted(i['name'] for i in items)


def requests(sim, path):
    return sim.backend.counters_snapshot()['requests'].get('GET ' + path, 0)


def test_every_zone_camel_case_sorted_and_unchanged(run, sim):
    result = run(zstack_zone_info)
    assert result['changed'] is False
    assert names(result['zones']) == ['zone-1', 'zone-2']
    assert [z['uuid'] for z in result['zones']] == sorted([demo_uuid('zone-1'), demo_uuid('zone-2')])
    for zone in result['zones']:
        assert zone['state'] == 'Enabled' and zone['type'] == 'zstack'
        assert 'createDate' in zone and 'lastOpDate' in zone
    assert run(zstack_zone_info, check_mode=True) == result
    assert sim.backend.counters_snapshot()['mutating_requests'] == 0


def test_every_cluster_with_its_zone(run):
    result = run(zstack_cluster_info)
    assert result['changed'] is False
    assert names(result['clusters']) == ['cluster-1a', 'cluster-1b', 'cluster-2a']
    by_name = dict((c['name'], c) for c in result['clusters'])
    assert by_name['cluster-1a']['zoneUuid'] == demo_uuid('zone-1')
    assert by_name['cluster-2a']['zoneUuid'] == demo_uuid('zone-2')
    assert by_name['cluster-2a']['architecture'] == 'aarch64'
    assert by_name['cluster-1b']['hypervisorType'] == 'KVM'


def test_cluster_filters_are_anded(run):
    assert names(run(zstack_cluster_info, zone_uuid=demo_uuid('zone-1'))['clusters']) == ['cluster-1a', 'cluster-1b']
    assert names(run(zstack_cluster_info, zone_uuid=demo_uuid('zone-1'), name='cluster-1b')['clusters']) == ['cluster-1b']
    assert names(run(zstack_cluster_info, hypervisor_type='KVM', conditions=['architecture=aarch64'])['clusters']) == ['cluster-2a']
    assert run(zstack_cluster_info, zone_uuid=demo_uuid('zone-2'), state='Disabled')['clusters'] == []


def test_zone_filters(run):
    assert names(run(zstack_zone_info, name='zone-2')['zones']) == ['zone-2']
    assert names(run(zstack_zone_info, state='Enabled', conditions=['name~=zone-%'])['zones']) == ['zone-1', 'zone-2']
    assert run(zstack_zone_info, state='Disabled')['zones'] == []


def test_uuids_that_match_nothing_are_left_out_not_an_error(run):
    """A zone or cluster deleted meanwhile (or a UUID of another type) is simply not in the answer."""
    gone = '0' * 32
    result = run(zstack_zone_info, uuids=[demo_uuid('zone-2'), gone, demo_uuid('kvm-1')])
    assert 'failed' not in result
    assert [z['uuid'] for z in result['zones']] == [demo_uuid('zone-2')]
    result = run(zstack_cluster_info, uuids=[gone, demo_uuid('cluster-1a')])
    assert [c['uuid'] for c in result['clusters']] == [demo_uuid('cluster-1a')]


def test_fields_and_uuid_always(run):
    result = run(zstack_cluster_info, fields=['name', 'zoneUuid'])
    assert len(result['clusters']) == 3
    assert all(set(c) == {'uuid', 'name', 'zoneUuid'} for c in result['clusters'])
    result = run(zstack_zone_info, fields=['name'])
    assert all(set(z) == {'uuid', 'name'} for z in result['zones'])


def test_paging_through_many_clusters(run, sim):
    sim.backend.seed({'generate': {'zones': 2, 'clusters_per_zone': 30, 'hosts': 60, 'vms_per_host': 0, 'seed': 11}})
    before = requests(sim, '/v1/clusters')
    every = run(zstack_cluster_info, page_size=25)['clusters']
    assert len(every) == 63  # the generated 60 and the demo fleet's 3
    assert len(set(c['uuid'] for c in every)) == 63
    assert requests(sim, '/v1/clusters') - before == 3  # 25 + 25 + 13
    zones = run(zstack_zone_info, page_size=1)['zones']
    assert len(zones) == 4


def test_a_long_uuid_list_is_split_into_short_requests(run, sim):
    sim.backend.seed({'generate': {'zones': 1, 'clusters_per_zone': 320, 'hosts': 320, 'vms_per_host': 0, 'seed': 13}})
    every = [c['uuid'] for c in run(zstack_cluster_info, fields=['uuid'])['clusters']]
    assert len(every) == 323
    before = requests(sim, '/v1/clusters')
    result = run(zstack_cluster_info, uuids=every + ['f' * 32], fields=['uuid', 'name'])
    assert 'failed' not in result  # one request line with 324 UUIDs would be answered 414
    assert [c['uuid'] for c in result['clusters']] == sorted(every)
    assert requests(sim, '/v1/clusters') - before == 3


def test_empty_uuids_match_nothing_without_a_request(run, sim):
    assert run(zstack_zone_info, uuids=[])['zones'] == []
    assert run(zstack_cluster_info, uuids=[])['clusters'] == []
    assert requests(sim, '/v1/zones') == 0 and requests(sim, '/v1/clusters') == 0


def test_bad_uuids_fail_before_any_request_naming_the_option(run, sim):
    result = run(zstack_cluster_info, zone_uuid='zone-1')
    assert result['failed'] is True
    assert 'zone_uuid' in result['msg'] and '32 lower-case hexadecimal' in result['msg']
    result = run(zstack_zone_info, uuids=[demo_uuid('zone-1'), 'ZONE 2'])
    assert result['failed'] is True
    assert 'uuids[1]' in result['msg']
    assert requests(sim, '/v1/zones') == 0 and requests(sim, '/v1/clusters') == 0


def test_a_bad_state_names_the_choices(run):
    result = run(zstack_zone_info, state='enabled')
    assert result['failed'] is True
    assert 'state' in result['msg'] and 'Enabled' in result['msg']
