# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The zstack.cloud.virtualizer_drift event source with an in-process asyncio queue, against the simulator."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
import requests
import yaml

from ansible_collections.zstack.cloud.extensions.eda.plugins.event_source import virtualizer_drift as vd

from zstack_simulator.fleet import V627, fixed_uuid
from zstack_simulator.server import SimulatorServer

PASSWORD = 'password'


@pytest.fixture
def sim():
    server = SimulatorServer(seed='demo')
    server.start()
    yield server
    server.stop()


def _watcher(url, **extra):
    args = {'api_url': url, 'account_name': 'admin', 'password': PASSWORD, 'interval': 5}
    args.update(extra)
    return vd.DriftWatcher(vd.read_options(args, environ={}))


def _drain(queue):
    out = []
    while not queue.empty():
        out.append(queue.get_nowait()[vd.EVENT_KEY])
    return out


def test_baseline_then_only_the_changes(sim):
    watcher, queue = _watcher(sim.url), asyncio.Queue()

    async def scenario():
        first = await watcher.scan_once(queue)
        baseline = _drain(queue)
        quiet = await watcher.scan_once(queue)
        unchanged = _drain(queue)
        requests.post(sim.url + '/_sim/hosts/%s/qemu' % fixed_uuid('demo', 'kvm-1'), json={'qemuVersion': V627}, timeout=10)
        await watcher.scan_once(queue)
        return first, baseline, quiet, unchanged, _drain(queue)

    first, baseline, quiet, unchanged, drift = asyncio.run(scenario())
    assert (first, quiet) == (5, 5)
    assert [e['type'] for e in baseline] == ['baseline']
    summary = baseline[0]['summary']
    assert (summary['total'], summary['matched'], summary['unmatched'], summary['unknown'], summary['no_record']) == (18, 12, 4, 1, 1)
    assert baseline[0]['noncompliant_total'] == 5
    assert unchanged == []
    by_name = dict((e['name'], e) for e in drift)
    assert sorted(by_name) == ['kvm-1', 'vm-1', 'vm-12', 'vm-2']  # the host and its running VMs (old process)
    host = by_name['kvm-1']
    assert (host['type'], host['before'], host['after'], host['compliant']) == ('drift', 'Matched', 'Unmatched', False)
    assert (host['resource_type'], host['zone_name'], host['cluster_name'], host['current_version']) == (
        'HostVO', 'zone-1', 'cluster-1a', V627)
    assert by_name['vm-1']['host_name'] == 'kvm-1' and by_name['vm-1']['expect_version'] == V627
    asyncio.run(watcher.run(asyncio.Queue(), max_scans=watcher.scans))  # closes (logs out)


def rec(verdict):
    return {'verdict': verdict, 'uuid': 'u'}


def test_changes_rules():
    assert vd.changes({}, {'u': rec('Matched')}) == []  # enters Matched: no drift
    assert vd.changes({'u': rec('Matched')}, {}) == []  # leaves Matched: no drift
    assert vd.changes({}, {'u': rec('Unmatched')}) == [(None, rec('Unmatched'))]
    left = vd.changes({'u': rec('Unknown')}, {})
    assert left[0][0] == 'Unknown' and left[0][1]['verdict'] is None and 'left the scope' in left[0][1]['reason']


def test_unreachable_backs_off_then_recovers(sim, caplog):
    watcher, queue = _watcher(sim.url, interval=2, max_backoff=5, timeout=2), asyncio.Queue()
    caplog.set_level(logging.WARNING, logger='zstack.cloud.virtualizer_drift')
    fault = {'drop': True, 'count': 100, 'path': '/v1/vm-instances/virtualizer-info'}

    async def scenario():
        await watcher.scan_once(queue)  # baseline
        requests.post(sim.url + '/_sim/faults', json=fault, timeout=10)
        delays = [await watcher.scan_once(queue), await watcher.scan_once(queue)]
        requests.delete(sim.url + '/_sim/faults', timeout=10)
        delays.append(await watcher.scan_once(queue))
        return delays

    delays = asyncio.run(scenario())
    assert delays == [4, 5, 2]  # doubled, capped by max_backoff, back to interval
    events = _drain(queue)
    assert [e['type'] for e in events] == ['baseline', 'unreachable', 'unreachable', 'recovered']
    assert (events[1]['failures'], events[2]['failures'], events[3]['failures']) == (1, 2, 2)
    text = repr(events) + caplog.text
    assert 'next try in 4' in caplog.text
    for secret in watcher.secrets:
        assert secret not in text


def test_a_bad_answer_is_an_error_event_not_a_crash(sim):
    watcher, queue = _watcher(sim.url), asyncio.Queue()
    fault = {'status': 200, 'body': 'not json', 'count': 10, 'path': '/v1/vm-instances/virtualizer-info'}
    requests.post(sim.url + '/_sim/faults', json=fault, timeout=10)
    delay = asyncio.run(watcher.scan_once(queue))
    events = _drain(queue)
    assert delay == 10 and [e['type'] for e in events] == ['error'] and watcher.snapshot is None


def test_deadline_one_scan_at_a_time(sim):
    watcher, queue = _watcher(sim.url, scan_timeout=0.3), asyncio.Queue()
    requests.post(sim.url + '/_sim/faults', json={'delay': 1.0, 'path': '/v1/zones'}, timeout=10)

    async def scenario():
        await watcher.scan_once(queue)
        pending = watcher._pending  # pylint: disable=protected-access
        running = not pending.done()
        await watcher.scan_once(queue)  # waits for the late scan before it starts its own
        return running, pending.done()

    running, finished = asyncio.run(scenario())
    events = _drain(queue)
    assert running and finished
    assert [e['type'] for e in events] == ['unreachable', 'recovered', 'baseline']
    assert 'scan_timeout=0.3' in events[0]['error']


@pytest.mark.parametrize('args, text', [
    ({'interval': 0}, 'interval (option) must be a positive number'),
    ({'include_vms': 'maybe'}, 'include_vms (option) must be true or false'),
    ({'uuids': ['x'], 'zones': ['z']}, 'uuids cannot be combined'),
    ({'uuids': ['NOT-A-UUID']}, 'invalid UUID'),
    ({'colour': 1}, 'unknown option colour'),
    ({'include_hosts': False, 'include_vms': False}, 'nothing to watch'),
])
def test_bad_options_are_named(args, text):
    with pytest.raises(ValueError, match=re.escape(text)):
        vd.read_options(dict({'api_url': 'http://127.0.0.1:1'}, **args), environ={})


def test_timeout_from_the_environment_is_named():
    with pytest.raises(ValueError, match=r'timeout \(from ZSTACK_TIMEOUT\)'):
        vd.read_options({}, environ={'ZSTACK_TIMEOUT': 'soon'})


def test_documentation_lists_every_option():
    doc = yaml.safe_load(vd.DOCUMENTATION)
    assert set(doc['options']) == set(vd.OPTIONS)
    for name, (kind, default) in vd.OPTIONS.items():
        assert doc['options'][name]['type'] == kind and doc['options'][name]['default'] == default, name
    assert doc['extends_documentation_fragment'] == ['zstack.cloud.zstack']  # the connection options
    yaml.safe_load(vd.EXAMPLES)
