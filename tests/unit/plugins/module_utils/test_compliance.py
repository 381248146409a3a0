# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the compliance logic: scope, policy, plan ordering, caps, budgets, result and reports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils import _compliance as c

NEW = '4.2.0-632.g6a6222b.el7'
OLD = '4.2.0-627.g36ee592.el7'


def u(n):
    return '%032x' % n


def host(n, name=None, cluster=1, zone=1, state='Enabled', status='Connected'):
    return {'uuid': u(n), 'name': name or 'host-%d' % n, 'clusterUuid': u(1000 + cluster), 'zoneUuid': u(2000 + zone),
            'managementIp': '10.0.0.%d' % n, 'state': state, 'status': status}


def vm(n, host_n, name=None, state='Running', cluster=1, zone=1):
    return {'uuid': u(n), 'name': name or 'vm-%d' % n, 'hostUuid': u(host_n) if state == 'Running' else None,
            'clusterUuid': u(1000 + cluster), 'zoneUuid': u(2000 + zone), 'state': state}


def verdict(n, kind, state, current=NEW, expect=NEW, reason=None):
    return {'uuid': u(n), 'resource_type': {'host': 'HostVO', 'vm': 'VmInstanceVO', None: None}[kind],
            'current_version': current, 'expect_version': expect, 'match_state': state if state in ('Matched', 'Unmatched', 'Unknown') else None,
            'verdict': state, 'reason': reason if reason is not None else (None if state == 'Matched' else '%s reason' % state)}


def fleet():
    """h1 Unmatched (2 VMs Matched on it), h2 Matched (1 Unmatched VM), h3 Unknown, h4 NoRecord."""
    hosts = [host(1, 'kvm-1'), host(2, 'kvm-2'), host(3, 'kvm-3', cluster=2), host(4, 'kvm-4', cluster=2, status='Disconnected')]
    vms = [vm(11, 1, 'vm-1'), vm(12, 1, 'vm-2'), vm(21, 2, 'vm-10'), vm(22, 2, 'vm-9'), vm(31, 3), vm(99, 1, 'stopped', state='Stopped')]
    info = {
        u(1): verdict(1, 'host', 'Unmatched', OLD, NEW), u(2): verdict(2, 'host', 'Matched'),
        u(3): verdict(3, 'host', 'Unknown', NEW, None), u(4): verdict(4, 'host', 'NoRecord', None, None),
        u(11): verdict(11, 'vm', 'Matched', OLD, OLD), u(12): verdict(12, 'vm', 'Matched', OLD, OLD),
        u(21): verdict(21, 'vm', 'Unmatched', OLD, NEW), u(22): verdict(22, 'vm', 'Matched'),
        u(31): verdict(31, 'vm', 'Matched'),
    }
    return hosts, vms, info


def evaluated(policy=None, **scope_kw):
    hosts, vms, info = fleet()
    scope = c.build_scope(hosts, vms, **scope_kw)
    return c.evaluate(info, scope, policy)


# ------------------------------------------------------------------ scope
def test_scope_orders_hosts_first_and_drops_stopped_vms():
    hosts, vms = fleet()[:2]
    scope = c.build_scope(hosts, vms)
    assert scope['uuids'][:4] == [u(1), u(2), u(3), u(4)]
    assert u(99) not in scope['uuids']
    assert scope['vm_uuids'][:2] == [u(11), u(12)]
    # natural order of names within a cluster: vm-9 before vm-10
    assert scope['vm_uuids'].index(u(22)) < scope['vm_uuids'].index(u(21))
    assert scope['resources'][u(11)]['resource_type'] == 'vm'


def test_scope_keeps_named_stopped_vm_and_unresolved_uuids_last():
    hosts, vms = fleet()[:2]
    scope = c.build_scope(hosts, vms, [u(99), u(777), u(777)])
    assert u(99) in scope['vm_uuids']
    assert scope['explicit_unresolved'] == [u(777)]
    assert scope['uuids'][-1] == u(777)
    assert len(scope['uuids']) == len(set(scope['uuids']))


def test_scope_fills_vm_cluster_from_its_host():
    inv = vm(11, 1)
    del inv['clusterUuid'], inv['zoneUuid']
    scope = c.build_scope([host(1)], [inv])
    assert scope['resources'][u(11)]['cluster_uuid'] == u(1001)


def test_scope_rejects_a_string():
    with pytest.raises(c.ComplianceError, match='must be a list'):
        c.build_scope('abc')


# ------------------------------------------------------------------ policy
@pytest.mark.parametrize('unknown,no_record', [(a, b) for a in c.POLICY_CHOICES for b in c.POLICY_CHOICES])
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
    ev = c.evaluate(info, None, {'unknown': 'ignore', 'no_record': 'ignore'})
    assert ev['summary'] == {'total': 2, 'matched': 1, 'unmatched': 0, 'unknown': 0, 'no_record': 0, 'not_found': 1,
                             'failing': 1, 'warning': 0, 'ignored': 0, 'passing': 1}
    assert ev['failing'][0]['verdict'] == 'NotFound'


def test_compliant_fleet():
    info = {u(1): verdict(1, 'host', 'Matched')}
    assert c.evaluate(info, c.build_scope([host(1)]))['compliant'] is True


@pytest.mark.parametrize('policy', [{'unknown': 'maybe'}, {'no_record': 'fail!'}])
def test_bad_policy(policy):
    with pytest.raises(c.ComplianceError, match='policy'):
        c.evaluate({}, None, policy)


def test_unknown_verdict_is_an_error():
    with pytest.raises(c.ComplianceError):
        c.evaluate({u(1): {'verdict': 'Weird'}})


# ------------------------------------------------------------------ plan
def test_plan_orders_hosts_then_vms_and_predicts_the_vms_of_upgraded_hosts():
    plan = c.build_plan(evaluated())
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


def test_plan_batches():
    hosts = [host(n, cluster=1 + n % 2) for n in range(1, 8)]
    info = dict((h['uuid'], verdict(int(h['uuid'], 16), 'host', 'Unmatched', OLD, NEW)) for h in hosts)
    plan = c.build_plan(c.evaluate(info, c.build_scope(hosts)), {'batch_size': 3})
    assert [len(b) for b in plan['host_batches']] == [3, 3, 1]
    assert [a['batch'] for b in plan['host_batches'] for a in b] == [1, 1, 1, 2, 2, 2, 3]
    # hosts are ordered by zone, cluster, name: the cluster of u(1002) first
    clusters = [a['cluster_uuid'] for b in plan['host_batches'] for a in b]
    assert clusters == sorted(clusters)


def test_plan_cap_defers_the_rest_in_order():
    plan = c.build_plan(evaluated(), {'max_actions': 2})
    assert plan['counts']['total'] == 2
    assert plan['host_batches'][0][0]['uuid'] == u(1)
    assert len(plan['deferred']) == 2
    assert 'virtualizer_compliance_max_actions' in plan['deferred'][0]['deferred_reason']


def test_plan_cap_counts_actions_already_taken():
    plan = c.build_plan(evaluated(), {'max_actions': 3}, phase='vms', actions_taken=2)
    assert plan['counts']['vm_actions'] == 1
    assert plan['host_batches'] == []
    # phase vms plans only VMs Unmatched now (no prediction)
    assert plan['vm_actions'][0]['uuid'] == u(21)


def test_plan_phase_hosts():
    plan = c.build_plan(evaluated(), phase='hosts')
    assert plan['vm_actions'] == [] and plan['counts']['host_actions'] == 1


def test_plan_blocks_hosts_failing_preflight():
    hosts, vms, info = fleet()
    hosts[0]['state'] = 'Maintenance'
    plan = c.build_plan(c.evaluate(info, c.build_scope(hosts, vms)))
    assert plan['host_batches'] == []
    assert 'enable it first' in plan['blocked'][0]['blocked_reason']
    # no host is upgraded, so no VM is predicted
    assert [a['uuid'] for a in plan['vm_actions']] == [u(21)]
    hosts[0]['state'], hosts[0]['status'] = 'Enabled', 'Disconnected'
    plan = c.build_plan(c.evaluate(info, c.build_scope(hosts, vms)))
    assert 'not Connected' in plan['blocked'][0]['blocked_reason']


def test_plan_refuses_maintenance_that_may_stop_vms():
    opts = {'host_maintenance': True, 'maintenance_policy': 'StopVmOnMigrationFailure'}
    plan = c.build_plan(evaluated(), opts)
    assert plan['counts']['host_actions'] == 0
    assert 'StopVmOnMigrationFailure' in plan['blocked'][0]['blocked_reason']
    plan = c.build_plan(evaluated(), dict(opts, allow_vm_stop_on_maintenance=True))
    assert plan['counts']['host_actions'] == 1
    plan = c.build_plan(evaluated(), dict(opts, maintenance_policy='JustMigrate'))
    assert plan['counts']['host_actions'] == 1


def test_plan_methods_none():
    plan = c.build_plan(evaluated(), {'host_method': 'none', 'vm_method': 'none'})
    assert plan['counts']['total'] == 0
    assert {e['uuid'] for e in plan['not_remediated']} == {u(1), u(21)}


def test_reboot_needs_downtime():
    with pytest.raises(c.ComplianceError, match='allow_vm_downtime'):
        c.build_plan(evaluated(), {'vm_method': 'reboot'})
    with pytest.raises(c.ComplianceError, match='allow_vm_downtime'):
        c.build_plan(evaluated(), {'vm_reboot_fallback': True})
    plan = c.build_plan(evaluated(), {'vm_method': 'reboot', 'allow_vm_downtime': True})
    assert {a['action'] for a in plan['vm_actions']} == {'reboot'}


@pytest.mark.parametrize('opts', [{'batch_size': 0}, {'max_actions': -1}, {'failure_budget': -2}, {'host_method': 'yum'},
                                  {'vm_method': 'teleport'}, {'batch_size': 'x'}])
def test_bad_options(opts):
    with pytest.raises(c.ComplianceError):
        c.check_options(opts)


def test_plan_blocks_vm_not_running():
    hosts, vms, info = fleet()
    scope = c.build_scope(hosts, vms, [u(99)])
    info[u(99)] = verdict(99, 'vm', 'Unmatched', OLD, NEW)
    plan = c.build_plan(c.evaluate(info, scope), phase='vms')
    assert [a['uuid'] for a in plan['blocked']] == [u(99)]


# ------------------------------------------------------------------ gate
def test_may_act_cap_and_budget():
    opts = {'max_actions': 3, 'failure_budget': 1}
    assert c.may_act([], opts)['allowed']
    acts = [{'status': 'ok'}, {'status': 'failed'}]
    assert c.may_act(acts, opts)['allowed']  # one failure is within the budget
    assert not c.may_act(acts + [{'status': 'failed'}], opts)['allowed']
    gate = c.may_act(acts + [{'status': 'ok'}], opts)
    assert not gate['allowed'] and 'cap of 3' in gate['reason']
    # skipped actions count neither against the cap nor the budget
    assert c.may_act([{'status': 'skipped'}] * 10, opts)['allowed']
    gate = c.may_act([{'status': 'failed'}], {'failure_budget': 0})
    assert not gate['allowed'] and 'failure budget' in gate['reason']
    assert c.may_act([{'status': 'ok'}] * 100, {'max_actions': 0})['allowed']


def test_pending():
    info = fleet()[2]
    assert c.pending(info, [u(1), u(2), u(3), u(404)]) == [u(1), u(3), u(404)]


# ------------------------------------------------------------------ result and reports
HOSTILE = '<script>alert("x")</script> & \'q\' \x01'


def result(hostile=False):
    hosts, vms, info = fleet()
    if hostile:
        hosts[0]['name'] = HOSTILE
        info[u(1)]['reason'] = HOSTILE
    before = c.evaluate(info, c.build_scope(hosts, vms))
    plan = c.build_plan(before)
    after_info = dict(info)
    after_info[u(1)] = verdict(1, 'host', 'Matched')
    after = c.evaluate(after_info, c.build_scope(hosts, vms))
    actions = [dict(plan['host_batches'][0][0], status='ok', job_uuids=[u(5000)], seconds=1.5, message='done'),
               dict(plan['vm_actions'][0], status='failed', job_uuids=[], seconds=0.2, message=HOSTILE if hostile else 'boom')]
    return c.build_result(before, after, plan, actions, check_mode=False, remediate=True, started_at='t0', finished_at='t1',
                          reports={'json': '/r/x.json'})


def test_result_shape():
    res = result()
    assert res['summary_before']['unmatched'] == 2
    assert res['summary']['unmatched'] == 1
    assert res['summary']['actions'] == {'ok': 1, 'failed': 1, 'skipped': 0}
    h1 = res['resources'][u(1)]
    assert h1['before']['verdict'] == 'Unmatched' and h1['after']['verdict'] == 'Matched'
    assert h1['actions'][0]['job_uuids'] == [u(5000)]
    assert res['compliant'] is False
    assert json.loads(c.render_report(res, 'json'))['summary']['total'] == res['summary']['total']
    msg = c.failure_message(res)
    assert msg.startswith('%d of %d resources are not compliant:' % (len(res['failing']), res['summary']['total']))
    for entry in res['failing']:
        assert entry['uuid'] in msg and entry['reason'] in msg
    assert 'and 1 more' in c.failure_message(res, limit=1) or len(res['failing']) <= 1


def test_result_keeps_resources_that_left_the_scope():
    hosts, vms, info = fleet()
    before = c.evaluate(info, c.build_scope(hosts, vms))
    info2 = dict(info)
    del info2[u(12)]
    after = c.evaluate(info2, c.build_scope(hosts, vms))
    res = c.build_result(before, after)
    assert res['resources'][u(12)]['after'] is None


def test_junit_is_valid_one_case_per_resource():
    res = result(hostile=True)
    root = ET.fromstring(c.render_report(res, 'junit'))
    cases = root.findall('.//testcase')
    assert len(cases) == res['summary']['total']
    assert int(root.get('tests')) == res['summary']['total']
    failures = root.findall('.//testcase/failure')
    assert len(failures) == res['summary']['failing'] == int(root.get('failures'))
    assert len(root.findall('.//testcase/skipped')) == res['summary']['warning']
    names = [case.get('name') for case in cases]
    assert any('<script>' in n for n in names)  # the hostile name survives, escaped, as data
    assert all('\x01' not in n for n in names)


def test_junit_empty_fleet():
    res = c.build_result(c.evaluate({}), None)
    root = ET.fromstring(c.render_report(res, 'junit'))
    assert root.get('tests') == '0'


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_escapes_hostile_names_and_shows_counts():
    res = result(hostile=True)
    page = c.render_report(res, 'html')
    assert '<script>alert' not in page
    assert '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;' in page
    parser = _Collector()
    parser.feed(page)
    assert 'script' not in parser.tags
    text = ''.join(parser.text)
    assert HOSTILE.replace('\x01', '\x01') in text or '<script>alert("x")</script>' in text
    for key in ('total', 'matched', 'unmatched', 'failing'):
        assert '<div class="card" id="count-%s"><div class="n">%d</div>' % (key, res['summary'][key]) in page
    assert 'class="v-Unmatched"' in page and 'class="v-Matched"' in page
    assert page.count('<table') >= 3  # two clusters + plan (+ actions)
    assert 'id="actions"' in page


def test_html_check_mode_says_nothing_changed():
    ev = evaluated()
    res = c.build_result(ev, None, c.build_plan(ev), [], check_mode=True)
    page = c.render_report(res, 'html')
    assert 'check mode (nothing changed)' in page
    assert 'No action was taken (check mode)' in page


def test_unknown_format():
    with pytest.raises(c.ComplianceError, match='format'):
        c.render_report({}, 'pdf')


def test_table_lines():
    res = result()
    lines = c.table_lines(res)
    assert lines[0].startswith('%d resources:' % res['summary']['total'])
    assert lines[1].split()[:3] == ['TYPE', 'NAME', 'UUID']
    assert len(lines) == 2 + res['summary']['total']
    assert lines[2].split()[0] == 'host'
    assert 'Unmatched->Matched' in [line for line in lines if u(1) in line][0]


def test_render_several_formats_at_once():
    res = result()
    texts = c.render_report(res, ['json', 'junit', 'html'])
    assert sorted(texts) == ['html', 'json', 'junit']
    assert texts['html'] == c.render_report(res, 'html')


def test_table_lists_only_problems_on_big_fleets():
    res = result()
    total = res['summary']['total']
    lines = c.table_lines(res, max_lines=3)
    not_passing = [e for e in res['resources'].values() if e['outcome'] != 'pass']
    assert len(lines) == 2 + min(3, len(not_passing)) + 1
    assert lines[-1].startswith('... %d more resources' % (total - min(3, len(not_passing))))
    assert len(c.table_lines(res, max_lines=0)) == 2 + total


def test_plan_lines_are_capped():
    hosts = [host(n) for n in range(1, 151)]
    info = dict((h['uuid'], verdict(int(h['uuid'], 16), 'host', 'Unmatched', OLD, NEW)) for h in hosts)
    plan = c.build_plan(c.evaluate(info, c.build_scope(hosts)), {'max_actions': 0})
    assert plan['counts']['host_actions'] == 150
    assert len(plan['lines']) == c.MAX_PLAN_LINES + 1
    assert plan['lines'][-1] == '... and 50 more plan lines (the reports hold the whole plan)'


class _OnlyByKey(dict):
    """The resources of a big fleet, failing any walk over all of them."""

    def values(self):
        raise AssertionError('every resource was read')

    def items(self):
        raise AssertionError('every resource was read')

    def __iter__(self):
        raise AssertionError('every resource was read')


def test_table_of_a_big_fleet_reads_only_what_does_not_pass():
    res = result()
    slow = dict(res)
    del slow['failing']  # without the outcome lists, the table has to look at every resource
    expected = c.table_lines(slow, max_lines=3)
    fast = dict(res, resources=_OnlyByKey(res['resources']))
    assert c.table_lines(fast, max_lines=3) == expected
    assert len(expected) == 2 + 3 + 1 and expected[-1].startswith('... %d more' % (res['summary']['total'] - 3))
