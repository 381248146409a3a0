# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of plugin_utils/_policy.py: every resource passes, fails, warns or is ignored, with its reason."""

from __future__ import annotations

import pytest

from ansible_collections.zstack.cloud.plugins.plugin_utils._common import POLICY_CHOICES, ComplianceError
from ansible_collections.zstack.cloud.plugins.plugin_utils import _policy
from ansible_collections.zstack.cloud.plugins.plugin_utils._policy import check_policy, evaluate, outcome_of
from ansible_collections.zstack.cloud.plugins.plugin_utils._scope import build_scope
from ansible_collections.zstack.cloud.tests.unit.plugins.plugin_utils.compliance_fleet import NEW, OLD, evaluated, host, u, verdict


@pytest.mark.parametrize('unknown,no_record', [(a, b) for a in POLICY_CHOICES for b in POLICY_CHOICES])
def test_policy_matrix(unknown, no_record):
    ev = evaluated({'unknown': unknown, 'no_record': no_record})
    res = ev['resources']
    assert res[u(1)]['outcome'] == 'fail'  # Unmatched always fails
    assert res[u(21)]['outcome'] == 'fail'
    assert res[u(2)]['outcome'] == 'pass'
    assert res[u(3)]['outcome'] == unknown
    assert res[u(4)]['outcome'] == no_record
    failing = {e['uuid'] for e in ev['failing']}
    assert (u(3) in failing) == (unknown == 'fail')
    assert (u(4) in failing) == (no_record == 'fail')
    assert ev['compliant'] is False
    assert ev['summary']['failing'] == len(ev['failing'])
    assert ev['summary']['warning'] == len(ev['warnings'])


def test_not_found_always_fails_and_summary_counts():
    info = {u(5): verdict(5, None, 'NotFound', None, None, 'no host or VM'), u(2): verdict(2, 'host', 'Matched')}
    ev = evaluate(info, None, {'unknown': 'ignore', 'no_record': 'ignore'})
    assert ev['summary'] == {'total': 2, 'matched': 1, 'unmatched': 0, 'unknown': 0, 'no_record': 0, 'not_found': 1,
                             'error': 0, 'failing': 1, 'warning': 0, 'ignored': 0, 'passing': 1}
    assert ev['failing'][0]['verdict'] == 'NotFound'


def test_compliant_fleet():
    info = {u(1): verdict(1, 'host', 'Matched')}
    assert evaluate(info, build_scope([host(1)]))['compliant'] is True


def test_resources_carry_their_inventory_facts_and_verdict():
    entry = evaluated()['resources'][u(21)]
    assert (entry['name'], entry['resource_type'], entry['host_uuid'], entry['cluster_uuid']) == ('vm-10', 'vm', u(2), u(1001))
    assert (entry['verdict'], entry['current_version'], entry['expect_version'], entry['reason']) == (
        'Unmatched', OLD, NEW, 'Unmatched reason')
    # a UUID outside the scope is named by its UUID and typed from its verdict
    ev = evaluate({u(5): verdict(5, 'vm', 'Matched')})
    assert ev['resources'][u(5)]['name'] == u(5) and ev['resources'][u(5)]['resource_type'] == 'vm'


def test_error_verdict_fails_unless_the_policy_says_otherwise():
    assert outcome_of('Error', check_policy(None)) == 'fail'
    assert outcome_of('Error', check_policy({'error': 'warn'})) == 'warn'


@pytest.mark.parametrize('policy', [{'unknown': 'maybe'}, {'no_record': 'fail!'}])
def test_bad_policy(policy):
    with pytest.raises(ComplianceError, match='policy'):
        evaluate({}, None, policy)


def test_unknown_verdict_is_an_error():
    with pytest.raises(ComplianceError):
        evaluate({u(1): {'verdict': 'Weird'}})


def test_virtualizer_info_must_be_the_dict_of_the_module():
    with pytest.raises(ComplianceError, match='virtualizer_info must be the dict returned by zstack_virtualizer_info, got list'):
        evaluate([verdict(1, 'host', 'Matched')])


def test_verdicts_of_groups_one_shared_entry_per_group_in_the_given_order():
    matched = {'verdict': 'Matched', 'resource_type': 'HostVO', 'current_version': NEW, 'expect_version': NEW, 'reason': None}
    read = {'groups': [dict(matched, count=2, uuids=[u(2), u(1)]),
                       {'verdict': 'NotFound', 'resource_type': None, 'current_version': None, 'expect_version': None,
                        'reason': 'gone', 'count': 1, 'uuids': [u(3)]}]}
    by_uuid = _policy.verdicts_of(read, [u(1), u(3)])
    assert list(by_uuid) == [u(1), u(3), u(2)]  # the order given, then what it did not name: nothing is dropped
    assert by_uuid[u(1)] is by_uuid[u(2)] and by_uuid[u(1)] == matched
    assert _policy.verdicts_of(read) == dict((x, by_uuid[x]) for x in (u(2), u(1), u(3)))
    info = {u(1): dict(matched, uuid=u(1))}
    assert _policy.verdicts_of(info) is info  # a virtualizer_info dict as it is


@pytest.mark.parametrize('groups, message', [
    ('Matched', r'the groups of the zstack_virtualizer_info result must be a list, got str'),
    ([['x']], r'groups\[0\] .* got a list\)'),
    ([{'verdict': 'Matched', 'uuids': ['x']}, {'uuids': ['y']}], r'groups\[1\] .* got a dict with keys uuids\)'),
])
def test_verdicts_of_refuses_malformed_groups(groups, message):
    with pytest.raises(ComplianceError, match=message):
        _policy.verdicts_of({'groups': groups})
