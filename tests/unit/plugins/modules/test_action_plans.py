# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The pure decision logic of zstack_host, zstack_vm_instance, zstack_vm_migration and zstack_cluster_os_update."""

from __future__ import annotations

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackStateError
from ansible_collections.zstack.cloud.plugins.modules import (
    zstack_cluster_os_update,
    zstack_host,
    zstack_vm_instance,
    zstack_vm_migration,
)

NEW = '4.2.0-632.g6a6222b.el7'
OLD = '4.2.0-627.g36ee592.el7'


def u(n):
    return '%032x' % n


# ------------------------------------------------------------------ zstack_host
@pytest.mark.parametrize('current,state,expected', [
    ('Enabled', 'enabled', []),
    ('Enabled', 'disabled', [('changeHostState', {'stateEvent': 'disable'})]),
    ('Enabled', 'maintenance', [('changeHostState', {'stateEvent': 'maintain'})]),  # status Connected below
    ('Disabled', 'enabled', [('changeHostState', {'stateEvent': 'enable'})]),
    ('Disabled', 'disabled', []),
    ('Maintenance', 'maintenance', []),
    ('PreMaintenance', 'maintenance', []),
    ('PreMaintenance', 'enabled', [('changeHostState', {'stateEvent': 'enable'})]),
    ('Maintenance', 'enabled', [('changeHostState', {'stateEvent': 'enable'})]),
    ('Maintenance', None, []),
])
def test_host_state_plan(current, state, expected):
    steps, _final = zstack_host.plan({'uuid': u(1), 'state': current, 'status': 'Connected'}, state, False)
    assert steps == expected


def test_host_state_then_reconnect():
    steps, final = zstack_host.plan({'uuid': u(1), 'state': 'Maintenance'}, 'enabled', True)
    assert [s[0] for s in steps] == ['changeHostState', 'reconnectHost']
    assert final == 'Enabled'
    steps, _final = zstack_host.plan({'uuid': u(1), 'state': 'Enabled'}, 'enabled', True)
    assert steps == [('reconnectHost', {})]


@pytest.mark.parametrize('current,state', [('Enabled', 'maintenance'), ('Maintenance', None), ('PreMaintenance', 'maintenance')])
def test_host_reconnect_in_maintenance_is_refused_before_any_change(current, state):
    with pytest.raises(ZStackStateError) as err:
        zstack_host.plan({'uuid': u(1), 'name': 'kvm-1', 'state': current, 'status': 'Connected'}, state, True)
    assert 'refuses to reconnect' in str(err.value)


def test_host_maintain_of_a_disconnected_host_is_refused_before_any_change():
    with pytest.raises(ZStackStateError) as err:
        zstack_host.plan({'uuid': u(1), 'name': 'kvm-6', 'state': 'Enabled', 'status': 'Disconnected'}, 'maintenance', False)
    assert 'kvm-6' in str(err.value) and 'Disconnected' in str(err.value)
    steps, _final = zstack_host.plan({'uuid': u(1), 'state': 'Enabled', 'status': 'Disconnected'}, 'disabled', False)
    assert steps == [('changeHostState', {'stateEvent': 'disable'})]


# ------------------------------------------------------------------ zstack_vm_instance
@pytest.mark.parametrize('current,state,expected', [
    ('Running', 'running', None),
    ('Stopped', 'running', ('startVmInstance', {})),
    ('Running', 'stopped', ('stopVmInstance', {'type': 'grace'})),
    ('Stopped', 'stopped', None),
    ('Unknown', 'stopped', ('stopVmInstance', {'type': 'grace'})),
    ('Running', 'rebooted', ('rebootVmInstance', {})),
    ('Running', None, None),
])
def test_vm_plan(current, state, expected):
    assert zstack_vm_instance.plan({'uuid': u(1), 'state': current}, state, 'grace', None) == expected


def test_vm_start_on_a_host_and_cold_stop():
    assert zstack_vm_instance.plan({'state': 'Stopped'}, 'running', 'grace', u(9)) == ('startVmInstance', {'hostUuid': u(9)})
    assert zstack_vm_instance.plan({'state': 'Running'}, 'stopped', 'cold', None) == ('stopVmInstance', {'type': 'cold'})


def test_vm_reboot_of_a_stopped_vm_is_refused():
    with pytest.raises(ZStackStateError) as err:
        zstack_vm_instance.plan({'uuid': u(1), 'name': 'vm-3', 'state': 'Stopped'}, 'rebooted', 'grace', None)
    assert 'vm-3' in str(err.value) and 'Stopped' in str(err.value)


# ------------------------------------------------------------------ zstack_vm_migration
def host(n, mem, name=None):
    return {'uuid': u(n), 'name': name or 'kvm-%d' % n, 'availableMemoryCapacity': mem}


def test_most_memory_wins_ties_by_uuid():
    ranked = zstack_vm_migration.rank_candidates([host(3, 10), host(2, 50), host(1, 50)], u(9), {}, None)
    assert [c['uuid'] for c in ranked] == [u(1), u(2), u(3)]
    assert [c['selected'] for c in ranked] == [True, False, False]
    assert all(c['rejected_reason'] is None for c in ranked)
    assert all(c['current_version'] is None for c in ranked)


def test_require_version_filters_and_explains():
    versions = {
        u(1): {'current_version': OLD},
        u(2): {'current_version': NEW},
        u(3): {'current_version': None, 'reason': 'the host is Disconnected'},
    }
    ranked = zstack_vm_migration.rank_candidates([host(1, 100), host(2, 10), host(3, 500), host(9, 900)], u(9), versions, NEW)
    by_uuid = dict((c['uuid'], c) for c in ranked)
    assert ranked[0]['uuid'] == u(2) and ranked[0]['selected'] is True
    assert by_uuid[u(1)]['rejected_reason'] == 'runs qemu-kvm %s, not the required %s' % (OLD, NEW)
    assert 'not known (the host is Disconnected)' in by_uuid[u(3)]['rejected_reason']
    assert by_uuid[u(9)]['rejected_reason'] == "it is the VM's current host"
    assert by_uuid[u(1)]['current_version'] == OLD


def test_nothing_eligible_gives_a_message_naming_everything():
    ranked = zstack_vm_migration.rank_candidates([host(1, 100)], u(9), {u(1): {'current_version': OLD}}, NEW)
    assert not any(c['selected'] for c in ranked)
    err = zstack_vm_migration.no_destination({'uuid': u(7), 'name': 'vm-7'}, ranked, NEW)
    text = str(err)
    assert 'vm-7' in text and u(7) in text and 'kvm-1' in text and u(1) in text and OLD in text
    empty = str(zstack_vm_migration.no_destination({'uuid': u(7), 'name': 'vm-7'}, [], None))
    assert 'offered no migration candidate' in empty


# ------------------------------------------------------------------ zstack_cluster_os_update
def test_update_request_has_only_the_given_options():
    params = {'host_uuid': None, 'update_packages': ['qemu-kvm'], 'exclude_packages': None,
              'release_version': 'c76', 'force': False}
    assert zstack_cluster_os_update.build_request(params) == {
        'updatePackages': ['qemu-kvm'], 'releaseVersion': 'c76', 'force': False}
