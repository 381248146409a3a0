# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The result of a compliance run and its views: the result fact, the console table, the reports.

Private to this collection: not a public API, may change without notice.

:func:`build_result` assembles the one ``virtualizer_compliance_result`` fact (before and
after per resource, plan, actions); :func:`table_lines` and :func:`failure_message` are the
console's view of it; :func:`render_report` writes it as JSON (:func:`report_document`), JUnit XML
or HTML (the templates in ``templates/``, both filled from one :func:`report_view`);
:func:`drift` compares it with the previous run's JSON report.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import unicodedata
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

import jinja2  # a requirement of ansible-core: always there on the controller

from ansible_collections.zstack.cloud.plugins.plugin_utils import _forked
from ansible_collections.zstack.cloud.plugins.plugin_utils._common import (
    FAIL,
    HOST,
    IGNORE,
    KIND_WORDS,
    PASS,
    VM,
    WARN,
    ComplianceError,
    as_list,
    name_key,
    natural,
    plural,
    sort_key,
)

REPORT_FORMATS = ('json', 'junit', 'html')
#: the file name of each report format, after the basename
REPORT_SUFFIXES = {'json': '.json', 'junit': '.junit.xml', 'html': '.html'}
#: from this many resources on, the report formats are made side by side in forked processes (below it,
#: all three take a tenth of a second or less, which a fork would not win back)
PARALLEL_MIN_RESOURCES = 2000


#: the columns of the console table; the last one is not padded
TABLE_COLUMNS = ('NAME', 'TYPE', 'ZONE/CLUSTER', 'CURRENT', 'EXPECTED', 'VERDICT', 'OUTCOME', 'UUID', 'REASON')
_OUTCOME_ORDER = {FAIL: 0, WARN: 1, IGNORE: 2, PASS: 3}
#: what would break a console line: control characters, shown as escapes instead
_CONTROL = re.compile('[\x00-\x1f\x7f-\x9f\u2028\u2029]')


def _cell(value):
    """One console cell: '-' for nothing, control characters (a line break in a name) as escapes."""
    if value is None or value == '':
        return '-'
    return _CONTROL.sub(lambda found: found.group().encode('unicode_escape').decode('ascii'), str(value))


def display_width(text):
    """Columns ``text`` takes on a terminal: East Asian wide characters take two, combining marks none."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in 'WF' else 1 for ch in text)


def _pad(text, width):
    return text + ' ' * (width - display_width(text))


def aligned(rows):
    """Rows of cells as lines, each column as wide as its widest cell (by display width), the last not padded."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)] if rows else []
    return ['  '.join([_pad(cell, widths[i]) for i, cell in enumerate(row[:-1])] + [row[-1]]).rstrip() for row in rows]


def _place(entry, names):
    """``zone/cluster`` by name (the UUID where no name is known), ``-`` for what the entry does not say."""
    parts = [names.get(entry.get(key)) or entry.get(key) for key in ('zone_uuid', 'cluster_uuid')]
    return '/'.join(part or '-' for part in parts) if any(parts) else None


def table_lines(evaluation, max_lines=200):
    """The console view: the summary line, then a table of the resources, failing first, aligned for any content.

    Columns: :data:`TABLE_COLUMNS`.  For a result, a verdict that changed shows as
    ``before->after`` and the versions are the latest read.  With more than ``max_lines``
    resources (0: no limit) only those that do not pass are listed, at most ``max_lines``, and a
    last line says how many were left out and where every resource is (the JSON report).
    """
    all_resources = evaluation.get('resources') or {}
    names = evaluation.get('names') if isinstance(evaluation.get('names'), Mapping) else {}
    left_out = 0
    if max_lines and len(all_resources) > max_lines:
        if _has_outcome_lists(evaluation):
            # the evaluation already lists what does not pass (failing, warnings, ignored):
            # the passing thousands of a large fleet are not even read
            listed = (b['uuid'] for b in evaluation['failing'] + evaluation['warnings'] + evaluation['ignored'])
            not_passing = (all_resources[u] for u in listed if u in all_resources)
        else:
            not_passing = (e for e in all_resources.values() if e.get('outcome') != PASS)
        resources = sorted(not_passing, key=_table_key)[:max_lines]
        left_out = len(all_resources) - len(resources)
    else:
        resources = sorted(all_resources.values(), key=_table_key)
    rows = [list(TABLE_COLUMNS)]
    for entry in resources:
        now = (entry.get('after') or entry.get('before') or {}) if 'before' in entry else entry
        shown = now.get('verdict')
        prior = (entry.get('before') or {}).get('verdict') if 'before' in entry else None
        if prior and prior != shown:
            shown = '%s->%s' % (prior, shown)
        rows.append([_cell(value) for value in (
            entry.get('name'), KIND_WORDS.get(entry.get('resource_type'), entry.get('resource_type')), _place(entry, names),
            now.get('current_version'), now.get('expect_version'), shown, entry.get('outcome'), entry.get('uuid'),
            entry.get('reason'))])
    lines = [summary_line(evaluation.get('summary') or {})] + aligned(rows)
    if left_out:
        where = (evaluation.get('reports') or {}).get('json')
        lines.append('... %s not listed (passing); %s' % (
            plural(left_out, 'more resource'), ('every resource is in %s' % where) if where else
            'write the reports (json) to see every resource'))
    return lines


def _table_key(entry):
    return (_OUTCOME_ORDER.get(entry.get('outcome'), 4),) + name_key(entry)


def _has_outcome_lists(evaluation):
    return all(isinstance(evaluation.get(k), list) for k in ('failing', 'warnings', 'ignored'))


def summary_line(summary):
    """``N resources: f failing, w warnings, p passing; verdicts: a Matched, b Unmatched`` (counts of 0 left out)."""
    count = dict((k, int(summary.get(k) or 0)) for k in (
        'total', 'failing', 'warning', 'ignored', 'matched', 'unmatched', 'unknown', 'no_record', 'not_found', 'error'))
    outcomes = [plural(count['failing'], 'failing', 'failing'), plural(count['warning'], 'warning')]
    if count['ignored']:
        outcomes.append('%d ignored' % count['ignored'])
    outcomes.append('%d passing' % max(0, count['total'] - count['failing'] - count['warning'] - count['ignored']))
    verdicts = ['%d %s' % (count[key], word) for key, word in (
        ('matched', 'Matched'), ('unmatched', 'Unmatched'), ('unknown', 'Unknown'), ('no_record', 'without record'),
        ('not_found', 'not found'), ('error', 'Error')) if count[key]]
    return '%s: %s; verdicts: %s' % (plural(count['total'], 'resource'), ', '.join(outcomes), ', '.join(verdicts) or 'none')


def drift_lines(drift_data, source=None):
    """The console's view of what changed since the previous report (nothing when none was compared)."""
    if not isinstance(drift_data, Mapping):
        return []
    head = 'Since the report of %s%s: %s' % (drift_data.get('since') or 'an earlier run', ' (%s)' % source if source else '', ', '.join(
        '%d %s' % (len(drift_data.get(key) or []), title.lower()) for key, title in DRIFT_GROUPS))
    lines = [head]
    for key, title in DRIFT_GROUPS:
        for item in drift_data.get(key) or []:
            lines.append('  %s: %s %s (%s) %s -> %s' % (
                title.lower(), KIND_WORDS.get(item.get('resource_type'), item.get('resource_type') or 'resource'),
                _cell(item.get('name')), item.get('uuid'), _drift_state(item.get('before')) or 'absent',
                _drift_state(item.get('after')) or 'absent'))
    return lines


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
            KIND_WORDS.get(entry.get('resource_type'), entry.get('resource_type') or 'resource'), _cell(entry.get('name')),
            entry['uuid'], entry.get('verdict'), entry.get('reason')))
    if limit and len(failing) > limit:
        lines.append('... and %d more (see the JSON report)' % (len(failing) - limit))
    summary = result.get('summary') or {}
    head = '%d of %s fail the compliance policy' % (len(failing), plural(int(summary.get('total') or 0), 'resource'))
    if summary.get('warning'):
        head += ' (%s, not failing)' % plural(int(summary['warning']), 'more with a warning', 'more with warnings')
    return head + (':\n' + '\n'.join(lines) if lines else '')


# ------------------------------------------------------------------ reports
#: the version of the JSON report's layout (``schema_version``); a report without one is of schema 1
SCHEMA_VERSION = 2
#: the schema versions :func:`drift` can read a previous report of
READABLE_SCHEMAS = (1, 2)
#: the templates of the text reports, shipped next to this file
TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'templates')
TEMPLATES = {'junit': 'report.junit.xml.j2', 'html': 'report.html.j2'}
#: what ``result['audit']`` may hold (each rendered as '-' when absent)
AUDIT_KEYS = ('collection_version', 'ansible_core_version', 'api_url', 'auth', 'principal')
#: the groups of ``result['drift']``, in the order the reports show them
DRIFT_GROUPS = (('newly_failing', 'Newly failing'), ('fixed', 'Fixed'), ('new', 'New'), ('gone', 'Gone'))
#: how the auth methods of the audit header read
_AUTH_WORDS = {'account': 'account', 'user': 'IAM user', 'access_key': 'access key', 'session': 'session'}
_SEVERITY = {FAIL: 0, WARN: 1, IGNORE: 2, PASS: 3}
#: the summary cards of the HTML report: key of the summary, label
_CARDS = (('total', 'total'), ('matched', 'Matched'), ('unmatched', 'Unmatched'), ('unknown', 'Unknown'),
          ('no_record', 'no record'), ('not_found', 'not found'), ('failing', 'failing'), ('warning', 'warning'))
#: characters XML 1.0 cannot carry at all (and HTML should not): dropped from every rendered value
_UNCARRIABLE = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
#: the characters html.escape replaces
_ESCAPED = re.compile('[&<>"\']')
_ENVIRONMENT = []


def render_report(result, fmt):
    """The report text in one format: ``json``, ``junit`` or ``html``; for a list of formats, a dict format -> text.

    The JUnit and HTML texts are rendered from the templates in :data:`TEMPLATE_DIR`, both from one
    :func:`report_view` of the result, so they cannot disagree; the JSON is :func:`report_document`.
    For a fleet of :data:`PARALLEL_MIN_RESOURCES` resources or more, every format but one is made in
    a forked child process while this one makes the last (:mod:`._forked`): the same texts, on two cores.
    """
    formats = list(fmt) if isinstance(fmt, (list, tuple)) else [fmt]
    for one in formats:
        if one not in REPORT_FORMATS:
            raise ComplianceError('report format must be one of %s, got %r' % (', '.join(REPORT_FORMATS), one))
    parallel = len(set(formats)) > 1 and len(result.get('resources') or ()) >= PARALLEL_MIN_RESOURCES and _forked.available()
    texts, children = {}, {}
    try:
        if parallel and 'json' in formats:  # the JSON needs no view: its child starts first
            children['json'] = _forked.Forked(functools.partial(_render, 'json', result, None))
        view = report_view(result) if set(formats) & set(TEMPLATES) else None
        here = [one for one in dict.fromkeys(formats) if one not in children]
        for one in here[:-1] if parallel else ():
            children[one] = _forked.Forked(functools.partial(_render, one, result, view))
        for one in here[-1:] if parallel else here:
            texts[one] = _render(one, result, view)
        for one, child in children.items():
            text = child.text()
            texts[one] = text if text is not None else _render(one, result, view)
    finally:
        for child in children.values():
            child.close()
    return dict((one, texts[one]) for one in formats) if isinstance(fmt, (list, tuple)) else texts[fmt]


def _render(fmt, result, view):
    if fmt == 'json':
        return dump_json(report_document(result))
    return _template(TEMPLATES[fmt]).render(view=view)


#: the encoder of a report's one-line values (json.dumps would make one per value)
_ONE_LINE = json.JSONEncoder(sort_keys=True, default=str, separators=(', ', ': '))


def dump_json(value, levels=2):
    """The JSON text of a report: the containers of its first ``levels`` levels indented, each deeper value on one line.

    So a resource's entry is one line of ``resources``, as grep and a diff of two reports want it.
    Keys are sorted.  The one-line values come from the C encoder, where ``indent`` would take the
    pure-Python one for the whole text.
    """
    out = []
    _dump(value, levels, '', out)
    out.append('\n')
    return ''.join(out)


def _dump(value, levels, pad, out):
    if levels and isinstance(value, (Mapping, list, tuple)) and value:
        inner = pad + '  '
        if isinstance(value, Mapping):
            opening, closing = '{', '}'
            items = [(json.dumps(key if isinstance(key, str) else json.dumps(key)) + ': ', value[key]) for key in sorted(value)]
        else:
            opening, closing = '[', ']'
            items = [('', item) for item in value]
        out.append(opening + '\n')
        for index, (prefix, item) in enumerate(items):
            out.append(inner + prefix)
            _dump(item, levels - 1, inner, out)
            out.append(',\n' if index < len(items) - 1 else '\n')
        out.append(pad + closing)
    else:
        out.append(_ONE_LINE.encode(value))


def render_junit(result):
    """JUnit XML: one test suite per resource type, one test case per resource, its time the seconds of its actions."""
    return render_report(result, 'junit')


def render_html(result):
    """A person's view: audit header, failing resources first, counts, zones and clusters by name, plan and actions."""
    return render_report(result, 'html')


def _template(name):
    if not _ENVIRONMENT:
        # no autoescape: _finalize escapes every value itself, as Jinja's autoescape would, without making each
        # one a Markup object (that was half of what rendering a fleet's report cost)
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=False, undefined=jinja2.StrictUndefined,
                                 finalize=_finalize, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        env.filters['plural'] = plural
        _ENVIRONMENT.append(env)
    try:
        return _ENVIRONMENT[0].get_template(name)
    except jinja2.TemplateNotFound:
        raise ComplianceError('the report template %s is missing from %s: the zstack.cloud collection is incomplete, '
                              'install it again' % (name, TEMPLATE_DIR)) from None


def _finalize(value):
    """What every ``{{ }}`` of the templates prints: '-' for a missing value, never ``None``; any other value
    escaped for HTML and XML (``& < > " '``), without the characters XML cannot carry. Markup that a macro of
    the templates made, and that its call marks ``| safe``, is printed as it is."""
    if value is None:
        return '-'
    if hasattr(value, '__html__'):
        return value.__html__()
    text = value if type(value) is str else str(value)  # pylint: disable=unidiomatic-typecheck  # a str subclass may print otherwise
    if not text.isprintable():
        text = _UNCARRIABLE.sub('', text)
    if _ESCAPED.search(text) is None:  # most values (names, UUIDs, versions): one scan instead of html.escape's five
        return text
    return html.escape(text)


def report_document(result):
    """The JSON report: the result, plus ``schema_version``, ``names``, ``audit``, ``drift`` and names beside UUIDs.

    Schema 2 (schema 1 is the result as it is, without ``schema_version``) adds: ``schema_version``
    (2); ``names`` (UUID -> name of the zones, clusters and hosts that are known); ``audit``
    (every key of :data:`AUDIT_KEYS`, null when unknown); ``drift`` (see :func:`drift`; null when no
    previous report was compared); and in every resource ``zone_name``, ``cluster_name`` and
    ``host_name`` (null when unknown).  Everything of schema 1 stays where it was.
    """
    names = _names_of(result)
    resources = {}
    for uuid, entry in (result.get('resources') or {}).items():
        resources[uuid] = dict(entry, zone_name=names.get(entry.get('zone_uuid')), cluster_name=names.get(entry.get('cluster_uuid')),
                               host_name=names.get(entry.get('host_uuid')))
    return dict(result, schema_version=SCHEMA_VERSION, names=names, audit=_audit_of(result), resources=resources,
                drift=result.get('drift'))


def _names_of(result):
    """UUID -> name: ``result['names']`` (zones, clusters, hosts) and the names of the hosts in scope."""
    given = result.get('names')
    if given is not None and not isinstance(given, Mapping):
        raise ComplianceError('the names of the result must be a dict of UUID to name, got %s' % type(given).__name__)
    names = dict((uuid, str(name)) for uuid, name in (given or {}).items() if name)
    for uuid, entry in (result.get('resources') or {}).items():
        if entry.get('resource_type') == HOST and entry.get('name') and entry['name'] != uuid:
            names.setdefault(uuid, entry['name'])
    return names


def _audit_of(result):
    audit = result.get('audit')
    if audit is not None and not isinstance(audit, Mapping):
        raise ComplianceError('the audit of the result must be a dict, got %s' % type(audit).__name__)
    audit = dict((key, (audit or {}).get(key)) for key in AUDIT_KEYS)
    audit['api_url'] = safe_url(audit['api_url'])
    return audit


def safe_url(url):
    """``url`` without user, password, query or fragment (a report never shows a credential); None stays None."""
    if not url:
        return None
    try:
        parts = urlsplit(str(url))
        host = parts.hostname or ''
        port = parts.port
    except ValueError:
        return '(not a URL)'
    if ':' in host:
        host = '[%s]' % host
    return urlunsplit((parts.scheme, host + (':%d' % port if port else ''), parts.path, '', ''))


def _mode_of(result):
    if result.get('check_mode'):
        return 'check mode (nothing changed)'
    return 'remediation' if result.get('remediate') else 'check and report'


def _seconds(value):
    """Seconds as JUnit writes them: ``1.5``, ``0``."""
    return ('%.3f' % value).rstrip('0').rstrip('.')


class _Refs(dict):
    """UUID -> how the reports name that zone, cluster or host: ``uuid``, ``name`` (None when unknown) and
    ``label`` (``name (uuid)``, or the UUID alone); None for no UUID. Made once per UUID, shared by every row."""

    def __init__(self, names):
        super().__init__()
        self.names = names

    def __missing__(self, uuid):
        ref = None
        if uuid:
            name = self.names.get(uuid)
            ref = {'uuid': uuid, 'name': name, 'label': uuid if name is None else '%s (%s)' % (name, uuid)}
        self[uuid] = ref
        return ref


def _action_row(action):
    seconds = action.get('seconds')
    return {'action': action.get('action'), 'status': action.get('status'),
            'seconds': _seconds(float(seconds)) if isinstance(seconds, (int, float)) else None,
            'message': action.get('message') or None, 'jobs': ' '.join(action.get('job_uuids') or []) or None}


def _resource_row(entry, refs):
    uuid = entry['uuid']
    get = entry.get
    before = get('before') or {}
    after = get('after')
    now = after if after is not None else before
    shown = last = now.get('verdict')
    if after is not None and before.get('verdict') and before.get('verdict') != last:
        shown = '%s->%s' % (before.get('verdict'), last)
    kind = get('resource_type')
    if kind not in (HOST, VM):
        kind = None
    actions = get('actions') or []
    seconds = sum(float(a.get('seconds') or 0) for a in actions)
    name = get('name')
    if not name or name == uuid:
        name = None
    outcome = get('outcome')
    return {
        'uuid': uuid, 'name': name, 'kind': kind,
        'title': '%s (%s)' % (name, uuid) if name else uuid,
        'zone': refs[get('zone_uuid') or None], 'cluster': refs[get('cluster_uuid') or None],
        'host': refs[get('host_uuid') or None] if kind != HOST else None,
        'before': before.get('verdict'), 'after': last if after is not None else None,
        'verdict': shown, 'last_verdict': last, 'left_scope': after is None,
        'current_version': now.get('current_version'), 'expect_version': now.get('expect_version'),
        'outcome': outcome, 'reason': get('reason') or now.get('reason'),
        'actions': [_action_row(a) for a in actions], 'seconds': seconds, 'time': _seconds(seconds),
        'order': (_SEVERITY.get(outcome, 4), kind != HOST) + sort_key(entry),
    }


def report_view(result):
    """The one data structure that the JUnit and HTML templates render: every value ready to print.

    Rows are ordered failing first (then warnings, ignored, passing), hosts before VMs, then by
    zone, cluster and name; every UUID of a zone, cluster or host comes with its name where known.
    """
    names = _names_of(result)
    summary = result.get('summary') or {}
    refs = _Refs(names)
    rows = sorted((_resource_row(entry, refs) for entry in (result.get('resources') or {}).values()), key=lambda r: r['order'])
    policy = result.get('policy') or {}
    audit = _audit_of(result)
    return {
        'compliant': bool(result.get('compliant')),
        'mode': _mode_of(result),
        'check_mode': bool(result.get('check_mode')),
        'audit': _audit_rows(result, audit, policy),
        'summary': dict((key, int(summary.get(key) or 0)) for key, _label in _CARDS),
        'cards': [{'key': key, 'label': label, 'value': int(summary.get(key) or 0)} for key, label in _CARDS],
        'before': _before_line(result),
        'failing': [r for r in rows if r['outcome'] == FAIL],
        'zones': _zones(rows),
        'suites': _suites(rows),
        'totals': {'tests': len(rows), 'failures': len([r for r in rows if r['outcome'] == FAIL]),
                   'skipped': len([r for r in rows if r['outcome'] == WARN]), 'time': _seconds(sum(r['seconds'] for r in rows))},
        'timestamp': (result.get('started_at') or '').rstrip('Z') or None,
        'plan': _plan_view(result, refs),
        'actions': [dict(_action_row(a), kind=a.get('resource_type'), uuid=a.get('uuid'),
                         name=a.get('name') if a.get('name') != a.get('uuid') else None,
                         host=refs[a.get('host_uuid') or None] if a.get('resource_type') != HOST else None)
                    for a in result.get('actions') or []],
        'drift': _drift_view(result.get('drift')),
    }


def _audit_rows(result, audit, policy):
    auth = audit.get('auth')
    principal = audit.get('principal')
    who = ' '.join(str(part) for part in (_AUTH_WORDS.get(auth, auth), principal) if part) or None
    rows = [
        ('collection', 'Collection', 'zstack.cloud %s' % audit['collection_version'] if audit.get('collection_version') else None),
        ('ansible-core', 'ansible-core', audit.get('ansible_core_version')),
        ('api-url', 'Management node', audit.get('api_url')),
        ('principal', 'Account or key', who),
        ('mode', 'Mode', _mode_of(result)),
        ('policy', 'Policy', 'Unknown=%s, no record=%s, error=%s' % (policy.get('unknown') or '-', policy.get('no_record') or '-',
                                                                     policy.get('error') or '-') if policy else None),
        ('started', 'Started', result.get('started_at')),
        ('finished', 'Finished', result.get('finished_at')),
    ]
    return [{'key': key, 'label': label, 'value': value} for key, label, value in rows]


def _before_line(result):
    before = result.get('summary_before')
    if not before or not result.get('actions'):
        return None
    return ', '.join('%s %s' % (int(before.get(k) or 0), label) for k, label in (
        ('matched', 'Matched'), ('unmatched', 'Unmatched'), ('unknown', 'Unknown'), ('no_record', 'no record'),
        ('not_found', 'not found')))


def _zones(rows):
    """Zones, each with its clusters, each with its rows (in the rows' order: failing first)."""
    zones = {}
    for row in rows:
        zone_uuid = (row['zone'] or {}).get('uuid')
        cluster_uuid = (row['cluster'] or {}).get('uuid')
        zone = zones.setdefault(zone_uuid, {'ref': row['zone'], 'clusters': {}, 'failing': 0, 'total': 0, 'order': row['order'][0]})
        cluster = zone['clusters'].setdefault(cluster_uuid, {'ref': row['cluster'], 'rows': [], 'failing': 0, 'order': row['order'][0]})
        cluster['rows'].append(row)
        failing = int(row['outcome'] == FAIL)
        cluster['failing'] += failing
        zone['failing'] += failing
        zone['total'] += 1

    def order(group):  # failing first, then by name, then UUID; resources without a zone or cluster last
        ref = group['ref'] or {}
        return (group['order'], not ref, natural(ref.get('name')), ref.get('uuid') or '')
    result = []
    for zone in sorted(zones.values(), key=order):
        clusters = sorted(zone['clusters'].values(), key=order)
        result.append(dict(zone, clusters=[dict(c, total=len(c['rows'])) for c in clusters]))
    return result


def _suites(rows):
    suites = []
    for kind, title in ((HOST, 'hosts'), (VM, 'vms'), (None, 'other')):
        cases = [r for r in rows if r['kind'] == kind]
        if cases:
            suites.append({'name': 'zstack.virtualizer_compliance.' + title, 'title': title, 'cases': cases,
                           'failures': len([r for r in cases if r['outcome'] == FAIL]),
                           'skipped': len([r for r in cases if r['outcome'] == WARN]),
                           'time': _seconds(sum(r['seconds'] for r in cases))})
    return suites


def _plan_view(result, refs):
    """The plan's rows with what happened to each: the record of its action (joined by UUID), else why not."""
    plan = result.get('plan') or {}
    records = {}
    for action in result.get('actions') or []:
        records.setdefault(action.get('uuid'), []).append(action)
    if result.get('check_mode'):
        not_run = 'planned (check mode)'
    elif not result.get('remediate'):
        not_run = 'planned (remediation is off)'
    else:
        not_run = 'not run'
    rows, seen = [], set()
    phases = [plan] + ([plan['vm_phase']] if isinstance(plan.get('vm_phase'), Mapping) else [])
    for index, phase in enumerate(phases):
        planned = [a for batch in phase.get('host_batches') or [] for a in batch] + list(phase.get('vm_actions') or [])
        for action, kind in [(a, 'planned') for a in planned] + [(a, 'deferred') for a in phase.get('deferred') or []] + \
                [(a, 'blocked') for a in phase.get('blocked') or []]:
            key = (action.get('uuid'), action.get('action'))
            if key in seen:
                continue
            seen.add(key)
            done = [r for r in records.get(action.get('uuid'), []) if r.get('action') == action.get('action')] or \
                records.get(action.get('uuid'), [])
            record = done[-1] if done else None
            if record is not None:
                status = {'ok': 'done'}.get(record.get('status'), record.get('status'))
            else:
                status = not_run if kind == 'planned' else kind
            rows.append({
                'order': action.get('order') or None, 'batch': action.get('batch') or None, 'phase': 'VM phase' if index else None,
                'kind': action.get('resource_type'), 'uuid': action.get('uuid'),
                'name': action.get('name') if action.get('name') != action.get('uuid') else None,
                'host': refs[action.get('host_uuid') or None] if action.get('resource_type') != HOST else None,
                'action': action.get('action'), 'status': status, 'status_class': status.split(' ')[0],
                'seconds': _action_row(record)['seconds'] if record is not None else None,
                'note': (record.get('message') if record is not None and record.get('status') != 'ok' else None)
                or action.get('blocked_reason') or action.get('deferred_reason') or action.get('why') or None,
            })
    counts = plan.get('counts') or {}
    return {'rows': rows, 'counts': dict((k, int(counts.get(k) or 0)) for k in (
        'host_actions', 'host_batches', 'vm_actions', 'deferred', 'blocked'))}


def _drift_view(drift_data):
    if not isinstance(drift_data, Mapping):
        return None
    groups = []
    for key, title in DRIFT_GROUPS:
        items = []
        for item in drift_data.get(key) or []:
            items.append({'uuid': item.get('uuid'), 'name': item.get('name') if item.get('name') != item.get('uuid') else None,
                          'kind': item.get('resource_type'), 'before': _drift_state(item.get('before')),
                          'after': _drift_state(item.get('after'))})
        groups.append({'key': key, 'title': title, 'entries': items})
    return {'since': drift_data.get('since'), 'groups': groups}


def _drift_state(state):
    if not isinstance(state, Mapping):
        return None
    return '%s (%s)' % (state.get('verdict') or '-', state.get('outcome') or '-')


# ------------------------------------------------------------------ drift
def drift(previous, result, source='the previous report'):
    """What changed since the previous run: ``{since, newly_failing, fixed, new, gone}``.

    ``previous`` is the previous JSON report as loaded (schema 1: without ``schema_version``, or
    :data:`SCHEMA_VERSION`); ``result`` this run's result.  The groups are disjoint lists of
    ``{uuid, name, resource_type, before, after}`` (``before`` / ``after``: ``{verdict, outcome}``
    of the previous and of this run, None for a resource absent from that run), hosts first, then
    by name:

    - ``newly_failing``: in both runs, failing now and not failing before;
    - ``fixed``: in both runs, failing before and not failing now;
    - ``new``: only in this run (whatever its outcome);
    - ``gone``: only in the previous run.

    ``since`` is the ``finished_at`` of the previous report.  A previous report that is not one
    raises :class:`ComplianceError` naming ``source``.
    """
    if not isinstance(previous, Mapping):
        raise ComplianceError('%s is not a compliance report: a JSON object was expected, got %s'
                              % (source, type(previous).__name__))
    version = previous.get('schema_version', 1)
    if isinstance(version, bool) or version not in READABLE_SCHEMAS:
        raise ComplianceError('%s has schema_version %r; this collection reads reports of schema %s '
                              '(write a new one with this version, or give no previous report)'
                              % (source, version, ' or '.join(str(v) for v in READABLE_SCHEMAS)))
    before = _states(previous.get('resources'), source)
    now = _states((result or {}).get('resources'), 'this run\'s result')
    groups = dict((key, []) for key, _title in DRIFT_GROUPS)
    for uuid, state in now.items():
        prior = before.get(uuid)
        if prior is None:
            groups['new'].append(_drift_item(uuid, state, None, state))
        elif state['state']['outcome'] == FAIL and prior['state']['outcome'] != FAIL:
            groups['newly_failing'].append(_drift_item(uuid, state, prior['state'], state['state']))
        elif prior['state']['outcome'] == FAIL and state['state']['outcome'] != FAIL:
            groups['fixed'].append(_drift_item(uuid, state, prior['state'], state['state']))
    for uuid, prior in before.items():
        if uuid not in now:
            groups['gone'].append(_drift_item(uuid, prior, prior['state'], None))
    for items in groups.values():
        items.sort(key=name_key)
    groups['since'] = previous.get('finished_at')
    return groups


def _states(resources, source):
    """UUID -> ``{name, resource_type, state: {verdict, outcome}}`` of a report's resources (schema 1 and 2 alike)."""
    if not isinstance(resources, Mapping):
        raise ComplianceError('%s has no resources: "resources" must be an object of UUID to resource, got %s'
                              % (source, type(resources).__name__ if resources is not None else 'nothing'))
    states = {}
    for uuid, entry in resources.items():
        if not isinstance(entry, Mapping) or entry.get('outcome') not in _SEVERITY:
            raise ComplianceError('%s: resource %s has no outcome (one of %s expected, got %r)' % (
                source, uuid, ', '.join(_SEVERITY), entry.get('outcome') if isinstance(entry, Mapping) else entry))
        snap = entry.get('after') if isinstance(entry.get('after'), Mapping) else entry.get('before')
        verdict = snap.get('verdict') if isinstance(snap, Mapping) else entry.get('verdict')
        states[uuid] = {'name': entry.get('name'), 'resource_type': entry.get('resource_type'),
                        'state': {'verdict': verdict, 'outcome': entry['outcome']}}
    return states


def _drift_item(uuid, known, before, after):
    return {'uuid': uuid, 'name': known.get('name'), 'resource_type': known.get('resource_type'), 'before': before, 'after': after}
