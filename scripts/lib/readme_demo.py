# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The README's view of the demo, from a demo run's console log (scripts/readme-demo runs it).

The excerpt is the output of the role's planning and result tasks: every line from the banner of
the task that prints the first summary line to the last ``report:`` line, with the task banners between them, the checkout path
written as ``.`` and the report directory as ``./reports``. It goes between the README's markers.
The HTML report becomes a PNG through headless Chromium. With --check nothing is written: the
README's excerpt must equal the new one and the PNG must exist.
"""

import argparse
import os
import re
import sys
import tempfile

# Chromium is found and run as the role's browser test runs it (one piece: check_html.py)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'integration', 'targets',
                                'role_virtualizer_compliance'))
import check_html  # noqa: E402  pylint: disable=wrong-import-position

BEGIN = '<!-- BEGIN demo-console: scripts/readme-demo writes this block, do not edit it by hand -->'
END = '<!-- END demo-console -->'
#: the role's summary line, which the task that plans prints first
SUMMARY = re.compile(r'^\d[\d,]* resources?: ')
#: the README's screenshot: the top of the report (audit header, cards, failing list, first zone)
SCREENSHOT_FLAGS = ['--hide-scrollbars', '--window-size=1280,1500']


def excerpt(log_text, root, report_dir):
    lines = log_text.splitlines()
    try:
        first = next(i for i, line in enumerate(lines) if SUMMARY.match(line))
        start = max(i for i in range(first) if lines[i].startswith('TASK ['))
        end = max(i for i, line in enumerate(lines) if line.startswith('report: '))
    except (StopIteration, ValueError):
        raise SystemExit('FAIL: the demo log has no summary line after a task banner, or no report lines: did the role run?')
    kept = []
    for line in lines[start:end + 1]:
        line = line.replace(report_dir, './reports').replace(root, '.')
        if line.startswith('TASK ['):
            line = re.sub(r' \*+$', '', line)
        kept.append(line.rstrip())
    return '\n'.join(['```text', '$ scripts/demo', '...'] + kept + ['...', '```'])


def replace_block(readme, block):
    if BEGIN not in readme or END not in readme:
        raise SystemExit('FAIL: README.md has no %s ... %s block' % (BEGIN, END))
    head, rest = readme.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    return head + BEGIN + '\n' + block + '\n' + END + tail


def screenshot(html, png):
    binary = check_html.chromium()
    if not binary:
        raise SystemExit('FAIL: chromium is not installed (scripts/bootstrap installs it: apt-get install -y chromium)')
    os.makedirs(os.path.dirname(png), exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        tmp = os.path.join(work, 'shot.png')
        check_html.run(binary, SCREENSHOT_FLAGS + ['--screenshot=' + tmp, 'file://' + html])
        with open(tmp, 'rb') as handle:
            data = handle.read()
    if not data.startswith(b'\x89PNG') or len(data) < 10000:
        raise SystemExit('FAIL: chromium made no usable screenshot of %s' % html)
    with open(png, 'wb') as handle:
        handle.write(data)


def main(argv):
    parser = argparse.ArgumentParser()
    for name in ('log', 'root', 'readme', 'html', 'png'):
        parser.add_argument('--' + name, required=True)
    parser.add_argument('--check', action='store_true')
    args = parser.parse_args(argv)
    with open(args.log, encoding='utf-8') as handle:
        block = excerpt(handle.read(), args.root, os.path.dirname(args.html))
    with open(args.readme, encoding='utf-8') as handle:
        readme = handle.read()
    new = replace_block(readme, block)
    if args.check:
        problems = []
        if new != readme:
            problems.append('README.md does not show what the demo prints now: run scripts/readme-demo and commit README.md')
        if not os.path.isfile(args.png):
            problems.append('%s is missing: run scripts/readme-demo and commit it' % os.path.relpath(args.png, args.root))
        for problem in problems:
            print('FAIL: %s' % problem)
        if not problems:
            print('ok:   README.md shows what the demo prints (%d lines); %s is there'
                  % (block.count('\n') + 1, os.path.relpath(args.png, args.root)))
        return 1 if problems else 0
    with open(args.readme, 'w', encoding='utf-8') as handle:
        handle.write(new)
    screenshot(args.html, args.png)
    print('README.md: %d lines of the demo; %s written' % (block.count('\n') + 1, os.path.relpath(args.png, args.root)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
