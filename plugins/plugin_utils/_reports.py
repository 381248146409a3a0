# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The result of a compliance run and its views: the result fact, the console table, the reports.

Private to this collection: not a public API, may change without notice.

:func:`build_result` assembles the one ``virtualizer_compliance_result`` fact (before and
after per resource, plan, actions); :func:`table_lines` and :func:`failure_message` are the
console's view of it; :func:`render_report` writes it as JSON, JUnit XML or HTML.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape as _xml_escape, quoteattr as _xml_quoteattr

from html import escape as _html_escape

from ansible_collections.zstack.cloud.plugins.plugin_utils._common import (
    FAIL,
    HOST,
    PASS,
    VM,
    WARN,
    ComplianceError,
    as_list,
    name_key,
    sort_key,
)

REPORT_FORMATS = ('json', 'junit', 'html')
#: the file name of each report format, after the basename
REPORT_SUFFIXES = {'json': '.json', 'junit': '.junit.xml', 'html': '.html'}


def table_lines(evaluation, max_lines=200):
    """The summary line, then one fixed-width line per resource (type, name, UUID, verdict, outcome, reason), hosts first.

    For a result, a verdict that changed shows as ``before->after``.  With more than ``max_lines``
    resources (0: no limit) only those that do not pass are listed, at most ``max_lines``, and a
    last line says how many were left out (the reports have them all).
    """
    all_resources = evaluation.get('resources') or {}
    left_out = 0
    if max_lines and len(all_resources) > max_lines:
        if _has_outcome_lists(evaluation):
            # the evaluation already lists what does not pass (failing, warnings, ignored):
            # the passing thousands of a large fleet are not even read
            listed = (b['uuid'] for b in evaluation['failing'] + evaluation['warnings'] + evaluation['ignored'])
            not_passing = (all_resources[u] for u in listed if u in all_resources)
        else:
            not_passing = (e for e in all_resources.values() if e.get('outcome') != PASS)
        resources = sorted(not_passing, key=name_key)[:max_lines]
        left_out = len(all_resources) - len(resources)
    else:
        resources = sorted(all_resources.values(), key=name_key)
    width = max([len(str(e.get('name') or '')) for e in resources] + [4])
    summary = evaluation.get('summary') or {}
    lines = [summary_line(summary), '%-4s  %-*s  %-32s  %-9s  %-7s  %s' % ('TYPE', width, 'NAME', 'UUID', 'VERDICT', 'OUTCOME', 'REASON')]
    for entry in resources:
        after = (entry.get('after') or entry.get('before') or {}) if 'before' in entry else entry
        shown = after.get('verdict')
        prior = (entry.get('before') or {}).get('verdict') if 'before' in entry else None
        if prior and prior != shown:
            shown = '%s->%s' % (prior, shown)
        lines.append('%-4s  %-*s  %-32s  %-9s  %-7s  %s' % (
            entry.get('resource_type') or '-', width, entry.get('name') or '', entry['uuid'], shown,
            entry.get('outcome'), entry.get('reason') or ''))
    if left_out:
        lines.append('... %d more resources not listed (passing ones first); the reports list every resource' % left_out)
    return lines


def _has_outcome_lists(evaluation):
    return all(isinstance(evaluation.get(k), list) for k in ('failing', 'warnings', 'ignored'))


def summary_line(summary):
    """``N resources: a Matched, b Unmatched, ...; f failing, w warning``."""
    return ('%d resources: %d Matched, %d Unmatched, %d Unknown, %d without record, %d not found; '
            '%d failing, %d warning, %d ignored' % tuple(int(summary.get(k, 0)) for k in (
                'total', 'matched', 'unmatched', 'unknown', 'no_record', 'not_found', 'failing', 'warning', 'ignored')))


def build_result(before, after=None, plan=None, actions=None, check_mode=False, remediate=False,
                 started_at=None, finished_at=None, reports=None):
    """The ``virtualizer_compliance_result`` fact: summary, per-resource before/after, plan and actions."""
    after = after or before
    actions = as_list(actions, 'actions')
    by_uuid = {}
    for action in actions:
        by_uuid.setdefault(action.get('uuid'), []).append(action)
    resources = {}
    for uuid, entry in after['resources'].items():
        prior = before['resources'].get(uuid) or entry
        resources[uuid] = {
            'uuid': uuid,
            'name': entry.get('name'),
            'resource_type': entry.get('resource_type'),
            'zone_uuid': entry.get('zone_uuid'),
            'cluster_uuid': entry.get('cluster_uuid'),
            'host_uuid': entry.get('host_uuid'),
            'before': _snap_of(prior),
            'after': _snap_of(entry),
            'outcome': entry.get('outcome'),
            'reason': entry.get('reason'),
            'actions': [dict((k, a.get(k)) for k in ('action', 'status', 'job_uuids', 'seconds', 'message'))
                        for a in by_uuid.get(uuid, [])],
        }
    for uuid, entry in before['resources'].items():
        if uuid not in resources:  # left the scope (e.g. a VM stopped during the run)
            resources[uuid] = {
                'uuid': uuid, 'name': entry.get('name'), 'resource_type': entry.get('resource_type'),
                'zone_uuid': entry.get('zone_uuid'), 'cluster_uuid': entry.get('cluster_uuid'),
                'host_uuid': entry.get('host_uuid'), 'before': _snap_of(entry), 'after': None,
                'outcome': entry.get('outcome'), 'reason': entry.get('reason'), 'actions': [],
            }
    statuses = {'ok': 0, 'failed': 0, 'skipped': 0}
    for action in actions:
        statuses[action.get('status')] = statuses.get(action.get('status'), 0) + 1
    summary = dict(after['summary'])
    summary['actions'] = statuses
    return {
        'compliant': after['compliant'],
        'check_mode': bool(check_mode),
        'remediate': bool(remediate),
        'policy': after.get('policy'),
        'summary': summary,
        'summary_before': before['summary'],
        'failing': after['failing'],
        'warnings': after['warnings'],
        'ignored': after['ignored'],
        'resources': resources,
        'plan': plan or {},
        'actions': actions,
        'started_at': started_at,
        'finished_at': finished_at,
        'reports': reports or {},
    }


def _snap_of(entry):
    return {'verdict': entry.get('verdict'), 'current_version': entry.get('current_version'),
            'expect_version': entry.get('expect_version'), 'outcome': entry.get('outcome'),
            'reason': entry.get('reason')}


def failure_message(result, limit=0):
    """One line per non-compliant UUID with its reason (the final assertion's message)."""
    lines = []
    failing = result.get('failing') or []
    for entry in failing[:limit or None]:
        lines.append('%s %s (%s): %s - %s' % (
            entry.get('resource_type') or 'resource', entry['uuid'], entry.get('name'), entry.get('verdict'), entry.get('reason')))
    if limit and len(failing) > limit:
        lines.append('... and %d more (see the JSON report)' % (len(failing) - limit))
    head = '%d of %d resources are not compliant' % (len(failing), (result.get('summary') or {}).get('total', 0))
    return head + (':\n' + '\n'.join(lines) if lines else '')


# ------------------------------------------------------------------ reports
def render_report(result, fmt):
    """The report text in one format: ``json``, ``junit`` or ``html``; for a list of formats, a dict format -> text."""
    if isinstance(fmt, (list, tuple)):
        return dict((one, render_report(result, one)) for one in fmt)
    if fmt == 'json':
        return json.dumps(result, indent=2, sort_keys=True, default=str) + '\n'
    if fmt == 'junit':
        return render_junit(result)
    if fmt == 'html':
        return render_html(result)
    raise ComplianceError('report format must be one of %s, got %r' % (', '.join(REPORT_FORMATS), fmt))


def _ordered_resources(result):
    return sorted((result.get('resources') or {}).values(),
                  key=lambda e: (e.get('resource_type') != HOST,) + sort_key(e))


def render_junit(result):
    """JUnit XML: one test suite per resource type, one test case per resource."""
    resources = _ordered_resources(result)
    suites = []
    for kind, title in ((HOST, 'hosts'), (VM, 'vms'), (None, 'other')):
        cases = [e for e in resources if (e.get('resource_type') if e.get('resource_type') in (HOST, VM) else None) == kind]
        if not cases:
            continue
        failures = len([e for e in cases if e.get('outcome') == FAIL])
        skipped = len([e for e in cases if e.get('outcome') == WARN])
        body = []
        for entry in cases:
            after = entry.get('after') or entry.get('before') or {}
            classname = 'zstack.virtualizer_compliance.%s.%s' % (title, entry.get('cluster_uuid') or 'no-cluster')
            name = '%s (%s)' % (entry.get('name') or entry['uuid'], entry['uuid'])
            text = 'verdict: %s\ncurrent_version: %s\nexpect_version: %s\noutcome: %s\nreason: %s\n' % (
                after.get('verdict'), after.get('current_version'), after.get('expect_version'),
                entry.get('outcome'), entry.get('reason') or after.get('reason'))
            for action in entry.get('actions') or []:
                text += 'action: %s %s (%s s) %s\n' % (action.get('action'), action.get('status'),
                                                       action.get('seconds'), action.get('message') or '')
            inner = ''
            message = '%s: %s' % (after.get('verdict'), entry.get('reason') or after.get('reason') or '')
            if entry.get('outcome') == FAIL:
                inner = '<failure message=%s type=%s>%s</failure>' % (
                    _xml_quoteattr(_xml_text(message)), _xml_quoteattr(str(after.get('verdict'))), _xml_escape(_xml_text(text)))
            elif entry.get('outcome') == WARN:
                inner = '<skipped message=%s/>' % _xml_quoteattr(_xml_text('warning: ' + message))
            inner += '<system-out>%s</system-out>' % _xml_escape(_xml_text(text))
            body.append('    <testcase classname=%s name=%s time="0">%s</testcase>' % (
                _xml_quoteattr(_xml_text(classname)), _xml_quoteattr(_xml_text(name)), inner))
        suites.append('  <testsuite name=%s tests="%d" failures="%d" errors="0" skipped="%d">\n%s\n  </testsuite>' % (
            _xml_quoteattr('zstack.virtualizer_compliance.' + title), len(cases), failures, skipped, '\n'.join(body)))
    total = len(resources)
    fails = len([e for e in resources if e.get('outcome') == FAIL])
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<testsuites name="zstack.virtualizer_compliance" tests="%d" failures="%d" errors="0">\n%s\n</testsuites>\n'
            % (total, fails, '\n'.join(suites)))


def _xml_text(value):
    """Drop the characters XML 1.0 cannot carry at all (control characters other than tab, LF, CR)."""
    text = value if isinstance(value, str) else str(value)
    return ''.join(ch for ch in text if ch in '\t\n\r' or ord(ch) >= 0x20)


def _h(value):
    return _html_escape('' if value is None else str(value), True)


_HTML_STYLE = '''
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 8px} h3{font-size:15px;margin:18px 0 6px}
.meta{color:#5a6270;font-size:13px}
.banner{padding:10px 14px;border-radius:6px;font-weight:600;margin:14px 0}
.banner.ok{background:#e3f6e8;color:#146c2e}.banner.bad{background:#fde7e9;color:#a1121f}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}
.card{border-radius:8px;padding:10px 14px;min-width:110px;background:#fff;border:1px solid #dde1e6}
.card .n{font-size:26px;font-weight:700}.card .l{font-size:12px;color:#5a6270;text-transform:uppercase}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px;margin-bottom:8px}
th,td{border:1px solid #dde1e6;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f5} code{font-size:12px}
.v-Matched{background:#e3f6e8;color:#146c2e}.v-Unmatched{background:#fde7e9;color:#a1121f}
.v-Unknown{background:#fff4d6;color:#7a5300}.v-NoRecord{background:#eceff3;color:#434b57}
.v-NotFound{background:#f3e5f5;color:#6a1b7a}
.o-fail{color:#a1121f;font-weight:600}.o-warn{color:#7a5300;font-weight:600}.o-pass{color:#146c2e}.o-ignore{color:#5a6270}
.s-ok{color:#146c2e;font-weight:600}.s-failed{color:#a1121f;font-weight:600}.s-skipped{color:#7a5300}
'''


def render_html(result):
    """A person's view: summary counts, per-cluster tables with state colours, the plan and what was done."""
    summary = result.get('summary') or {}
    before = result.get('summary_before') or summary
    out = ['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
           '<title>ZStack virtualizer compliance</title>', '<style>%s</style></head><body>' % _HTML_STYLE]
    mode = 'check mode (nothing changed)' if result.get('check_mode') else (
        'remediation' if result.get('remediate') else 'check and report')
    out.append('<h1>ZStack virtualizer compliance</h1>')
    out.append('<div class="meta">Mode: %s &middot; started %s &middot; finished %s &middot; policy: Unknown=%s, no record=%s</div>' % (
        _h(mode), _h(result.get('started_at')), _h(result.get('finished_at')),
        _h((result.get('policy') or {}).get('unknown')), _h((result.get('policy') or {}).get('no_record'))))
    if result.get('compliant'):
        out.append('<div class="banner ok" id="verdict">Compliant: no resource fails the policy</div>')
    else:
        out.append('<div class="banner bad" id="verdict">Not compliant: %s resource(s) fail the policy</div>'
                   % _h(summary.get('failing')))
    out.append('<h2>Summary</h2><div class="cards" id="summary">')
    for key, label in (('total', 'total'), ('matched', 'Matched'), ('unmatched', 'Unmatched'), ('unknown', 'Unknown'),
                       ('no_record', 'no record'), ('not_found', 'not found'), ('failing', 'failing'), ('warning', 'warning')):
        out.append('<div class="card" id="count-%s"><div class="n">%s</div><div class="l">%s</div></div>'
                   % (_h(key), _h(summary.get(key, 0)), _h(label)))
    out.append('</div>')
    if before is not summary and result.get('actions'):
        out.append('<div class="meta">Before remediation: %s</div>' % _h(', '.join(
            '%s %s' % (before.get(k, 0), k) for k in ('matched', 'unmatched', 'unknown', 'no_record', 'not_found'))))
    # per-cluster tables
    clusters = {}
    for entry in _ordered_resources(result):
        clusters.setdefault(entry.get('cluster_uuid') or '', []).append(entry)
    out.append('<h2>Resources by cluster</h2>')
    for cluster in sorted(clusters):
        entries = clusters[cluster]
        bad = len([e for e in entries if e.get('outcome') == FAIL])
        out.append('<h3>Cluster %s <span class="meta">(%d resources, %d failing)</span></h3>' % (
            '<code>%s</code>' % _h(cluster) if cluster else '(none)', len(entries), bad))
        out.append('<table><thead><tr><th>Type</th><th>Name</th><th>UUID</th><th>Before</th><th>After</th>'
                   '<th>Current version</th><th>Expected version</th><th>Outcome</th><th>Reason</th><th>Actions</th>'
                   '</tr></thead><tbody>')
        for entry in entries:
            prior = entry.get('before') or {}
            after = entry.get('after') or {}
            acts = '<br>'.join('%s: <span class="s-%s">%s</span>%s' % (
                _h(a.get('action')), _h(a.get('status')), _h(a.get('status')),
                ' (%ss)' % _h(a.get('seconds')) if a.get('seconds') is not None else '') for a in entry.get('actions') or [])
            out.append('<tr><td>%s</td><td>%s</td><td><code>%s</code></td><td class="v-%s">%s</td><td class="v-%s">%s</td>'
                       '<td>%s</td><td>%s</td><td class="o-%s">%s</td><td>%s</td><td>%s</td></tr>' % (
                           _h(entry.get('resource_type')), _h(entry.get('name')), _h(entry.get('uuid')),
                           _h(prior.get('verdict')), _h(prior.get('verdict')), _h(after.get('verdict')), _h(after.get('verdict')),
                           _h(after.get('current_version')), _h(after.get('expect_version')),
                           _h(entry.get('outcome')), _h(entry.get('outcome')), _h(entry.get('reason')), acts))
        out.append('</tbody></table>')
    # plan and actions
    plan = result.get('plan') or {}
    out.append('<h2>Plan</h2>')
    counts = plan.get('counts') or {}
    out.append('<div class="meta" id="plan-counts">%s host action(s) in %s batch(es), %s VM action(s), '
               '%s deferred by the action cap, %s blocked by pre-flight checks</div>' % (
                   _h(counts.get('host_actions', 0)), _h(counts.get('host_batches', 0)), _h(counts.get('vm_actions', 0)),
                   _h(counts.get('deferred', 0)), _h(counts.get('blocked', 0))))
    planned = [a for batch in plan.get('host_batches') or [] for a in batch] + list(plan.get('vm_actions') or [])
    rows = [(a, 'planned') for a in planned] + [(a, 'deferred') for a in plan.get('deferred') or []] + \
        [(a, 'blocked') for a in plan.get('blocked') or []]
    if rows:
        out.append('<table><thead><tr><th>#</th><th>Batch</th><th>Type</th><th>Name</th><th>UUID</th><th>Action</th>'
                   '<th>Status</th><th>Note</th></tr></thead><tbody>')
        for action, status in rows:
            note = action.get('blocked_reason') or action.get('deferred_reason') or action.get('why') or ''
            out.append('<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td><code>%s</code></td><td>%s</td><td>%s</td>'
                       '<td>%s</td></tr>' % (_h(action.get('order') or ''), _h(action.get('batch') or ''),
                                             _h(action.get('resource_type')), _h(action.get('name')), _h(action.get('uuid')),
                                             _h(action.get('action')), _h(status), _h(note)))
        out.append('</tbody></table>')
    else:
        out.append('<p>Nothing to do.</p>')
    out.append('<h2>What was done</h2>')
    actions = result.get('actions') or []
    if actions:
        out.append('<table id="actions"><thead><tr><th>Type</th><th>Name</th><th>UUID</th><th>Action</th><th>Status</th>'
                   '<th>Seconds</th><th>Jobs</th><th>Message</th></tr></thead><tbody>')
        for action in actions:
            out.append('<tr><td>%s</td><td>%s</td><td><code>%s</code></td><td>%s</td><td class="s-%s">%s</td><td>%s</td>'
                       '<td><code>%s</code></td><td>%s</td></tr>' % (
                           _h(action.get('resource_type')), _h(action.get('name')), _h(action.get('uuid')),
                           _h(action.get('action')), _h(action.get('status')), _h(action.get('status')),
                           _h(action.get('seconds')), _h(' '.join(action.get('job_uuids') or [])), _h(action.get('message'))))
        out.append('</tbody></table>')
    else:
        out.append('<p>No action was taken%s.</p>' % (' (check mode)' if result.get('check_mode') else ''))
    out.append('</body></html>')
    return '\n'.join(out) + '\n'
