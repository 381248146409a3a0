# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the report views (JSON, JUnit XML and HTML from the shipped templates) and of drift()."""

from __future__ import annotations

import json
import re
import os
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from ansible_collections.zstack.cloud.plugins.plugin_utils import _forked, _plan, _policy, _reports, _scope
from ansible_collections.zstack.cloud.plugins.plugin_utils._common import ComplianceError
from ansible_collections.zstack.cloud.tests.unit.plugins.plugin_utils.test_forked import MULTI_THREADED

NEW = '4.2.0-632.g6a6222b.el7'
OLD = '4.2.0-627.g36ee592.el7'
HOSTILE = '<script>alert("x")</script> & \'q\'\x01'
ZONE, CLUSTER_A, CLUSTER_B = 'a' * 32, 'b' * 32, 'c' * 32


def u(n):
    return '%032x' % n


def host(n, name, cluster):
    return {'uuid': u(n), 'name': name, 'clusterUuid': cluster, 'zoneUuid': ZONE, 'state': 'Enabled', 'status': 'Connected'}


def vm(n, host_n, name, cluster):
    return {'uuid': u(n), 'name': name, 'hostUuid': u(host_n), 'clusterUuid': cluster, 'zoneUuid': ZONE, 'state': 'Running'}


def verdict(n, kind, state, current=NEW, expect=NEW):
    return {'uuid': u(n), 'resource_type': 'HostVO' if kind == 'host' else 'VmInstanceVO', 'verdict': state,
            'current_version': current, 'expect_version': expect, 'reason': None if state == 'Matched' else '%s reason' % state}


def fleet():
    """kvm-1 Unmatched (vm-1 on it), kvm-2 Matched (vm-2 Unmatched, vm-3 Matched), kvm-3 Unknown (cluster B)."""
    hosts = [host(1, 'kvm-1', CLUSTER_A), host(2, 'kvm-2', CLUSTER_A), host(3, 'kvm-3', CLUSTER_B)]
    vms = [vm(11, 1, 'vm-1', CLUSTER_A), vm(21, 2, 'vm-2', CLUSTER_A), vm(22, 2, 'vm-3', CLUSTER_A)]
    info = {u(1): verdict(1, 'host', 'Unmatched', OLD, NEW), u(2): verdict(2, 'host', 'Matched'),
            u(3): verdict(3, 'host', 'Unknown', NEW, None), u(11): verdict(11, 'vm', 'Matched', OLD, OLD),
            u(21): verdict(21, 'vm', 'Unmatched', OLD, NEW), u(22): verdict(22, 'vm', 'Matched')}
    return hosts, vms, info


NAMES = {ZONE: 'zone-east', CLUSTER_A: 'cluster-alpha', CLUSTER_B: 'cluster-beta'}
AUDIT = {'collection_version': '1.1.0', 'ansible_core_version': '2.21.5', 'api_url': 'https://admin:s3cret@zs.example.com:8443/zstack?token=x',
         'auth': 'access_key', 'principal': 'AKID123'}


def remediated(hostile=False, **extra):
    """A remediation run: kvm-1 upgraded (ok, 12.5 s), vm-2 migrated (failed, 3.25 s); kvm-3 still Unknown."""
    hosts, vms, info = fleet()
    if hostile:
        hosts[2]['name'] = HOSTILE
        info[u(3)]['reason'] = HOSTILE
    scope = _scope.build_scope(hosts, vms)
    before = _policy.evaluate(info, scope)
    plan = _plan.build_plan(before)
    after_info = dict(info)
    after_info[u(1)] = verdict(1, 'host', 'Matched')
    after = _policy.evaluate(after_info, scope)
    vm_action = [a for a in plan['vm_actions'] if a['uuid'] == u(21)][0]
    actions = [dict(plan['host_batches'][0][0], status='ok', job_uuids=[u(5000)], seconds=12.5, message='upgraded'),
               dict(vm_action, status='failed', job_uuids=[], seconds=3.25, message=HOSTILE if hostile else 'no host')]
    result = _reports.build_result(before, after, plan, actions, check_mode=False, remediate=True,
                                   started_at='2026-12-03T09:00:00Z', finished_at='2026-12-03T09:05:00Z')
    result.update(names=dict(NAMES), audit=dict(AUDIT))
    result.update(extra)
    return result


def checked(**extra):
    hosts, vms, info = fleet()
    evaluation = _policy.evaluate(info, _scope.build_scope(hosts, vms))
    result = _reports.build_result(evaluation, None, _plan.build_plan(evaluation), [], check_mode=True)
    result.update(extra)
    return result


class Page(HTMLParser):
    """The parsed HTML: tags, the text of every element with an id, every table's rows as cell texts."""

    def __init__(self, text):
        super().__init__()
        self.tags, self.by_id, self.tables, self._open, self._row, self._cell = [], {}, [], [], None, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag not in ('br', 'meta'):
            self._open.append(attrs.get('id'))
            if attrs.get('id'):
                self.by_id[attrs['id']] = ''
        if tag == 'table':
            self.tables.append({'id': attrs.get('id'), 'rows': []})
        elif tag == 'tr':
            self._row = []
            self.tables[-1]['rows'].append(self._row)
        elif tag in ('td', 'th'):
            self._cell = []
            self._row.append(self._cell)

    def handle_endtag(self, tag):
        if tag not in ('br', 'meta') and self._open:
            self._open.pop()
        if tag in ('td', 'th'):
            self._cell = None

    def handle_data(self, data):
        for ident in self._open:
            if ident:
                self.by_id[ident] += data
        if self._cell is not None:
            self._cell.append(data)

    def text_of(self, ident):
        return ' '.join(self.by_id[ident].split())

    def table(self, ident):
        """The rows (as joined cell texts) of the table with id ``ident``, without its header row."""
        rows = [t['rows'] for t in self.tables if t['id'] == ident][0][1:]
        return [[' '.join(''.join(c).split()) for c in row] for row in rows]

    def table_rows_of(self, section):
        """The rows (as joined cell texts) of every table, without header rows, if the page has an element ``section``."""
        assert section in self.by_id
        return [[' '.join(''.join(c).split()) for c in row] for table in self.tables for row in table['rows'][1:]]

    def rows(self, header):
        """The rows (as joined cell texts) of every table whose first header cell is ``header``."""
        found = []
        for table in self.tables:
            if table['rows'] and ''.join(table['rows'][0][0]) == header:
                found.extend([' '.join(''.join(c).split()) for c in row] for row in table['rows'][1:])
        return found


# ------------------------------------------------------------------ JSON
def test_json_has_schema_version_audit_and_names_beside_uuids():
    result = remediated()
    doc = json.loads(_reports.render_report(result, 'json'))
    assert doc['schema_version'] == _reports.SCHEMA_VERSION == 2
    assert doc['audit'] == {'collection_version': '1.1.0', 'ansible_core_version': '2.21.5',
                            'api_url': 'https://zs.example.com:8443/zstack', 'auth': 'access_key', 'principal': 'AKID123'}
    assert 's3cret' not in json.dumps(doc)
    vm2 = doc['resources'][u(21)]
    assert (vm2['zone_name'], vm2['cluster_name'], vm2['host_name']) == ('zone-east', 'cluster-alpha', 'kvm-2')
    assert doc['names'][u(1)] == 'kvm-1' and doc['names'][CLUSTER_B] == 'cluster-beta'
    assert doc['drift'] is None
    # everything of schema 1 stays where it was
    assert set(NAMES.items()) < set(doc['names'].items())
    for key in result:
        if key not in ('resources', 'names', 'audit'):
            assert doc[key] == json.loads(json.dumps(result[key], default=str)), key
    assert set(vm2) - set(result['resources'][u(21)]) == {'zone_name', 'cluster_name', 'host_name'}


def test_json_puts_each_resource_on_one_line_sorted_and_loads_as_the_document():
    result = remediated()
    text = _reports.render_report(result, 'json')
    document = _reports.report_document(result)
    assert json.loads(text) == json.loads(json.dumps(document, default=str))
    lines = text.splitlines()
    assert lines[0] == '{' and lines[-1] == '}' and text.endswith('}\n')
    top = [re.match(r'^  "([^"]+)": ', line).group(1) for line in lines if re.match(r'^  "', line)]
    assert top == sorted(document)
    entries = dict(re.match(r'^    "([0-9a-f]{32})": (\{.*\}),?$', line).groups() for line in lines if re.match(r'^    "[0-9a-f]{32}": \{', line))
    assert sorted(entries) == sorted(document['resources'])  # one line each
    for uuid, entry in document['resources'].items():
        assert json.loads(entries[uuid]) == json.loads(json.dumps(entry, default=str))


@pytest.mark.parametrize('value', [{}, [], {'a': []}, {'a': {}, 'b': [1, {'c': None}], 'd': 'x'}, [{'k': [1, 2]}, 'é"\\'],
                                   {'z': {'y': {'x': {'w': 1}}}}, 7, None])
def test_the_json_text_is_json_of_any_value(value):
    text = _reports.dump_json(value)
    assert json.loads(text) == value and text.endswith('\n') and '\n\n' not in text


def test_json_without_audit_or_names_keeps_every_key_null():
    doc = json.loads(_reports.render_report(checked(), 'json'))
    assert doc['audit'] == dict((k, None) for k in _reports.AUDIT_KEYS)
    assert doc['resources'][u(21)]['cluster_name'] is None
    assert doc['resources'][u(21)]['host_name'] == 'kvm-2'  # hosts in scope name themselves


# ------------------------------------------------------------------ JUnit
def test_junit_one_case_per_resource_with_real_times_and_no_none():
    result = remediated(hostile=True)
    text = _reports.render_report(result, 'junit')
    root = ET.fromstring(text)
    cases = root.findall('.//testcase')
    assert len(cases) == result['summary']['total'] == int(root.get('tests')) == 6
    assert len(set(c.get('name') for c in cases)) == len(cases)
    failures = root.findall('.//testcase/failure')
    assert len(failures) == result['summary']['failing'] == int(root.get('failures'))
    assert len(root.findall('.//testcase/skipped')) == result['summary']['warning']
    times = dict((c.get('name').rsplit('(', 1)[1].rstrip(')'), c.get('time')) for c in cases)
    assert times[u(1)] == '12.5' and times[u(21)] == '3.25'
    assert [t for uuid, t in times.items() if uuid not in (u(1), u(21))] == ['0'] * 4
    assert root.get('time') == '15.75'
    suites = dict((s.get('name'), s) for s in root.findall('testsuite'))
    assert suites['zstack.virtualizer_compliance.hosts'].get('time') == '12.5'
    assert suites['zstack.virtualizer_compliance.hosts'].get('timestamp') == '2026-12-03T09:00:00'
    assert 'None' not in text
    # names beside UUIDs, and what was done, in the case's output
    out = [c for c in cases if u(21) in c.get('name')][0].find('system-out').text
    assert out.splitlines() == [
        'type: vm', 'zone: zone-east (%s)' % ZONE, 'cluster: cluster-alpha (%s)' % CLUSTER_A, 'host: kvm-2 (%s)' % u(2),
        'verdict: Unmatched', 'current_version: %s' % OLD, 'expect_version: %s' % NEW, 'outcome: fail', 'reason: Unmatched reason',
        'action: migrate failed (3.25 s): %s' % HOSTILE.replace('\x01', '')]  # one line each, no blank one
    props = dict((p.get('name'), p.get('value')) for p in suites['zstack.virtualizer_compliance.hosts'].iter('property'))
    assert props['api-url'] == 'https://zs.example.com:8443/zstack' and props['principal'] == 'access key AKID123'
    assert 's3cret' not in text and 'token' not in text
    # the hostile name survives as data, without the character XML cannot carry
    assert any(HOSTILE.replace('\x01', '') in c.get('name') for c in cases)


def test_junit_missing_values_print_as_dash_and_absent_audit_is_left_out():
    text = _reports.render_report(checked(), 'junit')
    root = ET.fromstring(text)
    assert 'None' not in text
    unknown = [c for c in root.iter('testcase') if u(3) in c.get('name')][0]
    assert 'expect_version: -' in unknown.find('system-out').text
    zone_less = dict(checked(), names={})
    for entry in zone_less['resources'].values():
        entry['zone_uuid'] = None
    host_out = [c for c in ET.fromstring(_reports.render_report(zone_less, 'junit')).iter('testcase') if u(3) in c.get('name')][0]
    assert host_out.find('system-out').text.splitlines()[:3] == ['type: host', 'zone: -', 'cluster: %s' % CLUSTER_B]  # no name: the UUID
    assert unknown.find('failure').get('type') == 'Unknown'
    names = [p.get('name') for p in root.iter('property')]
    assert 'collection' not in names and 'api-url' not in names and 'mode' in names
    assert root.find('testsuite').get('timestamp') is None
    assert root.get('time') == '0'


def test_junit_empty_fleet():
    result = _reports.build_result(_policy.evaluate({}), None)
    root = ET.fromstring(_reports.render_report(result, 'junit'))
    assert root.get('tests') == '0' and root.findall('testsuite') == []


# ------------------------------------------------------------------ HTML
def test_html_failing_first_listed_at_the_top_with_names():
    result = remediated()
    page = Page(_reports.render_report(result, 'html'))
    failing = page.rows('Type')[:len(result['failing'])]
    assert sorted(row[1] for row in failing) == sorted('%s %s' % (e['name'], e['uuid']) for e in result['failing'])
    assert page.text_of('failing').startswith('Failing resources (%d)' % result['summary']['failing'])
    top = page.by_id['failing']
    assert 'vm-2' in top and 'kvm-3' in top and 'kvm-1' not in top  # kvm-1 was fixed by the run
    failing_rows = [r for r in page.tables if r['id'] is None][0]['rows'][1:]
    assert ' '.join(''.join(failing_rows[0][2]).split()) == 'zone-east %s' % ZONE
    # cluster tables: titled by name with the UUID beside; failing rows first; the failing cluster first
    text = ' '.join(''.join(page.by_id['resources']).split())
    assert 'Zone zone-east %s (6 resources, 2 failing)' % ZONE in text
    assert 'Cluster cluster-alpha %s (5 resources, 1 failing)' % CLUSTER_A in text
    assert text.index('Cluster cluster-alpha') < text.index('Cluster cluster-beta')  # both have a failing resource: by name
    alpha = [r for r in page.tables if r['rows'] and ''.join(r['rows'][0][2]) == 'Host'][0]['rows'][1:]
    outcomes = [''.join(row[7]) for row in alpha]
    assert outcomes == sorted(outcomes, key=lambda o: o != 'fail') and outcomes[0] == 'fail'
    vm2 = [row for row in alpha if u(21) in ''.join(row[1])][0]
    assert ' '.join(''.join(vm2[2]).split()) == 'kvm-2 %s' % u(2)


def test_html_plan_shows_what_happened_and_audit_header():
    page = Page(_reports.render_report(remediated(), 'html'))
    plan = dict((row[3].split()[-1], row) for row in page.rows('#'))
    assert plan[u(1)][6] == 'done' and plan[u(1)][7] == '12.5'
    assert plan[u(21)][6] == 'failed' and plan[u(21)][8] == 'no host'
    assert 'planned' not in [row[6] for row in plan.values()]
    assert plan[u(11)][6] == 'not run'  # predicted for kvm-1's upgrade, never recorded
    assert page.text_of('audit-collection') == 'zstack.cloud 1.1.0'
    assert page.text_of('audit-ansible-core') == '2.21.5'
    assert page.text_of('audit-api-url') == 'https://zs.example.com:8443/zstack'
    assert page.text_of('audit-principal') == 'access key AKID123'
    assert page.text_of('audit-mode') == 'remediation'
    assert page.text_of('audit-started') == '2026-12-03T09:00:00Z'
    assert page.text_of('audit-policy') == 'Unknown=fail, no record=warn, error=fail'
    assert page.text_of('before').startswith('Before remediation: 3 Matched, 2 Unmatched, 1 Unknown')


def test_html_check_mode_counts_and_missing_values():
    result = checked()
    text = _reports.render_report(result, 'html')
    page = Page(text)
    for key in ('total', 'matched', 'unmatched', 'unknown', 'no_record', 'not_found', 'failing', 'warning'):
        assert '<div class="card" id="count-%s"><div class="n">%d</div>' % (key, result['summary'][key]) in text
    assert 'class="cards failing"' in text  # the FAILING card stands out (CSS on .cards.failing #count-failing)
    assert '.cards.failing #count-failing{background:#a1121f' in text
    assert page.text_of('verdict') == 'Not compliant: 3 resources fail the policy'
    assert page.text_of('audit-collection') == '-' and page.text_of('audit-mode') == 'check mode (nothing changed)'
    assert set(row[6] for row in page.rows('#')) == {'planned (check mode)'}
    assert 'No action was taken (check mode).' in text
    assert 'None' not in ''.join(page.by_id.values()) and '>None<' not in text
    assert '.ver,.uuid,.nowrap{white-space:nowrap}' in text
    assert text.count('class="ver"') >= 2 * result['summary']['total'] + 2


def test_html_compliant_fleet():
    hosts, vms, info = fleet()
    info = dict((uuid, dict(v, verdict='Matched', reason=None)) for uuid, v in info.items())
    evaluation = _policy.evaluate(info, _scope.build_scope(hosts, vms))
    page = Page(_reports.render_report(_reports.build_result(evaluation, None, _plan.build_plan(evaluation), []), 'html'))
    assert page.text_of('verdict') == 'Compliant: no resource fails the policy'
    assert page.text_of('failing') == 'Failing resources (0) No resource fails the policy.'
    assert 'drift' not in page.by_id


def test_html_escapes_hostile_values():
    text = _reports.render_report(remediated(hostile=True), 'html')
    page = Page(text)
    assert 'script' not in page.tags
    assert '<script>' not in text and '\x01' not in text
    assert HOSTILE.replace('\x01', '') in page.by_id['failing']


def test_every_hostile_value_is_escaped_once_in_macros_too():
    """Zone, cluster and host names reach the HTML through the ref macro, whose markup is kept (| safe) while the
    names in it are escaped: each hostile value parses back to itself, never as a tag, never escaped twice."""
    clean = HOSTILE.replace('\x01', '')
    result = remediated(hostile=True, names=dict(NAMES, **{ZONE: HOSTILE, CLUSTER_A: HOSTILE}))
    text = _reports.render_report(result, 'html')
    page = Page(text)
    assert 'script' not in page.tags and 'span' in page.tags and 'code' in page.tags
    assert '&amp;lt;' not in text and '&amp;quot;' not in text and '&amp;#' not in text
    zone_headings = re.findall(r'<h3 class="zone">(.*?)</h3>', text)
    assert zone_headings and all('<span class="nm">&lt;script&gt;' in h for h in zone_headings)
    failing = page.table_rows_of('failing')
    assert any(clean in cell for row in failing for cell in row)  # the host named hostile, through ref()
    root = ET.fromstring(_reports.render_report(result, 'junit'))
    outs = [c.find('system-out').text for c in root.iter('testcase')]
    assert all(('zone: %s (%s)' % (clean, ZONE)) in out for out in outs)


def test_html_and_junit_agree():
    result = remediated()
    texts = _reports.render_report(result, ['json', 'junit', 'html'])
    assert sorted(texts) == ['html', 'json', 'junit']
    assert texts['html'] == _reports.render_html(result) and texts['junit'] == _reports.render_junit(result)
    root = ET.fromstring(texts['junit'])
    page = Page(texts['html'])
    failed_cases = sorted(c.get('name').rsplit('(', 1)[1].rstrip(')') for c in root.iter('testcase') if c.find('failure') is not None)
    assert failed_cases == sorted(row[1].split()[-1] for row in page.rows('Type')[:len(failed_cases)])


class CountingForked(_forked.Forked):
    """Forked, counting the children it forks."""

    started_children = []

    def __init__(self, produce):
        super().__init__(produce)
        if self.started:
            self.started_children.append(self._pid)  # pylint: disable=protected-access


@pytest.fixture
def forks(monkeypatch):
    """Every report format side by side from the first resource on; the children forked, in a list."""
    monkeypatch.setattr(_reports, 'PARALLEL_MIN_RESOURCES', 1)
    monkeypatch.setattr(_forked, '_threads', lambda: 1)  # other tests of the run may leave idle threads behind
    monkeypatch.setattr(CountingForked, 'started_children', [])
    monkeypatch.setattr(_forked, 'Forked', CountingForked)
    return CountingForked.started_children


@pytest.mark.skipif(not hasattr(os, 'fork'), reason='os.fork is POSIX only')
@MULTI_THREADED
@pytest.mark.parametrize('formats', [['json', 'junit', 'html'], ['html', 'json'], ['junit', 'html'], ['json', 'html', 'json']])
def test_reports_made_side_by_side_are_the_same_texts(forks, formats):
    result = remediated(hostile=True)
    texts = _reports.render_report(result, formats)
    assert len(forks) == len(set(formats)) - 1  # all but one in a child; this process makes the last
    assert list(texts) == list(dict.fromkeys(formats))
    for fmt in formats:
        assert texts[fmt] == _reports.render_report(result, fmt)  # one format: no fork


@pytest.mark.skipif(not hasattr(os, 'fork'), reason='os.fork is POSIX only')
@MULTI_THREADED
def test_a_report_whose_child_fails_is_made_here(forks, monkeypatch):
    result = remediated()
    expected = {fmt: _reports.render_report(result, fmt) for fmt in _reports.REPORT_FORMATS}
    parent, real = os.getpid(), _reports._render  # pylint: disable=protected-access

    def failing_in_a_child(fmt, *args):
        if os.getpid() != parent:
            raise MemoryError('out of memory in the child')
        return real(fmt, *args)
    monkeypatch.setattr(_reports, '_render', failing_in_a_child)
    assert _reports.render_report(result, list(_reports.REPORT_FORMATS)) == expected
    assert len(forks) == 2


@pytest.mark.skipif(not hasattr(os, 'fork'), reason='os.fork is POSIX only')
@MULTI_THREADED
def test_an_error_here_raises_and_leaves_no_child(forks, monkeypatch):
    parent = os.getpid()

    def broken_here(fmt, *args):
        if os.getpid() == parent:
            raise ComplianceError('the report template report.html.j2 is broken')
        return 'text'
    monkeypatch.setattr(_reports, '_render', broken_here)
    with pytest.raises(ComplianceError, match='report.html.j2 is broken'):
        _reports.render_report(remediated(), ['json', 'junit', 'html'])
    assert len(forks) == 2
    for pid in forks:  # reaped, none left running or a zombie
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_a_small_fleet_forks_nothing(monkeypatch):
    monkeypatch.setattr(_forked, '_threads', lambda: 1)
    monkeypatch.setattr(CountingForked, 'started_children', [])
    monkeypatch.setattr(_forked, 'Forked', CountingForked)
    result = remediated()
    assert len(result['resources']) < _reports.PARALLEL_MIN_RESOURCES
    _reports.render_report(result, list(_reports.REPORT_FORMATS))
    assert not CountingForked.started_children


def test_unknown_format_and_bad_names():
    with pytest.raises(ComplianceError, match='report format must be one of json, junit, html'):
        _reports.render_report({}, 'pdf')
    with pytest.raises(ComplianceError, match='names of the result must be a dict'):
        _reports.render_report(dict(checked(), names=['x']), 'html')


def test_templates_ship_next_to_the_code():
    assert os.path.dirname(_reports.TEMPLATE_DIR) == os.path.dirname(os.path.abspath(_reports.__file__))
    for name in _reports.TEMPLATES.values():
        assert os.path.isfile(os.path.join(_reports.TEMPLATE_DIR, name))


@pytest.mark.parametrize('url,shown', [
    ('https://u:p@h.example:8443/zstack?x=1#f', 'https://h.example:8443/zstack'),
    ('http://[::1]:8080', 'http://[::1]:8080'),
    (None, None),
    ('http://h:notaport', '(not a URL)'),
])
def test_safe_url(url, shown):
    assert _reports.safe_url(url) == shown


# ------------------------------------------------------------------ drift
def previous_of(result, schema=2):
    doc = json.loads(_reports.render_report(result, 'json'))
    if schema == 1:
        doc = dict(result, resources=result['resources'])
        doc = json.loads(json.dumps(doc, default=str))
        assert 'schema_version' not in doc
    return doc


@pytest.mark.parametrize('schema', [1, 2])
def test_drift_newly_failing_fixed_new_gone(schema):
    before = checked()  # kvm-1, vm-2 Unmatched, kvm-3 Unknown: failing
    previous = previous_of(before, schema)
    previous['resources'][u(99)] = dict(previous['resources'][u(22)], uuid=u(99), name='vm-gone')
    previous['resources'][u(22)]['outcome'] = 'fail'  # vm-3 failed last time
    previous['finished_at'] = '2026-12-02T09:00:00Z'
    now = remediated()  # kvm-1 fixed; vm-3 passes now
    del previous['resources'][u(11)]  # vm-1 is new
    previous['resources'][u(21)]['outcome'] = 'pass'  # vm-2 passed last time, fails now
    found = _reports.drift(previous, now)
    assert found['since'] == '2026-12-02T09:00:00Z'
    assert [i['uuid'] for i in found['newly_failing']] == [u(21)]
    assert found['newly_failing'][0]['before'] == {'verdict': 'Unmatched', 'outcome': 'pass'}
    assert found['newly_failing'][0]['after'] == {'verdict': 'Unmatched', 'outcome': 'fail'}
    assert [i['uuid'] for i in found['fixed']] == [u(1), u(22)]  # hosts first
    assert found['fixed'][0]['after'] == {'verdict': 'Matched', 'outcome': 'pass'}
    assert [(i['uuid'], i['before'], i['name']) for i in found['new']] == [(u(11), None, 'vm-1')]
    assert [(i['uuid'], i['after'], i['name'], i['resource_type']) for i in found['gone']] == [(u(99), None, 'vm-gone', 'vm')]
    # the reports show it
    page = Page(_reports.render_report(dict(now, drift=found), 'html'))
    assert page.text_of('drift').startswith('Since the last run Compared with the report of 2026-12-02T09:00:00Z: '
                                            '1 newly failing, 2 fixed, 1 new, 1 gone')
    assert page.table('drift-gone') == [['vm', 'vm-gone %s' % u(99), 'Matched (pass)', '-']]
    assert page.table('drift-newly_failing') == [['vm', 'vm-2 %s' % u(21), 'Unmatched (pass)', 'Unmatched (fail)']]
    doc = json.loads(_reports.render_report(dict(now, drift=found), 'json'))
    assert doc['drift'] == found


def test_drift_same_run_is_empty():
    result = remediated()
    empty = {'since': result['finished_at'], 'newly_failing': [], 'fixed': [], 'new': [], 'gone': []}
    assert _reports.drift(previous_of(result), result) == empty


@pytest.mark.parametrize('previous,message', [
    ([], 'reports/x.json is not a compliance report: a JSON object was expected, got list'),
    ({'schema_version': 3, 'resources': {}}, 'reports/x.json has schema_version 3; this collection reads reports of schema 1 or 2'),
    ({'schema_version': True, 'resources': {}}, 'has schema_version True'),
    ({'summary': {}}, 'reports/x.json has no resources: "resources" must be an object of UUID to resource, got nothing'),
    ({'resources': []}, '"resources" must be an object of UUID to resource, got list'),
    ({'resources': {'abc': {'verdict': 'Matched'}}}, r"reports/x.json: resource abc has no outcome \(one of fail, warn, ignore, pass expected, got None\)"),
    ({'resources': {'abc': 'Matched'}}, "resource abc has no outcome .* got 'Matched'"),
])
def test_drift_rejects_malformed_previous_reports(previous, message):
    with pytest.raises(ComplianceError, match=message):
        _reports.drift(previous, checked(), source='reports/x.json')
