# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet-scale benchmark of the zstack.cloud collection (run it through ``benchmarks/run``).

Starts the ZStack simulator (its CLI, in its own process) with seeded fleets and measures
whole processes side by side, in one run:

1. ``zstack_virtualizer_info`` (one ``ansible-playbook`` run) for N UUIDs, N = 1,000 / 10,000 / 100,000;
2. the floor: ``floor.py``, plain ``requests`` with the same batch size and concurrency;
3. ``ansible.builtin.uri`` in a ``loop:``, one call per UUID, for 100 UUIDs;
4. the ``virtualizer_compliance`` role with ``--check`` on a fleet of 10 and one of 11,000 resources;
5. the simulator's own request rate (``simrate.py``) and the CPU it spent in every run above.

Writes ``results.md`` (the table) and ``results.json`` (every figure, sample and ratio) into
``--out`` and prints the table.  Exits 0 even when a target is missed (it reports, it does not gate); 1 when a measured run failed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIM_DIR = os.path.join(ROOT, 'tests', 'simulator')
ROLE_DIR = os.path.join(ROOT, 'roles', 'virtualizer_compliance')

MB = 1024.0  # ru_maxrss is in KiB on Linux

#: the fleet generator's knobs shared by every fleet (the ratios of the issue's example spec)
FLEET_MIX = {'zones': 2, 'clusters_per_zone': 2, 'unmatched_host_ratio': 0.05, 'unmatched_vm_ratio': 0.05,
             'stopped_vm_ratio': 0.05, 'seed': 42}

PROFILES = {
    'full': {'sizes': [1000, 10000, 100000], 'ratio_size': 10000, 'uri_uuids': 100,
             'role_small': (1, 9), 'role_big': (1000, 10), 'repeat': 3, 'role_repeat': 3, 'rate_seconds': 3.0},
    'quick': {'sizes': [1000, 3000], 'ratio_size': 3000, 'uri_uuids': 3,
              'role_small': (1, 9), 'role_big': (100, 10), 'repeat': 1, 'role_repeat': 1, 'rate_seconds': 0.5},
}

#: the module's output modes, each measured at every size: (output option, run kind, row label)
MODES = [
    ('grouped', 'module_grouped', 'zstack_virtualizer_info, output=grouped (the default)'),
    ('verdicts', 'module_verdicts', 'zstack_virtualizer_info, output=verdicts'),
    ('facts', 'module_facts', 'zstack_virtualizer_info, output=facts'),
    ('full', 'module', 'zstack_virtualizer_info, output=full (the 1.x default)'),
]
DEFAULT_OUTPUT = MODES[0][0]

TARGETS = {
    'floor_ratio': 1.5,      # module wall / floor wall at the ratio size, at most (1.0.0's target, informative now)
    'marginal_ratio': 3.0,   # default output: (run at N - empty-list run) / (floor at N - floor's start-up), at most
    'marginal_stretch': 1.5,  # the same, the stretch goal (reported, not a target)
    'sim_busy_share': 1.0 / 3,  # simulator CPU / floor wall at the largest size, under
    'uri_speedup': 100.0,    # uri-loop wall per UUID / module wall per UUID, at least
    'rss_mb': 250.0,         # peak RSS at the largest size, under
    'role_ratio': 2.0,       # role wall on the big fleet / on the small one, at most
    'role_small_s': 5.0,     # role wall on the small fleet, seconds, at most
}


# ---------------------------------------------------------------------------- helpers
def sig3(value):
    """A number with 3 significant digits, never in scientific notation."""
    if value is None:
        return 'n/a'
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return 'n/a'
    if value == 0:
        return '0'
    digits = 2 - int(math.floor(math.log10(abs(value))))
    rounded = round(value, digits)
    if digits <= 0:
        return '{:,}'.format(int(rounded))
    return '{:.{}f}'.format(rounded, digits)


def log(msg):
    sys.stderr.write('[bench %s] %s\n' % (time.strftime('%H:%M:%S'), msg))
    sys.stderr.flush()


def find_python():
    """$VENV/bin/python, then the repo's .venv, then /tmp/probe-venv, then this interpreter."""
    candidates = []
    if os.environ.get('VENV'):
        candidates.append(os.path.join(os.environ['VENV'], 'bin', 'python'))
    candidates += [os.path.join(ROOT, '.venv', 'bin', 'python'), '/tmp/probe-venv/bin/python', sys.executable]
    for cand in candidates:
        if os.access(cand, os.X_OK) and os.access(os.path.join(os.path.dirname(cand), 'ansible-playbook'), os.X_OK):
            return cand
    return sys.executable


def load_fleet_module():
    sys.path.insert(0, SIM_DIR)
    from zstack_simulator import fleet  # pylint: disable=import-outside-toplevel,import-error
    return fleet


def fleet_spec(hosts, vms_per_host):
    spec = dict(FLEET_MIX)
    spec.update({'hosts': hosts, 'vms_per_host': vms_per_host})
    return {'generate': spec}


def fleet_uuids(fleet, spec):
    """Every host and VM UUID of a generated fleet, each host followed by its VMs."""
    gen = fleet.generate(spec['generate'])
    by_host = {}
    for vm in gen['vms']:
        by_host.setdefault(vm['hostUuid'], []).append(vm['uuid'])
    out = []
    for host in gen['hosts']:
        out.append(host['uuid'])
        out.extend(by_host.get(host['uuid'], []))
    return out


def write_json(path, data):
    with open(path, 'w', encoding='utf-8') as fobj:
        json.dump(data, fobj)
    return path


def load_average():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def cpu_model():
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as fobj:
            for line in fobj:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


def git_commit():
    try:
        return subprocess.run(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True,
                              check=False).stdout.strip() or None
    except OSError:
        return None


def tool_version(python, code):
    try:
        return subprocess.run([python, '-c', code], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return None


# ---------------------------------------------------------------------------- simulator
class Simulator:
    """The simulator CLI in its own process, seeded from a fleet spec file."""

    def __init__(self, python, spec_path, workdir, name):
        self.python = python
        self.spec_path = spec_path
        self.workdir = workdir
        self.name = name
        self.proc = None
        self.url = None
        self.start_s = None

    def start(self, timeout=300):
        port_file = os.path.join(self.workdir, 'sim-%s.url' % self.name)
        if os.path.exists(port_file):
            os.unlink(port_file)
        env = dict(os.environ, PYTHONPATH=SIM_DIR)
        logf = open(os.path.join(self.workdir, 'sim-%s.log' % self.name), 'w', encoding='utf-8')  # pylint: disable=consider-using-with
        begin = time.monotonic()
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [self.python, '-m', 'zstack_simulator', '--host', '127.0.0.1', '--port', '0', '--seed', self.spec_path,
             '--port-file', port_file], cwd=self.workdir, env=env, stdout=logf, stderr=subprocess.STDOUT)
        logf.close()
        while time.monotonic() - begin < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError('the simulator exited with %s; see %s' % (self.proc.returncode, logf.name))
            if os.path.exists(port_file):
                with open(port_file, encoding='utf-8') as fobj:
                    url = fobj.read().strip()
                if url:
                    self.url = url
                    self.start_s = time.monotonic() - begin
                    return self
            time.sleep(0.05)
        raise RuntimeError('the simulator did not start within %ss' % timeout)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def cpu_s(self):
        """User + system CPU seconds of the simulator process so far (from /proc)."""
        try:
            with open('/proc/%d/stat' % self.proc.pid, encoding='utf-8') as fobj:
                fields = fobj.read().rsplit(')', 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / float(os.sysconf('SC_CLK_TCK'))
        except (OSError, IndexError, ValueError):
            return None

    def rss_mb(self):
        try:
            with open('/proc/%d/status' % self.proc.pid, encoding='utf-8') as fobj:
                for line in fobj:
                    if line.startswith('VmHWM:'):
                        return int(line.split()[1]) / MB
        except (OSError, ValueError):
            pass
        return None

    def counters(self):
        """``(API requests, TCP connections accepted)`` so far."""
        with urllib.request.urlopen(self.url + '/_sim/counters', timeout=30) as resp:
            counters = json.load(resp)
        return counters['total_requests'], counters.get('connections')

    def requests(self):
        return self.counters()[0]


# ---------------------------------------------------------------------------- runner
class Bench:  # pylint: disable=too-many-instance-attributes
    def __init__(self, args):
        self.args = args
        self.profile = dict(PROFILES['quick' if args.quick else 'full'])
        if args.repeat:
            self.profile['repeat'] = self.profile['role_repeat'] = args.repeat
        self.python = find_python()
        self.bindir = os.path.dirname(self.python)
        self.out = os.path.abspath(args.out)
        self.logs = os.path.join(self.out, 'logs')
        self.work = tempfile.mkdtemp(prefix='zstack-bench-')
        self.runs = []          # every measured process
        self.notes = []
        self.sim = None
        self.fleet = None
        self._env = None
        self._run_no = 0
        self.module_report = None
        self.shim = None
        self.rates = []         # simrate.py results
        self.sim_rss_mb = None
        self.role_tasks = []
        self.errors = []        # runs that failed: the only thing that makes the benchmark exit non-zero

    # -------------------------------------------------------------- setup
    def setup(self):
        os.makedirs(self.logs, exist_ok=True)
        coll = os.path.join(self.work, 'collections', 'ansible_collections', 'zstack')
        os.makedirs(coll)
        os.symlink(ROOT, os.path.join(coll, 'cloud'))
        cfg = os.path.join(self.work, 'ansible.cfg')
        with open(cfg, 'w', encoding='utf-8') as fobj:
            fobj.write('[defaults]\nretry_files_enabled = False\n')
        env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('ZSTACK_', 'ANSIBLE_')))
        env.update({
            'ANSIBLE_CONFIG': cfg,
            'ANSIBLE_COLLECTIONS_PATH': os.path.join(self.work, 'collections'),
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_LOCALHOST_WARNING': 'False',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'False',
            'PATH': self.bindir + os.pathsep + env.get('PATH', ''),
        })
        self._env = env
        # The module's own process is measured exactly: ansible_python_interpreter is this shim,
        # which runs the real interpreter under rss_exec.py (one extra Python start, ~30 ms).
        self.module_report = os.path.join(self.work, 'module-process.jsonl')
        self.shim = os.path.join(self.work, 'module_python')
        with open(self.shim, 'w', encoding='utf-8') as fobj:
            fobj.write('#!/bin/sh\nexec "%s" "%s" --report "%s" -- "%s" "$@"\n'
                       % (self.python, os.path.join(HERE, 'rss_exec.py'), self.module_report, self.python))
        os.chmod(self.shim, 0o755)
        self.fleet = load_fleet_module()

    def start_sim(self, name, hosts, vms_per_host):
        """The simulator of the measurements that follow (``self.sim``), serving a generated fleet; its spec."""
        self.stop_sim()
        spec = fleet_spec(hosts, vms_per_host)
        self.sim = self.new_sim(name, spec)
        return spec

    def new_sim(self, name, spec):
        """A simulator started on fleet ``spec`` (``self.sim`` left as it is): the caller stops it."""
        path = write_json(os.path.join(self.work, 'fleet-%s.json' % name), spec)
        gen = spec['generate']
        log('starting the simulator with fleet %s (%d hosts x %d VMs = %d resources)'
            % (name, gen['hosts'], gen['vms_per_host'], gen['hosts'] * (gen['vms_per_host'] + 1)))
        sim = Simulator(self.python, path, self.work, name).start()
        log('simulator up at %s in %.1f s' % (sim.url, sim.start_s))
        return sim

    def stop_sim(self):
        if self.sim is not None:
            self.sim.stop()
            self.sim = None

    # -------------------------------------------------------------- one measured process
    def measure(self, kind, size, argv, module_process=False, task_times=False):
        """Run argv through rss_exec.py; record wall, CPU, peak RSS, simulator requests and CPU."""
        self._run_no += 1
        env = self._env
        times_path = None
        if task_times:
            times_path = os.path.join(self.work, 'task-times-%d.json' % self._run_no)
            env = dict(env, BENCH_TASK_TIMES=times_path, ANSIBLE_CALLBACKS_ENABLED='bench_task_times',
                       ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, 'callback_plugins'))
        report = os.path.join(self.work, 'run-%d.json' % self._run_no)
        logpath = os.path.join(self.logs, '%02d-%s-%s.log' % (self._run_no, kind, size))
        if module_process and os.path.exists(self.module_report):
            os.unlink(self.module_report)
        (req0, conn0), cpu0 = self.sim.counters(), self.sim.cpu_s()
        with open(logpath, 'w', encoding='utf-8') as logf:
            subprocess.run([self.python, os.path.join(HERE, 'rss_exec.py'), '--report', report, '--'] + argv,
                           cwd=self.work, env=env, stdout=logf, stderr=subprocess.STDOUT, check=False)
        with open(report, encoding='utf-8') as fobj:
            rep = json.loads(fobj.readline())
        cpu1 = self.sim.cpu_s()
        req1, conn1 = self.sim.counters()
        run = {
            'kind': kind, 'size': size, 'rc': rep['rc'], 'wall_s': rep['wall_s'], 'cpu_s': rep['cpu_s'],
            'maxrss_mb': rep['maxrss_kb'] / MB,
            'sim_requests': req1 - req0,  # /_sim/ calls are not counted
            # connections the run opened (the counters call itself reuses urllib's one-shot connection: minus 1)
            'sim_connections': None if conn0 is None or conn1 is None else conn1 - conn0 - 1,
            'sim_cpu_s': None if cpu0 is None or cpu1 is None else cpu1 - cpu0,
            'log': os.path.relpath(logpath, self.out),
        }
        if module_process:
            mod = []
            if os.path.exists(self.module_report):
                with open(self.module_report, encoding='utf-8') as fobj:
                    mod = [json.loads(line) for line in fobj if line.strip()]
            if mod:
                run['module_wall_s'] = sum(m['wall_s'] for m in mod)
                run['module_cpu_s'] = sum(m['cpu_s'] for m in mod)
                run['module_maxrss_mb'] = max(m['maxrss_kb'] for m in mod) / MB
                run['module_processes'] = len(mod)
        if times_path and os.path.exists(times_path):
            with open(times_path, encoding='utf-8') as fobj:
                run['task_times'] = json.load(fobj)['tasks']
        if rep['rc'] != 0:
            self.errors.append('%s %s failed (rc %s); see %s' % (kind, size, rep['rc'], logpath))
            log('%s %s FAILED (rc %s); see %s' % (kind, size, rep['rc'], logpath))
        else:
            log('%-10s %7s  wall %6.2f s  cpu %6.2f s  rss %6.0f MB%s' % (
                kind, size, run['wall_s'], run['cpu_s'], run['maxrss_mb'],
                '  (module process %.2f s, %.0f MB)' % (run['module_wall_s'], run['module_maxrss_mb'])
                if 'module_wall_s' in run else ''))
        self.runs.append(run)
        return run

    def playbook(self, playbook, extra_vars, args=(), interpreter=None):
        varfile = write_json(os.path.join(self.work, 'vars-%d.json' % (self._run_no + 1)), extra_vars)
        return [os.path.join(self.bindir, 'ansible-playbook'), '-i', 'localhost,', '-e',
                'ansible_python_interpreter=%s' % (interpreter or self.python), '-e', '@' + varfile,
                os.path.join(HERE, 'playbooks', playbook)] + list(args)

    # -------------------------------------------------------------- the scenarios
    def run_fetch(self):
        sizes = self.profile['sizes']
        biggest = max(sizes)
        self.start_sim('uuids', biggest // 10, 9)
        uuids = fleet_uuids(self.fleet, fleet_spec(biggest // 10, 9))
        files = {}
        for size in sizes:
            files[size] = write_json(os.path.join(self.work, 'uuids-%d.json' % size), uuids[:size])
        files[0] = write_json(os.path.join(self.work, 'uuids-0.json'), [])
        url = self.sim.url
        floor = [self.python, os.path.join(HERE, 'floor.py'), '--api-url', url, '--batch-size', '100', '--workers', '4']
        for _rep in range(self.profile['repeat']):
            # the fixed costs: Ansible + the module with an empty list (default output), the floor's own start-up
            self.measure('module', 0, self.playbook('module.yml', {'bench_api_url': url, 'bench_uuids_file': files[0]},
                                                    interpreter=self.shim), module_process=True)
            self.measure('floor', 0, floor + ['--uuids-file', files[0]])
        for size in sizes:
            for _rep in range(self.profile['repeat']):
                self.measure('floor', size, floor + ['--uuids-file', files[size]])
                for output, kind, _label in MODES:
                    self.measure(kind, size, self.playbook(
                        'module.yml', {'bench_api_url': url, 'bench_uuids_file': files[size], 'bench_output': output},
                        interpreter=self.shim), module_process=True)
        # What Ansible alone pays to hold the biggest UUID list, read from a vars file or with a lookup
        self.measure('load_vars', biggest, [os.path.join(self.bindir, 'ansible-playbook'), '-i', 'localhost,',
                                            '-e', '@' + write_json(os.path.join(self.work, 'load-vars.json'),
                                                                   {'bench_uuids': uuids[:biggest]}),
                                            os.path.join(HERE, 'playbooks', 'load_uuids.yml')])
        self.measure('load_lookup', biggest, self.playbook('load_uuids.yml', {'bench_uuids_file': files[biggest]}))
        count = self.profile['uri_uuids']
        self.measure('uri_loop', count, self.playbook('uri_loop.yml', {'bench_api_url': url, 'bench_uuids': uuids[:count]}))
        self.run_rate(files[min(sizes, key=lambda s: abs(s - 10000))])
        self.sim_rss_mb = self.sim.rss_mb()
        self.stop_sim()

    def run_rate(self, uuids_file):
        """The simulator's rate with the module's request shape and with the uri loop's."""
        self.rates = []
        for batch, workers in ((100, 4), (1, 1)):
            req0, cpu0 = self.sim.requests(), self.sim.cpu_s()
            proc = subprocess.run([self.python, os.path.join(HERE, 'simrate.py'), '--api-url', self.sim.url,
                                   '--uuids-file', uuids_file, '--batch-size', str(batch), '--workers', str(workers),
                                   '--duration', str(self.profile['rate_seconds'])],
                                  capture_output=True, text=True, env=self._env, check=False)
            try:
                rate = json.loads(proc.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                self.notes.append('simrate.py failed: %s' % proc.stderr[-500:])
                continue
            cpu1 = self.sim.cpu_s()
            requests = self.sim.requests() - req0
            rate['sim_cpu_s'] = cpu1 - cpu0
            rate['sim_cpu_ms_per_request'] = 1000.0 * rate['sim_cpu_s'] / max(requests, 1)
            log('simulator rate, batch %d x %d workers: %.0f requests/s, %.0f UUIDs/s, %.2f ms CPU per request'
                % (batch, workers, rate['requests_per_s'], rate['uuids_per_s'], rate['sim_cpu_ms_per_request']))
            self.rates.append(rate)

    def role_available(self):
        return os.path.exists(os.path.join(ROLE_DIR, 'tasks', 'main.yml'))

    def run_role(self):
        if not self.role_available():
            self.notes.append('role not measured: roles/virtualizer_compliance is not in this checkout '
                              '(the runner measures it as soon as roles/virtualizer_compliance/tasks/main.yml exists)')
            log(self.notes[-1])
            return
        # Both fleets are served at once and their runs alternate (small, big, small, big, ...): a spell of noise on a
        # shared machine then slows both sizes alike, and the ratio of their best runs holds
        self.stop_sim()
        fleets = []
        try:
            for label, (hosts, per_host) in (('small', self.profile['role_small']), ('big', self.profile['role_big'])):
                fleets.append((label, hosts * (per_host + 1), self.new_sim('role-%s' % label, fleet_spec(hosts, per_host))))
            for _rep in range(self.profile['role_repeat']):
                for label, size, sim in fleets:
                    self.sim = sim
                    report_dir = os.path.join(self.work, 'reports-%s' % label)
                    shutil.rmtree(report_dir, ignore_errors=True)
                    self.measure('role_check', size, self.playbook(
                        'role_check.yml', {'bench_api_url': sim.url, 'bench_report_dir': report_dir},
                        args=['--check'], interpreter=self.shim), module_process=True, task_times=True)
        finally:
            self.sim = None
            for _label, _size, sim in fleets:
                sim.stop()

    # -------------------------------------------------------------- figures
    def best(self, kind, size):
        """The run with the lowest wall time among the successful repetitions, plus the median."""
        runs = [r for r in self.runs if r['kind'] == kind and r['size'] == size and r['rc'] == 0]
        if not runs:
            return None
        best = dict(min(runs, key=lambda r: r['wall_s']))
        best['repetitions'] = len(runs)
        best['median_wall_s'] = statistics.median(r['wall_s'] for r in runs)
        best['max_maxrss_mb'] = max(r['maxrss_mb'] for r in runs)
        if 'module_maxrss_mb' in runs[0]:
            best['max_module_maxrss_mb'] = max(r.get('module_maxrss_mb', 0) for r in runs)
        return best

    def figures(self):  # pylint: disable=too-many-locals,too-many-branches,too-many-statements
        sizes = self.profile['sizes']
        rows, targets, ratios = [], [], {}

        def row(label, size, run, extra=''):
            if run is None:
                rows.append({'label': label, 'uuids': size, 'missing': True, 'note': extra})
                return
            per = run['wall_s'] / size * 1000.0 if size else None
            rows.append({
                'connections': run.get('sim_connections'),
                'label': label, 'uuids': size, 'wall_s': run['wall_s'], 'median_wall_s': run['median_wall_s'],
                'cpu_s': run['cpu_s'], 'rss_mb': run['max_maxrss_mb'],
                'module_rss_mb': run.get('max_module_maxrss_mb'), 'module_wall_s': run.get('module_wall_s'),
                'per_uuid_ms': per, 'requests': run['sim_requests'], 'sim_cpu_s': run['sim_cpu_s'],
                'repetitions': run['repetitions'], 'note': extra})

        noop = self.best('module', 0)
        floor0 = self.best('floor', 0)
        row('module, empty list (Ansible + module start-up: the fixed cost)', 0, noop)
        row('floor, empty list (its start-up: log in, log out)', 0, floor0)
        for size in sizes:
            floor = self.best('floor', size)
            row('floor (plain requests)', size, floor)
            for output, kind, label in MODES:
                module = self.best(kind, size)
                row(label, size, module)
                if floor and module:
                    ratios['%s_over_floor_%d' % (kind, size)] = module['wall_s'] / floor['wall_s']
                    if module.get('module_wall_s'):
                        ratios['%s_process_over_floor_%d' % (kind, size)] = module['module_wall_s'] / floor['wall_s']
        biggest = max(sizes)
        row('Ansible alone: hold the UUID list read from a vars file (-e @file)', biggest, self.best('load_vars', biggest))
        row("Ansible alone: hold the UUID list read by a file lookup and from_json", biggest,
            self.best('load_lookup', biggest))
        uri_n = self.profile['uri_uuids']
        uri = self.best('uri_loop', uri_n)
        row('ansible.builtin.uri loop, 1 call per UUID', uri_n, uri)
        small, big = self.profile['role_small'], self.profile['role_big']
        small_n, big_n = small[0] * (small[1] + 1), big[0] * (big[1] + 1)
        role_small, role_big = self.best('role_check', small_n), self.best('role_check', big_n)
        if self.role_available():
            row('role virtualizer_compliance --check', small_n, role_small, '' if role_small else 'failed: see logs/')
            row('role virtualizer_compliance --check', big_n, role_big, '' if role_big else 'failed: see logs/')
        else:
            row('role virtualizer_compliance --check', small_n, None, 'not measured: role not available')
            row('role virtualizer_compliance --check', big_n, None, 'not measured: role not available')

        # ---- targets
        def target(name, measured, limit, ok, how, info=False):
            status = 'info' if info else 'n/a' if ok is None else ('PASS' if ok else 'FAIL')
            targets.append({'target': name, 'measured': measured, 'limit': limit, 'status': status, 'how': how})

        rsize = self.profile['ratio_size']
        self.marginal_targets(noop, floor0, sizes, ratios, target)
        for output, kind, _label in MODES:
            self.module_targets(kind, output, noop, uri, uri_n, rsize, sizes, ratios, target)
        if role_small and role_big:
            rr = role_big['wall_s'] / role_small['wall_s']
            ratios['role_big_over_small'] = rr
        else:
            rr = None
        target('role --check: %s / %s resources' % ('{:,}'.format(big_n), '{:,}'.format(small_n)), rr,
               '<= %s' % TARGETS['role_ratio'], None if rr is None else rr <= TARGETS['role_ratio'],
               'whole ansible-playbook runs' if rr is not None else 'not measured: role not available'
               if not self.role_available() else 'not measured: a role run failed, see logs/')
        target('role --check on %s resources, wall seconds' % '{:,}'.format(small_n), role_small and role_small['wall_s'],
               '<= %s s' % TARGETS['role_small_s'], None if not role_small else role_small['wall_s'] <= TARGETS['role_small_s'],
               'whole ansible-playbook run (a bare one-task playbook costs about 1.3 s on an idle machine here)')
        if role_small and role_big:
            ratios['role_cpu_big_over_small'] = role_big['cpu_s'] / role_small['cpu_s']
            target('  same, CPU time', ratios['role_cpu_big_over_small'], '(informative)', None,
                   'user + system CPU of each whole process tree', info=True)
        self.role_tasks = self.task_table(role_small, role_big)
        return rows, targets, ratios

    # pylint: disable-next=too-many-arguments,too-many-positional-arguments
    def marginal_targets(self, noop, floor0, sizes, ratios, target):
        """The issue's targets: marginal cost against the floor's, RSS, simulator busy time, connections."""
        for output, kind, _label in MODES:
            for size in sizes:
                module, floor = self.best(kind, size), self.best('floor', size)
                if not (module and floor and noop and floor0):
                    continue
                floor_marginal = floor['wall_s'] - floor0['wall_s']
                marginal = (module['wall_s'] - noop['wall_s']) / floor_marginal if floor_marginal > 0 else None
                ratios['%s_marginal_over_floor_marginal_%d' % (kind, size)] = marginal
                if output != DEFAULT_OUTPUT:
                    continue
                how = ('(run at N %s s - empty-list run %s s) / (floor at N %s s - floor start-up %s s); stretch goal %s: %s' % (
                    sig3(module['wall_s']), sig3(noop['wall_s']), sig3(floor['wall_s']), sig3(floor0['wall_s']),
                    TARGETS['marginal_stretch'], 'met' if marginal is not None and marginal <= TARGETS['marginal_stretch'] else 'not met'))
                target('[%s] marginal cost / floor\'s marginal cost at %s UUIDs' % (output, '{:,}'.format(size)), marginal,
                       '<= %s' % TARGETS['marginal_ratio'], None if marginal is None else marginal <= TARGETS['marginal_ratio'], how)
                floor_cpu = floor['cpu_s'] - floor0['cpu_s']
                if floor_cpu > 0:
                    cpu_marginal = (module['cpu_s'] - noop['cpu_s']) / floor_cpu
                    ratios['%s_marginal_cpu_over_floor_marginal_cpu_%d' % (kind, size)] = cpu_marginal
                    target('  same, CPU time', cpu_marginal, '(informative)', None,
                           'user + system CPU of each whole process tree, each minus its empty-list run', info=True)
        biggest = max(sizes)
        floor = self.best('floor', biggest)
        if floor and floor.get('sim_cpu_s') is not None:
            share = floor['sim_cpu_s'] / floor['wall_s']
            ratios['simulator_busy_share_floor_%d' % biggest] = share
            target('simulator busy (CPU) / floor wall at %s UUIDs' % '{:,}'.format(biggest), share,
                   '< %s' % sig3(TARGETS['sim_busy_share']), share < TARGETS['sim_busy_share'],
                   'simulator CPU seconds during the floor run / its wall: the floor measures the client, not the simulator')
        default = self.best(MODES[0][1], biggest)
        for label, run in (('floor', floor), ('module, output=%s' % DEFAULT_OUTPUT, default)):
            if run and run.get('sim_connections') is not None:
                ratios['connections_%s_%d' % (label.split(',', maxsplit=1)[0], biggest)] = run['sim_connections']
                target('connections opened by the %s at %s UUIDs' % (label, '{:,}'.format(biggest)), run['sim_connections'],
                       '(informative)', None, '%s API requests over them (keep-alive)' % run['sim_requests'], info=True)
        if self.sim_rss_mb is not None:
            target('simulator peak RSS (the fetch fleet)', self.sim_rss_mb, '(informative)', None, 'VmHWM of the simulator process', info=True)

    # pylint: disable-next=too-many-arguments,too-many-positional-arguments,too-many-locals,too-many-branches,too-many-statements
    def module_targets(self, kind, output, noop, uri, uri_n, rsize, sizes, ratios, target):
        """The module targets for one output mode."""
        ratio = ratios.get('%s_over_floor_%d' % (kind, rsize))
        target('[%s] module wall / floor wall at %s UUIDs' % (output, '{:,}'.format(rsize)), ratio, '(1.0.0: <= %s)' % TARGETS['floor_ratio'],
               None, 'whole ansible-playbook run vs whole floor.py run, fixed costs included', info=True)
        module_r = self.best(kind, rsize)
        floor_r = self.best('floor', rsize)
        if module_r and floor_r and module_r.get('module_wall_s'):
            target('  same, module process alone / floor', module_r['module_wall_s'] / floor_r['wall_s'], '(informative)',
                   None, 'the AnsiballZ process only: without ansible-playbook start-up, templating and result handling',
                   info=True)
        if module_r and floor_r:
            ratios['%s_cpu_over_floor_cpu_%d' % (kind, rsize)] = module_r['cpu_s'] / floor_r['cpu_s']
            target('  same, CPU time: module run / floor run', ratios['%s_cpu_over_floor_cpu_%d' % (kind, rsize)],
                   '(informative)', None, 'user + system CPU of each whole process tree', info=True)
        if module_r and floor_r and noop:
            extra = (module_r['wall_s'] - noop['wall_s']) / floor_r['wall_s']
            ratios['%s_minus_empty_over_floor_%d' % (kind, rsize)] = extra
            target('  same, (module run - empty-list run) / floor', extra, '(informative)', None,
                   'what the UUIDs add to an ansible-playbook run, over what they cost the floor', info=True)
        if uri and module_r:
            speedup = (uri['wall_s'] / uri_n) / (module_r['wall_s'] / rsize)
            ratios['uri_per_uuid_over_%s_per_uuid' % kind] = speedup
        else:
            speedup = None
        target('[%s] per UUID: uri loop (%d) / module (%s)' % (output, uri_n, '{:,}'.format(rsize)), speedup,
               '>= %s' % int(TARGETS['uri_speedup']), None if speedup is None else speedup >= TARGETS['uri_speedup'],
               'wall / UUIDs of each whole run')
        lo, hi = self.best(kind, min(sizes)), self.best(kind, max(sizes))
        if lo and hi:
            growth = hi['wall_s'] / lo['wall_s']
            ratios['%s_growth_wall_%d_to_%d' % (kind, min(sizes), max(sizes))] = growth
            linear = max(sizes) / float(min(sizes))
            mid = self.best(kind, sorted(sizes)[len(sizes) // 2]) if len(sizes) > 2 else None
            if mid:
                slope_lo = (mid['wall_s'] - lo['wall_s']) / (mid['size'] - lo['size'])
                slope_hi = (hi['wall_s'] - mid['wall_s']) / (hi['size'] - mid['size'])
                ratios[kind + '_marginal_cost_ratio'] = slope_hi / slope_lo if slope_lo > 0 else None
                ratios[kind + '_marginal_ms_per_uuid_low'] = slope_lo * 1000
                ratios[kind + '_marginal_ms_per_uuid_high'] = slope_hi * 1000
                cpu_lo = (mid['cpu_s'] - lo['cpu_s']) / (mid['size'] - lo['size'])
                cpu_hi = (hi['cpu_s'] - mid['cpu_s']) / (hi['size'] - mid['size'])
                ratios[kind + '_marginal_cpu_ratio'] = cpu_hi / cpu_lo if cpu_lo > 0 else None
                ratios[kind + '_marginal_cpu_ms_per_uuid_low'] = cpu_lo * 1000
                ratios[kind + '_marginal_cpu_ms_per_uuid_high'] = cpu_hi * 1000
        else:
            growth, linear = None, max(sizes) / float(min(sizes))
        target('[%s] growth: wall %s -> %s UUIDs' % (output, '{:,}'.format(min(sizes)), '{:,}'.format(max(sizes))), growth,
               '<= %s (linear)' % sig3(linear), None if growth is None else growth <= linear,
               'wall(max) / wall(min) of the module runs')
        if ratios.get(kind + '_marginal_cost_ratio') is not None:
            target('  growth: marginal cost per UUID, upper / lower range', ratios[kind + '_marginal_cost_ratio'],
                   '(informative; 1 = linear)', None,
                   'ms per extra UUID %s->%s: %s; %s->%s: %s' % (
                       '{:,}'.format(lo['size']), '{:,}'.format(mid['size']), sig3(ratios[kind + '_marginal_ms_per_uuid_low']),
                       '{:,}'.format(mid['size']), '{:,}'.format(hi['size']), sig3(ratios[kind + '_marginal_ms_per_uuid_high'])),
                   info=True)
        if ratios.get(kind + '_marginal_cpu_ratio') is not None:
            target('  growth: marginal CPU per UUID, upper / lower range', ratios[kind + '_marginal_cpu_ratio'],
                   '(informative; 1 = linear)', None,
                   'CPU ms per extra UUID %s->%s: %s; %s->%s: %s' % (
                       '{:,}'.format(lo['size']), '{:,}'.format(mid['size']), sig3(ratios[kind + '_marginal_cpu_ms_per_uuid_low']),
                       '{:,}'.format(mid['size']), '{:,}'.format(hi['size']), sig3(ratios[kind + '_marginal_cpu_ms_per_uuid_high'])),
                   info=True)
        if hi:
            mod_rss = hi.get('max_module_maxrss_mb')
            target('[%s] peak RSS at %s UUIDs, module process' % (output, '{:,}'.format(max(sizes))), mod_rss, '< %d MB' % TARGETS['rss_mb'],
                   None if mod_rss is None else mod_rss < TARGETS['rss_mb'], 'ru_maxrss of the AnsiballZ python process')
            target('[%s] peak RSS at %s UUIDs, any process of the run' % (output, '{:,}'.format(max(sizes))), hi['max_maxrss_mb'],
                   '< %d MB' % TARGETS['rss_mb'], hi['max_maxrss_mb'] < TARGETS['rss_mb'],
                   'largest single process of the ansible-playbook tree (the controller holds the result too)')

    @staticmethod
    def task_table(small, big, top=10):
        """The role's slowest tasks on the big fleet, next to the same tasks on the small one."""
        if not big or not big.get('task_times'):
            return []
        small_times = {}
        for item in (small or {}).get('task_times') or []:
            small_times[item['task']] = small_times.get(item['task'], 0.0) + item['seconds']
        big_times = {}
        for item in big['task_times']:
            big_times[item['task']] = big_times.get(item['task'], 0.0) + item['seconds']
        ranked = sorted(big_times.items(), key=lambda kv: -kv[1])[:top]
        return [{'task': name, 'big_s': secs, 'small_s': small_times.get(name)} for name, secs in ranked]

    # -------------------------------------------------------------- output
    def render(self, meta, rows, targets, ratios):  # pylint: disable=too-many-locals
        lines = ['# zstack.cloud fleet-scale benchmark', '',
                 '%s, %s, %d cores (%s), load average before/after %s / %s, profile %s, best of %d.' % (
                     meta['date'], meta['machine'], meta['cores'], meta['cpu'], meta['load_before'], meta['load_after'],
                     meta['profile'], meta['repeat']),
                 'ansible-core %s, Python %s, commit %s.' % (meta['ansible_core'], meta['python_version'], meta['commit']),
                 '',
                 '| Measurement | UUIDs | wall s | median s | CPU s | peak RSS MB (largest process) '
                 '| module process: wall s / RSS MB | ms per UUID | API requests | connections | simulator CPU s |',
                 '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
        for r in rows:
            uuids = '{:,}'.format(r['uuids']) if r['uuids'] else '0'
            if r.get('missing'):
                lines.append('| %s | %s | %s | | | | | | | | |' % (r['label'], uuids, r.get('note') or 'failed: see logs/'))
                continue
            module = ''
            if r.get('module_wall_s') is not None:
                module = '%s / %s' % (sig3(r['module_wall_s']), sig3(r['module_rss_mb']))
            lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
                r['label'], uuids, sig3(r['wall_s']), sig3(r['median_wall_s']), sig3(r['cpu_s']), sig3(r['rss_mb']),
                module, sig3(r['per_uuid_ms']) if r['per_uuid_ms'] is not None else '', r['requests'],
                '' if r.get('connections') is None else r['connections'], sig3(r['sim_cpu_s'])))
        lines += ['', '| Target | Measured | Limit | Result | How |', '|---|---:|---|---|---|']
        for t in targets:
            lines.append('| %s | %s | %s | %s | %s |' % (t['target'], sig3(t['measured']), t['limit'], t['status'], t['how']))
        if self.rates:
            lines += ['', '| Simulator alone | requests/s | UUIDs/s | simulator CPU ms per request |', '|---|---:|---:|---:|']
            for rate in self.rates:
                lines.append('| %d UUID%s per request, %d in flight | %s | %s | %s |' % (
                    rate['batch_size'], '' if rate['batch_size'] == 1 else 's', rate['workers'], sig3(rate['requests_per_s']), sig3(rate['uuids_per_s']),
                    sig3(rate['sim_cpu_ms_per_request'])))
            busy = ratios.get('simulator_busy_share_at_ratio_size')
            if busy is not None:
                lines.append('')
                floor_busy = sig3(ratios.get('simulator_busy_share_floor', 0) * 100)
                text = 'At %s UUIDs the simulator was busy (CPU) for %s %% of the module run\'s wall time and %s %% of the floor run\'s.'
                lines.append(text % ('{:,}'.format(self.profile['ratio_size']), sig3(busy * 100), floor_busy))
        if self.role_tasks:
            small, big = self.profile['role_small'], self.profile['role_big']
            lines += ['', '| Slowest tasks of the role (best runs) | s on %s resources | s on %s resources |' % (
                '{:,}'.format(big[0] * (big[1] + 1)), '{:,}'.format(small[0] * (small[1] + 1))), '|---|---:|---:|']
            for item in self.role_tasks:
                name = item['task'].split(' : ', 1)[-1].replace('|', '/')
                lines.append('| %s | %s | %s |' % (name, sig3(item['big_s']), sig3(item['small_s'])))
        missed = [t for t in targets if t['status'] == 'FAIL']
        lines.append('')
        for t in missed:
            lines.append('MISSED: %s = %s (limit %s)' % (t['target'], sig3(t['measured']), t['limit']))
        if not missed:
            lines.append('All measured targets met.')
        for note in self.notes:
            lines.append('NOTE: %s' % note)
        for error in self.errors:
            lines.append('ERROR: %s' % error)
        return '\n'.join(lines) + '\n'

    def rerender(self, path):
        """Recompute the ratios and the table from the runs recorded in an earlier results.json."""
        with open(path, encoding='utf-8') as fobj:
            data = json.load(fobj)
        meta = data['meta']
        self.profile = meta['profile_settings']
        self.runs, self.rates, self.notes = data['runs'], data.get('simulator_rate') or [], data.get('notes') or []
        self.sim_rss_mb = meta.get('simulator_peak_rss_mb')
        self.errors = ['%s %s failed (rc %s); see %s' % (r['kind'], r['size'], r['rc'], r['log']) for r in self.runs if r['rc'] != 0]
        return self.finish(meta, keep_work=False)

    def run(self):
        meta = {
            'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
            'machine': platform.node() or 'unknown', 'cores': os.cpu_count(), 'cpu': cpu_model(),
            'load_before': load_average(), 'profile': 'quick' if self.args.quick else 'full',
            'repeat': self.profile['repeat'], 'python': self.python, 'commit': git_commit(),
            'python_version': tool_version(self.python, 'import platform; print(platform.python_version())'),
            'ansible_core': tool_version(self.python, 'import ansible.release as r; print(r.__version__)'),
            'requests': tool_version(self.python, 'import requests; print(requests.__version__)'),
            'profile_settings': self.profile, 'fleet_mix': FLEET_MIX, 'targets': TARGETS,
            'role_only': bool(self.args.role_only),
        }
        started = time.monotonic()
        try:
            self.setup()
            if not self.args.role_only:
                self.run_fetch()
            self.run_role()
        finally:
            self.stop_sim()
        meta['load_after'] = load_average()
        meta['duration_s'] = time.monotonic() - started
        meta['simulator_peak_rss_mb'] = self.sim_rss_mb
        return self.finish(meta, keep_work=self.args.keep)

    def finish(self, meta, keep_work):
        rows, targets, ratios = self.figures()
        if meta.get('role_only'):  # the role's rows and targets only (they come last)
            rows = [r for r in rows if r['label'].startswith('role ')]
            targets = targets[min([i for i, t in enumerate(targets) if t['target'].startswith('role ')] or [0]):]
        rsize = self.profile['ratio_size']
        mod, flo = self.best(MODES[0][1], rsize), self.best('floor', rsize)
        if mod and mod.get('sim_cpu_s') is not None:
            ratios['simulator_busy_share_at_ratio_size'] = mod['sim_cpu_s'] / mod['wall_s']
        if flo and flo.get('sim_cpu_s') is not None:
            ratios['simulator_busy_share_floor'] = flo['sim_cpu_s'] / flo['wall_s']
        table = self.render(meta, rows, targets, ratios)
        os.makedirs(self.out, exist_ok=True)
        with open(os.path.join(self.out, 'results.md'), 'w', encoding='utf-8') as fobj:
            fobj.write(table)
        write_json(os.path.join(self.out, 'results.json'), {
            'meta': meta, 'rows': rows, 'targets': targets, 'ratios': ratios, 'simulator_rate': self.rates,
            'role_tasks': self.role_tasks, 'runs': self.runs, 'notes': self.notes})
        with open(os.path.join(self.out, 'results.json'), 'a', encoding='utf-8') as fobj:
            fobj.write('\n')
        sys.stdout.write(table)
        log('wrote %s and %s (run took %.0f s)' % (os.path.join(self.out, 'results.md'),
                                                   os.path.join(self.out, 'results.json'), meta.get('duration_s') or 0))
        if not keep_work:
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            log('kept the work folder %s' % self.work)
        if self.errors:
            log('%d run(s) failed: exit status 1 (a missed figure never fails the benchmark; an error does)' % len(self.errors))
            return 1
        return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog='benchmarks/run', description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='smaller sizes, one repetition: a smoke run under 60 s')
    parser.add_argument('--out', default=os.path.join(HERE, 'results'), help='where results.md/.json go (default %(default)s)')
    parser.add_argument('--repeat', type=int, help='repetitions per measurement (default 3, --quick 1); the best is reported')
    parser.add_argument('--keep', action='store_true', help='keep the temporary work folder (vars files, fleet specs)')
    parser.add_argument('--role-only', action='store_true',
                        help='measure only the role runs (measurement 4; a few minutes instead of the whole run)')
    parser.add_argument('--rerender', metavar='RESULTS_JSON',
                        help='measure nothing: recompute ratios and table from the runs of an earlier results.json')
    args = parser.parse_args(argv)
    bench = Bench(args)
    if args.rerender:
        return bench.rerender(args.rerender)
    return bench.run()


if __name__ == '__main__':
    sys.exit(main())
