# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of plugin_utils/_reports.py: the result fact, the console table, the failure message, the reports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from ansible_collections.zstack.cloud.plugins.plugin_utils._common import ComplianceError
from ansible_collections.zstack.cloud.plugins.plugin_utils._plan import build_plan
from ansible_collections.zstack.cloud.plugins.plugin_utils._policy import evaluate
from ansible_collections.zstack.cloud.plugins.plugin_utils._reports import (
    build_result,
    failure_message,
    render_report,
    summary_line,
    table_lines,
)
from ansible_collections.zstack.cloud.plugins.plugin_utils._scope import build_scope
from ansible_collections.zstack.cloud.tests.unit.plugins.plugin_utils.compliance_fleet import HOSTILE, evaluated, fleet, result, u


def test_result_shape():
    res = result()
    assert res['summary_before']['unmatched'] == 2
    assert res['summary']['unmatched'] == 1
    assert res['summary']['actions'] == {'ok': 1, 'failed': 1, 'skipped': 0}
    h1 = res['resources'][u(1)]
    assert h1['before']['verdict'] == 'Unmatched' and h1['after']['verdict'] == 'Matched'
    assert h1['actions'][0]['job_uuids'] == [u(5000)]
    assert res['compliant'] is False
    assert json.loads(render_report(res, 'json'))['summary']['total'] == res['summary']['total']
    msg = failure_message(res)
    assert msg.startswith('%d of %d resources fail the compliance policy (1 more with a warning, not failing):\n'
                          % (len(res['failing']), res['summary']['total']))
    for entry in res['failing']:
        assert entry['uuid'] in msg and entry['reason'] in msg
    assert 'and 1 more' in failure_message(res, limit=1) or len(res['failing']) <= 1


def test_result_keeps_resources_that_left_the_scope():
    hosts, vms, info = fleet()
    before = evaluate(info, build_scope(hosts, vms))
    info2 = dict(info)
    del info2[u(12)]
    after = evaluate(info2, build_scope(hosts, vms))
    res = build_result(before, after)
    assert res['resources'][u(12)]['after'] is None


def test_junit_is_valid_one_case_per_resource():
    res = result(hostile=True)
    root = ET.fromstring(render_report(res, 'junit'))
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
    res = build_result(evaluate({}), None)
    root = ET.fromstring(render_report(res, 'junit'))
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
    page = render_report(res, 'html')
    assert '<script>alert' not in page
    assert '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;' in page
    assert '&amp;lt;' not in page and '&amp;quot;' not in page  # escaped once, in a macro's markup too
    parser = _Collector()
    parser.feed(page)
    assert 'script' not in parser.tags
    text = ''.join(parser.text)
    assert HOSTILE.replace('\x01', '\x01') in text or '<script>alert("x")</script>' in text
    for key in ('total', 'matched', 'unmatched', 'failing'):
        assert '<div class="card" id="count-%s"><div class="n">%d</div>' % (key, res['summary'][key]) in page
    assert 'class="v-Unmatched' in page and 'class="v-Matched' in page
    assert page.count('<table') >= 3  # two clusters + plan (+ actions)
    assert 'id="actions"' in page


def test_html_check_mode_says_nothing_changed():
    ev = evaluated()
    res = build_result(ev, None, build_plan(ev), [], check_mode=True)
    page = render_report(res, 'html')
    assert 'check mode (nothing changed)' in page
    assert 'No action was taken (check mode)' in page


def test_unknown_format():
    with pytest.raises(ComplianceError, match='format'):
        render_report({}, 'pdf')


def test_table_lines():
    res = result()
    lines = table_lines(res)
    assert lines[0].startswith('%d resources:' % res['summary']['total'])
    assert lines[1].split() == ['NAME', 'TYPE', 'ZONE/CLUSTER', 'CURRENT', 'EXPECTED', 'VERDICT', 'OUTCOME', 'UUID', 'REASON']
    assert len(lines) == 2 + res['summary']['total']
    # failing first, then warnings, then passing; hosts before VMs within each
    outcomes = [line.split()[6] for line in lines[2:]]
    assert outcomes == sorted(outcomes, key=['fail', 'warn', 'ignore', 'pass'].index)
    assert 'Unmatched->Matched' in [line for line in lines if u(1) in line][0]


def test_render_several_formats_at_once():
    res = result()
    texts = render_report(res, ['json', 'junit', 'html'])
    assert sorted(texts) == ['html', 'json', 'junit']
    assert texts['html'] == render_report(res, 'html')


def test_table_lists_only_problems_on_big_fleets():
    res = result()
    total = res['summary']['total']
    lines = table_lines(res, max_lines=3)
    not_passing = [e for e in res['resources'].values() if e['outcome'] != 'pass']
    assert len(lines) == 2 + min(3, len(not_passing)) + 1
    assert lines[-1].startswith('... %d more resources' % (total - min(3, len(not_passing))))
    assert len(table_lines(res, max_lines=0)) == 2 + total


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
    expected = table_lines(slow, max_lines=3)
    fast = dict(res, resources=_OnlyByKey(res['resources']))
    assert table_lines(fast, max_lines=3) == expected
    assert len(expected) == 2 + 3 + 1 and expected[-1].startswith('... %d more' % (res['summary']['total'] - 3))


def test_summary_line_counts_every_verdict_and_outcome():
    ev = evaluated()
    assert summary_line(ev['summary']) == (
        '9 resources: 3 failing, 1 warning, 5 passing; verdicts: 5 Matched, 2 Unmatched, 1 Unknown, 1 without record')
    assert summary_line({'total': 1, 'matched': 1}) == '1 resource: 0 failing, 0 warnings, 1 passing; verdicts: 1 Matched'
    assert summary_line({'total': 2, 'error': 1, 'not_found': 1, 'failing': 1, 'ignored': 1}) == (
        '2 resources: 1 failing, 0 warnings, 1 ignored, 0 passing; verdicts: 1 not found, 1 Error')


def test_result_counts_actions_by_status_and_lists_them_per_resource():
    ev = evaluated()
    plan = build_plan(ev)
    skipped = dict(plan['vm_actions'][0], status='skipped', job_uuids=[], seconds=0, message='the cap')
    res = build_result(ev, None, plan, [skipped])
    assert res['summary']['actions'] == {'ok': 0, 'failed': 0, 'skipped': 1}
    entry = res['resources'][skipped['uuid']]
    assert entry['actions'] == [{'action': skipped['action'], 'status': 'skipped', 'job_uuids': [], 'seconds': 0,
                                 'message': 'the cap'}]
    # without an after, before stands for both
    assert entry['before'] == entry['after']
    assert res['summary_before'] == ev['summary']


def test_table_stays_aligned_for_wide_names_and_line_breaks():
    from ansible_collections.zstack.cloud.plugins.plugin_utils._reports import display_width
    res = result()
    res['resources'][u(1)]['name'] = '计算节点-1'  # East Asian wide characters: two columns each
    res['resources'][u(2)]['name'] = 'evil\nname\t'
    res['names'] = {res['resources'][u(1)]['zone_uuid']: 'zone-东'}
    lines = table_lines(res)
    header = lines[1]
    starts = [header.index(column) for column in ('TYPE', 'ZONE/CLUSTER', 'CURRENT', 'VERDICT', 'UUID')]
    for line in lines[2:]:
        assert '\n' not in line and '\t' not in line
        for column, start in zip(('TYPE', 'ZONE/CLUSTER', 'CURRENT', 'VERDICT', 'UUID'), starts):
            # what stands left of each column takes exactly the header's columns on a terminal
            prefix = line[:len(line)]
            width = 0
            for index, ch in enumerate(prefix):
                if width == start:
                    assert prefix[index - 2:index] == '  ', (column, line)
                    break
                width += display_width(ch)
            else:
                raise AssertionError('column %s not reached in %r' % (column, line))
    row = [line for line in lines if u(2) in line][0]
    assert row.startswith('evil\\nname\\t')
    assert 'zone-东/' in [line for line in lines if u(1) in line][0]


def test_table_caps_a_long_fleet_and_points_at_the_report():
    res = result()
    res['reports'] = {'json': '/r/virtualizer-compliance.json'}
    lines = table_lines(res, max_lines=1)
    assert len(lines) == 4 and lines[2].split()[6] == 'fail'
    assert lines[3] == '... %d more resources not listed (passing); every resource is in /r/virtualizer-compliance.json' % (
        res['summary']['total'] - 1)


def test_drift_lines():
    from ansible_collections.zstack.cloud.plugins.plugin_utils._reports import drift_lines
    assert drift_lines(None) == []
    lines = drift_lines({'since': '2026-01-01T00:00:00Z', 'newly_failing': [
        {'uuid': u(1), 'name': 'kvm-1', 'resource_type': 'host', 'before': {'verdict': 'Matched', 'outcome': 'pass'},
         'after': {'verdict': 'Unmatched', 'outcome': 'fail'}}], 'fixed': [], 'new': [], 'gone': [
        {'uuid': u(2), 'name': 'vm-2', 'resource_type': 'vm', 'before': {'verdict': 'Matched', 'outcome': 'pass'}, 'after': None}]},
        source='/r/old.json')
    assert lines == [
        'Since the report of 2026-01-01T00:00:00Z (/r/old.json): 1 newly failing, 0 fixed, 0 new, 1 gone',
        '  newly failing: host kvm-1 (%s) Matched (pass) -> Unmatched (fail)' % u(1),
        '  gone: VM vm-2 (%s) Matched (pass) -> absent' % u(2),
    ]
