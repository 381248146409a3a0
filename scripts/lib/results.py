"""Count test cases from the tools' own reports (used by scripts/test).

Usage:
    results.py junit DIR...             pytest JUnit XML files under DIR
    results.py sanity LOG RC            ansible-test sanity output and exit status
    results.py integration LOG DATADIR RC  ansible-test integration output + data JSON
    results.py hardening FILE           the hardening suite's figures (tests/output/hardening-figures.json)

When ansible-test failed without its own "N ... failed" summary (a test
crashed), the test that was running counts as one failure.

Prints one line: "PASSED FAILED SKIPPED" (hardening: the figures table and a one-line verdict).
"""

import glob
import json
import os
import re
import sys
import xml.etree.ElementTree as ET


def junit(dirs):
    passed = failed = skipped = 0
    for directory in dirs:
        for path in sorted(glob.glob(os.path.join(directory, '**', '*.xml'), recursive=True)):
            root = ET.parse(path).getroot()
            for case in root.iter('testcase'):
                tags = {child.tag for child in case}
                if tags & {'failure', 'error'}:
                    failed += 1
                elif 'skipped' in tags:
                    skipped += 1
                else:
                    passed += 1
    return passed, failed, skipped


def _read(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as handle:
            return handle.read()
    except OSError:
        return ''


def sanity(log, rc):
    text = _read(log)
    ran = len(re.findall(r'^Running sanity test ', text, re.M))
    skipped = len(re.findall(r'^WARNING: Skipping sanity test ', text, re.M))
    match = re.search(r'The (\d+) sanity test\(s\) listed below \(out of (\d+)\) failed', text)
    if match:
        failed = int(match.group(1))
    else:
        failed = 1 if rc else 0
    return max(ran - failed, 0), failed, skipped


def integration(log, datadir, rc):
    text = _read(log)
    match = re.search(r'The (\d+) integration test\(s\) listed below \(out of (\d+)\) failed', text)
    if match:
        failed, total = int(match.group(1)), int(match.group(2))
        return total - failed, failed, 0
    passed = 0
    files = sorted(glob.glob(os.path.join(datadir, 'integration-*.json')))
    if files:
        with open(files[-1], encoding='utf-8') as handle:
            passed = len(json.load(handle).get('targets', {}))
    return passed, 1 if rc else 0, 0


def hardening(path):
    """The figures the hardening suite wrote (tests/unit/hardening/conftest.py), as lines to print."""
    try:
        with open(path, encoding='utf-8') as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return ['hardening figures: none written (%s); did tests/unit/hardening run?' % path]
    fig = data.get('figures') or {}
    cases = fig.get('cases') or {}
    verdict = ('hardening: %s cases tried, %s clear errors, %s survived; %s wrong successes, %s crashes, '
               '%s sessions left open, %s UUIDs lost of %s, %s secret leaks' % (
                   cases.get('tried', '?'), cases.get('clear_error', '?'), cases.get('survived', '?'),
                   fig.get('wrong_successes', '?'), fig.get('crashes', '?'), fig.get('sessions_left_open', '?'),
                   fig.get('uuids_lost', '?'), fig.get('uuids_in', '?'), fig.get('secret_leaks_found', '?')))
    return list(data.get('table') or []) + [verdict]


def main(argv):
    kind, args = argv[1], argv[2:]
    if kind == 'hardening':
        print('\n'.join(hardening(args[0])))
        return
    if kind == 'junit':
        counts = junit(args)
    elif kind == 'sanity':
        counts = sanity(args[0], int(args[1]))
    elif kind == 'integration':
        counts = integration(args[0], args[1], int(args[2]))
    else:
        raise SystemExit(__doc__)
    print('%d %d %d' % counts)


if __name__ == '__main__':
    main(sys.argv)
