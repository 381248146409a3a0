# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of plugin_utils/_gate.py: the cap and the failure budget, the record of an action, verification."""

from __future__ import annotations

import pytest

from ansible_collections.zstack.cloud.plugins.plugin_utils._gate import belongs, may_act, open_gate, pending, record, steps_of
from ansible_collections.zstack.cloud.tests.unit.plugins.plugin_utils.compliance_fleet import NEW, NEWER, fleet, u, verdict


def test_may_act_cap_and_budget():
    opts = {'max_actions': 3, 'failure_budget': 1}
    assert may_act([], opts)['allowed']
    acts = [{'status': 'ok'}, {'status': 'failed'}]
    assert may_act(acts, opts)['allowed']  # one failure is within the budget
    assert not may_act(acts + [{'status': 'failed'}], opts)['allowed']
    gate = may_act(acts + [{'status': 'ok'}], opts)
    assert not gate['allowed'] and 'cap of 3' in gate['reason'] and 'virtualizer_compliance_max_actions' in gate['reason']
    # skipped actions count neither against the cap nor the budget
    assert may_act([{'status': 'skipped'}] * 10, opts)['allowed']
    gate = may_act([{'status': 'failed'}], {'failure_budget': 0})
    assert not gate['allowed'] and 'failure budget' in gate['reason'] and 'virtualizer_compliance_failure_budget' in gate['reason']
    assert may_act([{'status': 'ok'}] * 100, {'max_actions': 0})['allowed']
    assert may_act(acts, opts)['taken'] == 2 and may_act(acts, opts)['failed'] == 1


def test_pending():
    info = fleet()[2]
    assert pending(info, [u(1), u(2), u(3), u(404)]) == [u(1), u(3), u(404)]


def test_pending_wants_the_required_version():
    info = {u(11): verdict(11, 'vm', 'Matched', NEW, NEW), u(12): verdict(12, 'vm', 'Matched', NEWER, NEWER)}
    # u(11) is Matched, but against NEW: it was moved for NEWER and is not verified
    assert pending(info, [u(11), u(12)], {u(11): NEWER, u(12): NEWER}) == [u(11)]
    assert pending(info, [u(11), u(12)], {u(12): NEWER}) == []


def test_open_gate_records_a_refused_action_as_skipped():
    action = {'uuid': u(1), 'name': 'kvm-1', 'action': 'update_cluster_os'}
    gate, actions = open_gate([], action, {}, 100.0)
    assert gate['allowed'] and gate['started'] == 100.0 and actions == []
    done = [dict(action, uuid=u(2), status='failed')]
    gate, actions = open_gate(done, action, {'failure_budget': 0}, 200.0)
    assert not gate['allowed']
    assert actions[:1] == done and len(actions) == 2
    assert actions[1] == dict(action, status='skipped', message=gate['reason'], steps=[], job_uuids=[], seconds=0)


@pytest.mark.parametrize('result,uuid,expected', [
    ({'host': {'uuid': u(1)}}, u(1), True),
    ({'host': {'uuid': u(2)}}, u(1), False),
    ({'vm_instance': {'uuid': u(11)}}, u(11), True),
    ({'request': {'updateClusterOS': {'hostUuid': u(1)}}}, u(1), True),
    ({'request': {'updateClusterOS': {'hostUuid': u(1)}}}, u(2), False),
    ({'skipped': True, 'host': {'uuid': u(1)}}, u(1), False),
    ({'changed': True}, None, True),
    ('not a result', None, False),
])
def test_belongs(result, uuid, expected):
    assert belongs(result, uuid) is expected


def test_steps_of_reads_actions_and_a_long_job():
    results = [
        {'host': {'uuid': u(1)}, 'actions': [{'action': 'changeHostState', 'job_uuid': u(501)}]},
        {'request': {'updateClusterOS': {'hostUuid': u(1)}}, 'job_uuid': u(502), 'long_job': {'uuid': u(503), 'state': 'Succeeded'}},
        {'host': {'uuid': u(2)}, 'actions': [{'action': 'reconnectHost', 'job_uuid': u(509)}]},
    ]
    assert steps_of(results, u(1)) == [
        {'action': 'changeHostState', 'job_uuid': u(501)},
        {'action': 'updateClusterOS', 'job_uuid': u(502), 'long_job_uuid': u(503), 'long_job_state': 'Succeeded'}]


def test_record_status_must_be_known():
    with pytest.raises(ValueError, match="status must be one of ok, failed, skipped, got 'done'"):
        record([], {'uuid': u(1)}, 'done', None, 0, 1)
