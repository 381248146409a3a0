# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check an HTML report of the virtualizer_compliance role in headless Chromium, and its JUnit twin.

Usage: check_html.py REPORT.html REPORT.json WORKDIR

- the HTML renders to a non-blank PNG screenshot (--screenshot),
- the rendered DOM (--dump-dom) holds every summary count of the JSON report,
- the JUnit XML next to it parses and has one test case per resource.
Fails when no chromium is installed (scripts/bootstrap installs Debian's chromium).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

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
    junit = html_path[:-len('.html')] + '.junit.xml'
    root = ET.parse(junit).getroot()
    cases = root.findall('.//testcase')
    assert len(cases) == result['summary']['total'], (len(cases), result['summary']['total'])
    assert len(root.findall('.//testcase/failure')) == result['summary']['failing']
    print('junit ok: %d test cases, %d failures' % (len(cases), result['summary']['failing']))

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
    print('html ok: %s (%d bytes screenshot %s), counts in the DOM' % (html_path, len(data), png))
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:4]))
