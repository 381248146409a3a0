"""Count test cases from the tools' own reports (used by scripts/test).

Usage:
    results.py junit DIR...             pytest JUnit XML files under DIR
    results.py sanity LOG RC            ansible-test sanity output and exit status
    results.py integration LOG DATADIR RC  ansible-test integration output + data JSON

When ansible-test failed without its own "N ... failed" summary (a test
crashed), the test that was running counts as one failure.

Prints one line: "PASSED FAILED SKIPPED".
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


def main(argv):
    kind, args = argv[1], argv[2:]
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
