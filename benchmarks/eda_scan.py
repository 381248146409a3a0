# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The zstack.cloud.virtualizer_drift event source at fleet scale (run it through ``benchmarks/run --eda``).

Starts the simulator (bench.py's ``Simulator``, the same generated fleet mix) with 1,000 hosts x 10 VMs
(11,000 resources; ``--quick``: 100 x 10) and measures, each in a process of its own under ``rss_exec.py``:

1. one scan by the source of the default scope (every host and running VM: discovery, then the verdicts),
   and one of the same fleet named by ``uuids`` (all 11,000, stopped VMs included): wall time, peak RSS,
   API requests, and the scan's own seconds from its ``baseline`` event;
2. drift to event: the source runs (``DriftWatcher.run``, every ``--interval`` seconds) while the
   simulator's control plane upgrades a host behind its back (``POST /_sim/hosts/{uuid}/qemu``) or restarts
   an old VM process (``POST /_sim/vms/{uuid}/restart``) at spread points of the scan cycle: the seconds from
   that request to the ``drift`` event of that resource on the queue.

Writes ``eda-results.md`` and ``eda-results.json`` into ``--out`` and prints the table. It reports, it does
not gate: it exits non-zero only on an error (a scan that failed, a drift whose event never came).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench import (  # noqa: E402  pylint: disable=wrong-import-position
    FLEET_MIX,
    MB,
    ROOT,
    SIM_DIR,
    Simulator,
    cpu_model,
    find_python,
    fleet_spec,
    fleet_uuids,
    git_commit,
    load_average,
    load_fleet_module,
    log,
    sig3,
    write_json,
)

PROFILES = {
    'full': {'fleet': (1000, 10), 'repeat': 3, 'interval': 5.0, 'drifts': 4},
    'quick': {'fleet': (100, 10), 'repeat': 1, 'interval': 1.0, 'drifts': 2},
}
PASSWORD = 'password'
EVENT_TIMEOUT_FACTOR = 4  # a drift's event must come within this many (interval + scan) cycles


# ---------------------------------------------------------------------------- the measured child processes
def _source(collections):
    """The event source module, imported from the collections folder (as ansible-rulebook finds it)."""
    sys.path.insert(0, collections)
    sys.path.insert(0, SIM_DIR)
    from ansible_collections.zstack.cloud.extensions.eda.plugins.event_source import (  # pylint: disable=import-outside-toplevel
        virtualizer_drift,
    )
    return virtualizer_drift


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MB


def child_scan(args):
    """One scan: the baseline event's figures and this process's peak RSS before and after, as JSON."""
    vd = _source(args.collections)
    import requests  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    options = {'api_url': args.api_url, 'account_name': 'admin', 'password': PASSWORD, 'interval': 1}
    if args.uuids_file:
        with open(args.uuids_file, encoding='utf-8') as fobj:
            options['uuids'] = json.load(fobj)
    watcher = vd.DriftWatcher(vd.read_options(options, environ={}))
    before = _peak_mb()
    queue = asyncio.Queue()
    start = time.monotonic()
    asyncio.run(watcher.run(queue, max_scans=1))
    seconds = time.monotonic() - start
    event = queue.get_nowait()[vd.EVENT_KEY]
    if event['type'] != 'baseline':
        raise SystemExit('the scan failed: %s event: %s' % (event['type'], event.get('error')))
    json.dump({'scan_s': event['scan_seconds'], 'run_s': seconds, 'resources': event['resources'],
               'summary': event['summary'], 'rss_before_scan_mb': before, 'rss_after_scan_mb': _peak_mb()}, sys.stdout)
    return 0


class TimedQueue(asyncio.Queue):
    """An asyncio queue that notes when each event was put on it."""

    def __init__(self):
        super().__init__()
        self.log = []

    async def put(self, item):
        self.log.append((time.monotonic(), item))
        await super().put(item)


async def _latencies(vd, args):  # pylint: disable=too-many-locals,too-many-branches
    import requests  # pylint: disable=import-outside-toplevel
    from zstack_simulator.fleet import V627  # pylint: disable=import-outside-toplevel,import-error
    watcher = vd.DriftWatcher(vd.read_options({'api_url': args.api_url, 'account_name': 'admin', 'password': PASSWORD,
                                               'interval': args.interval}, environ={}))
    queue = TimedQueue()
    runner = asyncio.ensure_future(watcher.run(queue))
    out = {'drifts': [], 'scans': []}
    try:
        while watcher.snapshot is None:
            if runner.done():
                runner.result()
            if queue.log and queue.log[-1][1][vd.EVENT_KEY]['type'] != 'baseline':
                raise SystemExit('the first scan failed: %s' % queue.log[-1][1])
            await asyncio.sleep(0.05)
        scan_s = queue.log[0][1][vd.EVENT_KEY]['scan_seconds']
        records = sorted(watcher.snapshot.values(), key=lambda r: r['uuid'])
        hosts = [r['uuid'] for r in records if r['resource_type'] == 'HostVO' and r['verdict'] == 'Matched']
        old_vms = [r['uuid'] for r in records if r['resource_type'] == 'VmInstanceVO' and r['verdict'] == 'Unmatched']
        cycle = args.interval + scan_s
        for number in range(args.drifts):
            restart = number % 2 == 1 and old_vms
            uuid = old_vms.pop(0) if restart else hosts.pop(0)
            # spread over the cycle: just after a scan started, a third of the way, ...
            await asyncio.sleep((number * cycle / max(args.drifts, 1)) % cycle + 0.3)
            seen = len(queue.log)
            made = time.monotonic()
            if restart:
                rsp = await asyncio.to_thread(requests.post, '%s/_sim/vms/%s/restart' % (args.api_url, uuid), timeout=30)
            else:
                rsp = await asyncio.to_thread(requests.post, '%s/_sim/hosts/%s/qemu' % (args.api_url, uuid),
                                              json={'qemuVersion': V627}, timeout=30)
            if rsp.status_code != 200:
                raise SystemExit('the control plane refused the drift of %s: %s %s' % (uuid, rsp.status_code, rsp.text))
            deadline = made + EVENT_TIMEOUT_FACTOR * (cycle + scan_s) + 30
            found = None
            while found is None and time.monotonic() < deadline:
                for when, item in queue.log[seen:]:
                    event = item[vd.EVENT_KEY]
                    if event['type'] == 'drift' and event['uuid'] == uuid:
                        found = (when, event)
                        break
                    if event['type'] in ('unreachable', 'error'):
                        raise SystemExit('a scan failed while waiting for the drift of %s: %s' % (uuid, event))
                else:
                    await asyncio.sleep(0.02)
            if found is None:
                raise SystemExit('no drift event for %s within %.0f s of the control plane request' % (uuid, deadline - made))
            out['drifts'].append({'uuid': uuid, 'kind': 'VM process restarted' if restart else 'host upgraded',
                                  'before': found[1]['before'], 'after': found[1]['after'], 'scan': found[1]['scan'],
                                  'latency_s': found[0] - made})
        out['scan_s_first'] = scan_s
        out['scans_run'] = watcher.scans
    finally:
        runner.cancel()
        try:
            await runner
        except asyncio.CancelledError:
            pass
    return out


def child_latency(args):
    vd = _source(args.collections)
    json.dump(asyncio.run(_latencies(vd, args)), sys.stdout)
    return 0


# ---------------------------------------------------------------------------- the runner
class EdaBench:  # pylint: disable=too-many-instance-attributes
    def __init__(self, args):
        self.args = args
        self.profile = dict(PROFILES['quick' if args.quick else 'full'])
        if args.repeat:
            self.profile['repeat'] = args.repeat
        if args.interval:
            self.profile['interval'] = args.interval
        self.python = find_python()
        self.out = os.path.abspath(args.out)
        self.work = tempfile.mkdtemp(prefix='zstack-eda-bench-')
        self.collections = os.path.join(self.work, 'collections')
        self.sim = None
        self.runs = []

    def _child(self, mode, extra, label):
        """Run this script in a child mode under rss_exec.py; its JSON answer plus wall / CPU / peak RSS."""
        report = os.path.join(self.work, 'rss-%d.json' % len(self.runs))
        answer = os.path.join(self.work, 'answer-%d.json' % len(self.runs))
        argv = [self.python, os.path.join(HERE, 'rss_exec.py'), '--report', report, '--', self.python, os.path.abspath(__file__),
                '--child', mode, '--api-url', self.sim.url, '--collections', self.collections] + extra
        req0 = self.sim.requests()
        with open(answer, 'w', encoding='utf-8') as fobj:
            proc = subprocess.run(argv, stdout=fobj, stderr=subprocess.PIPE, text=True, check=False)
        with open(report, encoding='utf-8') as fobj:
            rep = json.loads(fobj.readline())
        if rep['rc'] != 0:
            raise RuntimeError('%s: the child process failed (rc %s): %s' % (label, rep['rc'], proc.stderr.strip()[-2000:]))
        with open(answer, encoding='utf-8') as fobj:
            run = json.load(fobj)
        run.update({'label': label, 'wall_s': rep['wall_s'], 'cpu_s': rep['cpu_s'], 'maxrss_mb': rep['maxrss_kb'] / MB,
                    'sim_requests': self.sim.requests() - req0})
        self.runs.append(run)
        return run

    def run(self):
        started = time.monotonic()
        meta = {'started_utc': time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), 'load_before': load_average(),
                'profile': 'quick' if self.args.quick else 'full', 'settings': self.profile, 'fleet_mix': FLEET_MIX,
                'cpu': cpu_model(), 'cores': os.cpu_count(), 'python': platform.python_version(), 'commit': git_commit()}
        hosts, vms = self.profile['fleet']
        os.makedirs(os.path.join(self.collections, 'ansible_collections', 'zstack'))
        os.symlink(ROOT, os.path.join(self.collections, 'ansible_collections', 'zstack', 'cloud'))
        spec = fleet_spec(hosts, vms)
        uuids_file = write_json(os.path.join(self.work, 'uuids.json'), fleet_uuids(load_fleet_module(), spec))
        self.sim = Simulator(self.python, write_json(os.path.join(self.work, 'fleet.json'), spec), self.work, 'eda').start()
        log('simulator up at %s in %.1f s: %d hosts x %d VMs = %d resources'
            % (self.sim.url, self.sim.start_s, hosts, vms, hosts * (vms + 1)))
        try:
            scans, named, drift = [], [], None
            for number in range(self.profile['repeat']):
                scans.append(self._child('scan', [], 'scan, default scope'))
                named.append(self._child('scan', ['--uuids-file', uuids_file], 'scan, uuids'))
                log('scan %d: default scope %.2f s (%.0f MB), uuids %.2f s (%.0f MB)'
                    % (number + 1, scans[-1]['wall_s'], scans[-1]['maxrss_mb'], named[-1]['wall_s'], named[-1]['maxrss_mb']))
            drift = self._child('latency', ['--interval', str(self.profile['interval']), '--drifts', str(self.profile['drifts'])],
                                'drift to event')
            for item in drift['drifts']:
                log('%s %s: %s -> %s, event after %.2f s' % (item['kind'], item['uuid'], item['before'], item['after'],
                                                             item['latency_s']))
        finally:
            self.sim.stop()
        meta.update({'load_after': load_average(), 'duration_s': time.monotonic() - started, 'resources': hosts * (vms + 1)})
        table = self.render(meta, scans, named, drift)
        os.makedirs(self.out, exist_ok=True)
        with open(os.path.join(self.out, 'eda-results.md'), 'w', encoding='utf-8') as fobj:
            fobj.write(table)
        write_json(os.path.join(self.out, 'eda-results.json'), {'meta': meta, 'runs': self.runs})
        sys.stdout.write(table)
        log('wrote %s (run took %.0f s)' % (os.path.join(self.out, 'eda-results.md'), meta['duration_s']))
        shutil.rmtree(self.work, ignore_errors=True)
        return 0

    def render(self, meta, scans, named, drift):
        lines = ['# zstack.cloud.virtualizer_drift at fleet scale', '',
                 '%s, %d cores (%s), load average before/after %s / %s, profile %s, best of %d; Python %s, commit %s.'
                 % (meta['started_utc'], meta['cores'], meta['cpu'], meta['load_before'], meta['load_after'], meta['profile'],
                    len(scans), meta['python'], meta['commit']), '',
                 '| One scan by the source (own process) | fleet | in scope | wall s | median s | login + scan + logout s '
                 '| scan s | CPU s | peak RSS MB | RSS before the scan MB | API requests |',
                 '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
        for label, runs in (('default scope (hosts + running VMs)', scans), ('`uuids`: every host and VM', named)):
            best = min(runs, key=lambda r: r['wall_s'])
            lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
                label, '{:,}'.format(meta['resources']), '{:,}'.format(best['resources']), sig3(best['wall_s']),
                sig3(statistics.median(r['wall_s'] for r in runs)), sig3(best['run_s']), sig3(best['scan_s']), sig3(best['cpu_s']),
                sig3(best['maxrss_mb']), sig3(best['rss_before_scan_mb']), best['sim_requests']))
        lines += ['', 'Drift to event: `interval` %s s, first scan %s s (the source runs on; each drift is made through '
                  'the control plane at another point of the scan cycle).'
                  % (sig3(self.profile['interval']), sig3(drift['scan_s_first'])), '',
                  '| Drift (control plane) | before -> after | found by scan | seconds to the event on the queue |',
                  '|---|---|---:|---:|']
        for item in drift['drifts']:
            lines.append('| %s | %s -> %s | %d | %s |' % (item['kind'], item['before'], item['after'], item['scan'],
                                                          sig3(item['latency_s'])))
        lat = [d['latency_s'] for d in drift['drifts']]
        lines += ['', 'Drift to event: min %s s, median %s s, max %s s (bound: `interval` + 2 scans).'
                  % (sig3(min(lat)), sig3(statistics.median(lat)), sig3(max(lat))), '', '']
        return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='benchmarks/run --eda', description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='1,100 resources, one repetition, interval 1 s: a smoke run')
    parser.add_argument('--out', default=os.path.join(HERE, 'results'), help='where eda-results.md/.json go (default %(default)s)')
    parser.add_argument('--repeat', type=int, help='scans per scope (default 3, --quick 1); the best is reported')
    parser.add_argument('--interval', type=float, help='the source\'s interval for the drift measurement (default 5, --quick 1)')
    parser.add_argument('--child', choices=['scan', 'latency'], help=argparse.SUPPRESS)
    parser.add_argument('--api-url', help=argparse.SUPPRESS)
    parser.add_argument('--collections', help=argparse.SUPPRESS)
    parser.add_argument('--uuids-file', help=argparse.SUPPRESS)
    parser.add_argument('--drifts', type=int, default=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == 'scan':
        return child_scan(args)
    if args.child == 'latency':
        return child_latency(args)
    try:
        return EdaBench(args).run()
    except RuntimeError as exc:
        log('ERROR: %s' % exc)
        return 1


if __name__ == '__main__':
    sys.exit(main())
