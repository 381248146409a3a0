# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of plugin_utils/_scope.py: which hosts and VMs one run checks, and when a scope is refused."""

from __future__ import annotations

import pytest

from ansible_collections.zstack.cloud.plugins.plugin_utils._common import ComplianceError
from ansible_collections.zstack.cloud.plugins.plugin_utils._scope import build_scope, check_scope
from ansible_collections.zstack.cloud.tests.unit.plugins.plugin_utils.compliance_fleet import fleet, host, u, vm


def test_scope_orders_hosts_first_and_drops_stopped_vms():
    hosts, vms = fleet()[:2]
    scope = build_scope(hosts, vms)
    assert scope['uuids'][:4] == [u(1), u(2), u(3), u(4)]
    assert u(99) not in scope['uuids']
    assert scope['vm_uuids'][:2] == [u(11), u(12)]
    # natural order of names within a cluster: vm-9 before vm-10
    assert scope['vm_uuids'].index(u(22)) < scope['vm_uuids'].index(u(21))
    assert scope['resources'][u(11)]['resource_type'] == 'vm'


def test_scope_keeps_named_stopped_vm_and_unresolved_uuids_last():
    hosts, vms = fleet()[:2]
    scope = build_scope(hosts, vms, [u(99), u(777), u(777)])
    assert u(99) in scope['vm_uuids']
    assert scope['explicit_unresolved'] == [u(777)]
    assert scope['uuids'][-1] == u(777)
    assert len(scope['uuids']) == len(set(scope['uuids']))


def test_scope_fills_vm_cluster_from_its_host():
    inv = vm(11, 1)
    del inv['clusterUuid'], inv['zoneUuid']
    scope = build_scope([host(1)], [inv])
    assert scope['resources'][u(11)]['cluster_uuid'] == u(1001)
    assert scope['resources'][u(11)]['zone_uuid'] == u(2001)


def test_a_uuid_found_as_host_and_as_vm_is_a_host_once():
    scope = build_scope([host(1)], [dict(vm(11, 1), uuid=u(1))])
    assert scope['uuids'] == [u(1)] and scope['resources'][u(1)]['resource_type'] == 'host'


def test_scope_rejects_a_string():
    with pytest.raises(ComplianceError, match='must be a list'):
        build_scope('abc')


# ------------------------------------------------------------------ check_scope
def test_an_empty_scope_is_an_error_naming_the_way_out():
    with pytest.raises(ComplianceError) as info:
        check_scope(build_scope([], [], []))
    assert 'the scope is empty' in str(info.value)
    assert 'virtualizer_compliance_allow_empty_scope=true' in str(info.value)


def test_an_empty_scope_passes_when_allowed():
    scope = build_scope([], [], [])
    assert check_scope(scope, allow_empty=True) is scope


def test_a_cluster_or_zone_that_matched_no_host_is_named():
    found = [host(1, cluster=1, zone=1)]
    scope = build_scope(found, [])
    with pytest.raises(ComplianceError) as info:
        check_scope(scope, zone_uuids=[u(2001), u(2999)], cluster_uuids=[u(1001), u(1888)], discovered_hosts=found)
    text = str(info.value)
    assert 'virtualizer_compliance_zone_uuids: no host found in zone %s' % u(2999) in text
    assert 'virtualizer_compliance_cluster_uuids: no host found in cluster %s' % u(1888) in text
    # the ones that matched are not named
    assert u(2001) not in text and u(1001) not in text
    assert 'QueryZone / QueryCluster' in text
    # the scope is not empty: only the narrowing is wrong
    assert 'the scope is empty' not in text


def test_narrowing_that_matched_hosts_passes_and_no_discovery_checks_nothing():
    found = [host(1, cluster=1, zone=1)]
    scope = build_scope(found, [])
    assert check_scope(scope, [u(2001)], [u(1001)], found) is scope
    # without a discovery (None), a named zone is not looked for
    assert check_scope(scope, [u(2999)], [], None) is scope
    assert check_scope(build_scope([], [], []), [u(2999)], [], [], allow_empty=True)['uuids'] == []
