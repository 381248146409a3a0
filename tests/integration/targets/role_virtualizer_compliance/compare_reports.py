# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare two JSON reports of the role, leaving out what differs from run to run (times, job UUIDs, paths).

    compare_reports.py A.json B.json     exit 0 when they agree, 1 (with the first differences) when not
"""

import json
import sys

VOLATILE = {'started_at', 'finished_at', 'reports', 'seconds', 'job_uuid', 'job_uuids', 't0'}


def normalized(value):
    if isinstance(value, dict):
        return dict((k, normalized(v)) for k, v in value.items() if k not in VOLATILE)
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return value


def differences(left, right, path='$'):
    if type(left) is not type(right):
        yield '%s: %r != %r' % (path, left, right)
    elif isinstance(left, dict):
        for key in sorted(set(left) | set(right)):
            if key not in left or key not in right:
                yield '%s.%s: only in %s' % (path, key, 'the first' if key in left else 'the second')
            else:
                yield from differences(left[key], right[key], '%s.%s' % (path, key))
    elif isinstance(left, list):
        if len(left) != len(right):
            yield '%s: %d items != %d items' % (path, len(left), len(right))
        for index, (one, two) in enumerate(zip(left, right)):
            yield from differences(one, two, '%s[%d]' % (path, index))
    elif left != right:
        yield '%s: %r != %r' % (path, left, right)


def main(argv):
    reports = []
    for name in argv[1:3]:
        with open(name, encoding='utf-8') as fobj:
            reports.append(normalized(json.load(fobj)))
    found = list(differences(*reports))
    if not reports[0].get('resources'):
        found.insert(0, 'the first report lists no resource')
    for line in found[:20]:
        print(line)
    print('%s and %s: %s' % (argv[1], argv[2], '%d differences' % len(found) if found else 'the same'))
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
