# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command and report what it cost: wall time and the peak RSS of its processes.

    rss_exec.py --report FILE -- command args...

The report is one JSON line appended to FILE:
``{"wall_s", "maxrss_kb", "cpu_s", "rc", "argv0"}`` where ``maxrss_kb`` is
getrusage(RUSAGE_CHILDREN).ru_maxrss after waiting for the command: the peak resident
set of the largest single process in the command's tree (Linux folds each waited-for
descendant's peak into its parent's), not a sum, and ``cpu_s`` is the user + system
CPU time of the whole tree.

Used two ways by benchmarks/bench.py:

- around a whole process (ansible-playbook, the floor script);
- as ``ansible_python_interpreter`` (through the small ``module_python`` shim), so that
  the Ansible module's own process is measured alone, exactly, without polling.
"""

import json
import os
import resource
import subprocess
import sys
import time


def run(report, argv):
    start = time.monotonic()
    rc = subprocess.call(argv)
    wall = time.monotonic() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = json.dumps({'wall_s': wall, 'maxrss_kb': usage.ru_maxrss, 'cpu_s': usage.ru_utime + usage.ru_stime,
                       'rc': rc, 'argv0': os.path.basename(argv[0])})
    with open(report, 'a', encoding='utf-8') as fobj:
        fobj.write(line + '\n')
    return rc


def main():
    args = sys.argv[1:]
    if len(args) < 4 or args[0] != '--report' or args[2] != '--':
        sys.stderr.write('usage: rss_exec.py --report FILE -- command args...\n')
        return 2
    return run(args[1], args[3:])


if __name__ == '__main__':
    sys.exit(main())
