# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check an HTML report of the virtualizer_compliance role in headless Chromium, and its JUnit twin.

Usage: check_html.py REPORT.html REPORT.json WORKDIR

- the JSON report has schema_version 2 and the audit header's keys,
- the HTML renders to a non-blank PNG screenshot (--screenshot),
- the rendered DOM (--dump-dom) holds every summary count of the JSON report, the failing list at the
  top (every failing UUID, nothing else), the name of every zone, cluster and host the JSON names
  beside its UUID, and every resource's UUID,
- the JUnit XML next to it parses, has one test case per resource, no Python ``None``, and real times:
  a resource's time is the seconds of its actions (0 only when nothing was done).
Fails when no chromium is installed (scripts/bootstrap installs Debian's chromium).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from html import escape

FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync']


def chromium():
    for name in ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'):
        path = shutil.which(name)
        if path:
            return path
    return None


def run(binary, args):
    profile = tempfile.mkdtemp(prefix='rvc-chromium-')
    try:
        return subprocess.run([binary] + FLAGS + ['--user-data-dir=' + profile] + args, check=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120).stdout.decode('utf-8', 'replace')
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def main(html_path, json_path, workdir):
    with open(json_path, encoding='utf-8') as fobj:
        result = json.load(fobj)
    assert result.get('schema_version') == 2, 'JSON schema_version is %r, not 2' % result.get('schema_version')
    assert sorted(result['audit']) == ['ansible_core_version', 'api_url', 'auth', 'collection_version', 'principal'], result['audit']
    junit = html_path[:-len('.html')] + '.junit.xml'
    with open(junit, encoding='utf-8') as fobj:
        junit_text = fobj.read()
    assert 'None' not in junit_text, 'a Python None in the JUnit XML'
    root = ET.fromstring(junit_text)
    cases = root.findall('.//testcase')
    assert len(cases) == result['summary']['total'], (len(cases), result['summary']['total'])
    assert len(root.findall('.//testcase/failure')) == result['summary']['failing']
    timed = 0
    for case in cases:
        uuid = case.get('name').rsplit('(', 1)[-1].rstrip(')')
        seconds = sum(float(a.get('seconds') or 0) for a in result['resources'][uuid]['actions'])
        assert abs(float(case.get('time')) - seconds) < 0.001, (uuid, case.get('time'), seconds)
        timed += seconds > 0
    assert timed == len([e for e in result['resources'].values() if sum(float(a.get('seconds') or 0) for a in e['actions']) > 0])
    print('junit ok: %d test cases, %d failures, %d with a time' % (len(cases), result['summary']['failing'], timed))

    binary = chromium()
    if binary is None:
        print('FAIL: chromium is not installed (scripts/bootstrap installs it: apt-get install -y chromium)', file=sys.stderr)
        return 1
    os.makedirs(workdir, exist_ok=True)
    png = os.path.join(workdir, 'report.png')
    url = 'file://' + os.path.abspath(html_path)
    run(binary, ['--screenshot=' + png, '--window-size=1280,2000', url])
    with open(png, 'rb') as fobj:
        data = fobj.read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    assert len(data) > 20000, 'the screenshot is suspiciously small (%d bytes): blank page?' % len(data)
    dom = run(binary, ['--dump-dom', url])
    for key in ('total', 'matched', 'unmatched', 'unknown', 'no_record', 'not_found', 'failing', 'warning'):
        needle = '<div class="card" id="count-%s"><div class="n">%d</div>' % (key, result['summary'][key])
        assert needle in dom, 'count %s=%d not in the rendered DOM' % (key, result['summary'][key])
    for uuid in result['resources']:
        assert uuid in dom, uuid
    # the failing list comes first and holds exactly the failing resources
    match = re.search(r'<section id="failing">(.*?)</section>', dom, re.S)
    assert match, 'no failing list in the rendered DOM'
    assert dom.index('id="failing"') < dom.index('id="resources"'), 'the failing list is not above the tables'
    assert 'Failing resources (%d)' % result['summary']['failing'] in match.group(1)
    failing = set(e['uuid'] for e in result['failing'])
    assert match.group(1).count('<tr class="r-fail">') == len(failing), 'the failing list has not one row per failing resource'
    for uuid in failing:
        assert uuid in match.group(1), ('not in the failing list', uuid)
    # a name beside every zone, cluster and host UUID that the JSON names
    named = 0
    for entry in result['resources'].values():
        for key in ('zone', 'cluster', 'host'):
            name = entry.get(key + '_name')
            if name and entry.get(key + '_uuid'):
                needle = '<span class="nm">%s</span> <code class="uuid">%s</code>' % (escape(name, False), entry[key + '_uuid'])
                assert needle in dom, (key, needle)
                named += 1
    print('html ok: %s (%d bytes screenshot %s), counts, %d failing listed first, %d names beside UUIDs in the DOM'
          % (html_path, len(data), png, len(failing), named))
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:4]))
