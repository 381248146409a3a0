# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An ansible-rulebook event source: qemu-kvm verdict drift of ZStack hosts and VMs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: virtualizer_drift
short_description: Events when the qemu-kvm verdict of a ZStack host or VM changes
version_added: 2.0.0
description:
  - An Event-Driven Ansible (C(ansible-rulebook)) event source. Every O(interval) seconds it reads the qemu-kvm
    verdicts of the hosts and VMs in scope with GetVirtualizerInfo, through the same client and verdict logic as
    the M(zstack.cloud.zstack_virtualizer_info) module and the C(zstack.cloud.zstack) inventory (one session,
    batches of O(batch_size) UUIDs, O(workers) batches in flight, a bad UUID isolated, a missing version record
    explained).
  - The first scan puts one C(baseline) event on the queue (a summary); every later scan puts one C(drift) event
    for each resource whose verdict changed since the scan before, and nothing when nothing changed.
  - One scan runs at a time, in a worker thread, under a deadline of O(scan_timeout) seconds. A failed scan (the
    management node unreachable, a bad answer, the deadline passed) puts one C(unreachable) or C(error) event on
    the queue and the source waits longer before the next one (back-off up to O(max_backoff)); the rulebook keeps
    running. The first good scan after failures puts a C(recovered) event, then the drift since the last good scan.
  - Scope, as the role's, is every host and every running VM (O(include_hosts), O(include_vms)), narrowed by
    O(zones) and O(clusters), or exactly the resources of O(uuids).
  - Events never carry a password, session or key; log lines neither.
author:
  - zstack.cloud contributors (@zstack-cloud)
extends_documentation_fragment:
  - zstack.cloud.zstack
options:
  interval:
    description: Seconds from the end of one scan to the start of the next.
    type: float
    default: 300
  scan_timeout:
    description:
      - Seconds one scan may take. When they pass, the source reports the scan failed (an C(unreachable) event)
        and starts no other scan until that one has ended (the client's O(timeout) bounds each request).
    type: float
    default: 600
  max_backoff:
    description:
      - After a failed scan the wait doubles (2, 4, 8 ... times O(interval)), up to this many seconds (at least
        O(interval)). A good scan restores O(interval).
    type: float
    default: 3600
  uuids:
    description:
      - Watch exactly these host and VM UUIDs, in any state. A UUID that is no host or VM is reported V(NotFound).
      - Mutually exclusive with O(zones) and O(clusters).
    type: list
    elements: str
    default: []
  zones:
    description: Only hosts and VMs in these zones, by name or UUID. Empty means every zone.
    type: list
    elements: str
    default: []
  clusters:
    description: Only hosts and VMs in these clusters, by name or UUID. Empty means every cluster.
    type: list
    elements: str
    default: []
  include_hosts:
    description: Whether to watch the hosts (without O(uuids)).
    type: bool
    default: true
  include_vms:
    description: Whether to watch the running VMs (without O(uuids)). A VM that stops leaves the scope.
    type: bool
    default: true
  emit_baseline:
    description: Whether the first scan puts its C(baseline) summary event on the queue.
    type: bool
    default: true
  batch_size:
    description: UUIDs per GetVirtualizerInfo request.
    type: int
    default: 100
  workers:
    description: GetVirtualizerInfo batches in flight at once over the one session.
    type: int
    default: 4
  page_size:
    description: Inventories per query page.
    type: int
    default: 1000
notes:
  - "Every event is a mapping with one key, C(virtualizer_drift), whose C(type) is one of: C(baseline)
    (C(summary) counts by verdict, C(resources), C(noncompliant) the first 100 UUIDs that are neither
    V(Matched) nor V(NoRecord), C(noncompliant_total), C(scan_seconds)); C(drift) (C(uuid), C(resource_type)
    V(HostVO) or V(VmInstanceVO), C(name), C(zone_uuid), C(zone_name), C(cluster_uuid), C(cluster_name),
    C(host_uuid) and C(host_name) (a VM's host; for a host, itself), C(before) and C(after) (the verdicts
    V(Matched), V(Unmatched), V(Unknown), V(NoRecord), V(NotFound), or V(null) when the resource was not in scope),
    C(compliant) (C(after) is V(Matched)), C(current_version), C(expect_version), C(reason));
    C(unreachable) and C(error) (C(error) the message, C(failures) in a row, C(retry_in) seconds); C(recovered)
    (C(failures) before it). Every event also has C(api_url), C(scan) (its number) and C(observed_at) (UTC, ISO 8601)."
  - A resource that enters the scope V(Matched), or leaves it V(Matched), is no drift and puts no event.
  - The connection options also read the C(ZSTACK_*) environment variables, so credentials need not be in the
    rulebook. Options given in the rulebook win.
  - Runs under C(ansible-rulebook) with Python 3.11 or later; needs C(requests) and C(ansible-core) (a decision
    environment built with the collection gets both, see C(meta/execution-environment.yml)).
seealso:
  - module: zstack.cloud.zstack_virtualizer_info
'''

EXAMPLES = r'''
# extensions/eda/rulebooks/continuous_compliance.yml ships a complete rulebook.
- name: Watch qemu-kvm drift
  hosts: all
  sources:
    - zstack.cloud.virtualizer_drift:
        api_url: https://zstack.example.com:8443
        account_name: admin
        # password from ZSTACK_PASSWORD
        interval: 120
        clusters: [cluster-gpu]
  rules:
    - name: A host or VM fell out of compliance
      condition: >-
        event.virtualizer_drift.type == "drift" and
        event.virtualizer_drift.after in ["Unmatched", "Unknown", "NotFound"]
      action:
        run_playbook:
          name: zstack.cloud.compliance_check
    - name: The management node does not answer
      condition: event.virtualizer_drift.type == "unreachable"
      action:
        debug:
          msg: "{{ event.virtualizer_drift.error }}"
'''

import asyncio
import datetime
import logging
import os
import sys
import time

try:
    import ansible_collections.zstack.cloud.plugins.module_utils._virtualizer  # noqa: F401 pylint: disable=unused-import
except ImportError:
    # ansible-rulebook runs this file with runpy, without ansible-core's collection loader: put the folder
    # that holds ansible_collections/ (seven levels up: .../ansible_collections/zstack/cloud/extensions/eda/
    # plugins/event_source) on the path, so the collection's own client is the one imported.
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), *(['..'] * 7))))

from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackConfigError,
    ZStackError,
    ZStackHTTPError,
    ZStackTransportError,
)
from ansible_collections.zstack.cloud.plugins.module_utils._client import scrub
from ansible_collections.zstack.cloud.plugins.module_utils._connection import ENV_VARS, client_from_params, secrets_of
from ansible_collections.zstack.cloud.plugins.module_utils._resources import (
    one_of,
    query_inventories,
)
from ansible_collections.zstack.cloud.plugins.module_utils._virtualizer import (
    HOST_TYPE,
    MATCHED,
    NO_RECORD,
    VM_TYPE,
    VirtualizerInfoFetcher,
    summarize,
    validate_uuids,
)

EVENT_KEY = 'virtualizer_drift'
LOGGER = logging.getLogger('zstack.cloud.virtualizer_drift')

ZONES_PATH = '/zones'
CLUSTERS_PATH = '/clusters'
HOSTS_PATH = '/hosts'
VMS_PATH = '/vm-instances'
HOST_FIELDS = ['uuid', 'name', 'zoneUuid', 'clusterUuid', 'state', 'status']
VM_FIELDS = ['uuid', 'name', 'zoneUuid', 'clusterUuid', 'hostUuid', 'state']
#: answers that mean the management node is not there (rather than that it refused us)
UNREACHABLE_STATUSES = frozenset([408, 429, 502, 503, 504])
BASELINE_LISTED = 100

#: option -> (type, default); the connection options (with ZSTACK_* environment fallbacks) come from ENV_VARS
OPTIONS = {
    'interval': ('float', 300.0),
    'scan_timeout': ('float', 600.0),
    'max_backoff': ('float', 3600.0),
    'uuids': ('list', []),
    'zones': ('list', []),
    'clusters': ('list', []),
    'include_hosts': ('bool', True),
    'include_vms': ('bool', True),
    'emit_baseline': ('bool', True),
    'batch_size': ('int', 100),
    'workers': ('int', 4),
    'page_size': ('int', 1000),
}
CONNECTION_TYPES = {'validate_certs': 'bool', 'timeout': 'int'}
_TRUE = ('1', 'true', 'yes', 'on')
_FALSE = ('0', 'false', 'no', 'off')


def _convert(name, kind, value, where):
    """An option value of the documented type, or ValueError naming the option (and its variable)."""
    problem = None
    if kind == 'bool':
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
            return value.strip().lower() in _TRUE
        problem = 'must be true or false'
    elif kind in ('int', 'float'):
        if not isinstance(value, bool):
            try:
                number = int(value) if kind == 'int' else float(value)
            except (TypeError, ValueError):
                number = None
            if number is not None and number > 0:
                return number
        problem = 'must be a positive number%s' % (' (whole)' if kind == 'int' else '')
    elif kind == 'list':
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return list(value)
        problem = 'must be a list of strings'
    else:
        return value
    raise ValueError('zstack.cloud.virtualizer_drift: %s %s %s, got %r' % (name, where, problem, value))


def read_options(args, environ=None):
    """The source's options from the rulebook's arguments (and ZSTACK_* variables): a plain dict, or ValueError."""
    environ = os.environ if environ is None else environ
    args = dict(args or {})
    args.pop('eda_feedback_queue', None)  # ansible-rulebook may add it
    known = set(OPTIONS) | set(ENV_VARS)
    unknown = sorted(k for k in args if k not in known)
    if unknown:
        raise ValueError('zstack.cloud.virtualizer_drift: unknown option%s %s; the options are %s'
                         % ('' if len(unknown) == 1 else 's', ', '.join(unknown), ', '.join(sorted(known))))
    options = {}
    for name, env in ENV_VARS.items():
        value, where = args.get(name), '(option)'
        if value is None and environ.get(env) not in (None, ''):
            value, where = environ[env], '(from %s)' % env
        if value is not None and name in CONNECTION_TYPES:
            value = _convert(name, CONNECTION_TYPES[name], value, where)
        options[name] = value
    if options['validate_certs'] is None:
        options['validate_certs'] = True
    for name, (kind, default) in OPTIONS.items():
        value = args.get(name)
        options[name] = default if value is None else _convert(name, kind, value, '(option)')
    if options['uuids'] and (options['zones'] or options['clusters']):
        raise ValueError('zstack.cloud.virtualizer_drift: uuids cannot be combined with zones or clusters; '
                         'give either the UUIDs to watch or the zones / clusters to discover')
    try:
        options['uuids'] = validate_uuids(options['uuids'])
    except ZStackConfigError as exc:
        raise ValueError('zstack.cloud.virtualizer_drift: %s' % exc) from None
    if not (options['uuids'] or options['include_hosts'] or options['include_vms']):
        raise ValueError('zstack.cloud.virtualizer_drift: include_hosts and include_vms are both false and no uuids '
                         'are given: there is nothing to watch')
    return options


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')


class FleetScanner:
    """One blocking scan of the scope: ``uuid -> record`` (verdict and where the resource is). No asyncio here."""

    def __init__(self, client, options, warn=LOGGER.warning):
        self.client = client
        self.options = options
        self.warn = warn
        self.fetcher = VirtualizerInfoFetcher(client, batch_size=options['batch_size'], workers=options['workers'])
        self._warned = set()

    def scan(self):
        opts = self.options
        page = opts['page_size']
        zones = dict((z.get('uuid'), z.get('name')) for z in self.client.query_all(ZONES_PATH, [], fields=['uuid', 'name'], page_size=page))
        clusters = dict((c.get('uuid'), c.get('name')) for c in self.client.query_all(
            CLUSTERS_PATH, [], fields=['uuid', 'name'], page_size=page))
        hosts, vms = [], []
        if opts['uuids']:
            hosts = query_inventories(self.client, HOSTS_PATH, uuids=opts['uuids'], fields=HOST_FIELDS, page_size=page)
            vms = query_inventories(self.client, VMS_PATH, uuids=opts['uuids'], fields=VM_FIELDS, page_size=page)
        else:
            scope = self._scope_conditions(zones, clusters)
            if scope is not None:
                if opts['include_hosts']:
                    hosts = query_inventories(self.client, HOSTS_PATH, scope, fields=HOST_FIELDS, page_size=page)
                if opts['include_vms']:
                    vms = query_inventories(self.client, VMS_PATH, scope + ['state=Running'], fields=VM_FIELDS, page_size=page)
        where = {}
        for kind, resource in [(HOST_TYPE, h) for h in hosts] + [(VM_TYPE, v) for v in vms]:
            where[resource.get('uuid')] = (kind, resource)
        uuids = list(opts['uuids']) or list(where)
        host_names = dict((h.get('uuid'), h.get('name')) for h in hosts)
        verdicts = self.fetcher.fetch(uuids, output='facts')['virtualizer_info'] if uuids else {}
        snapshot = {}
        for uuid in uuids:
            verdict = verdicts.get(uuid) or {}
            kind, resource = where.get(uuid, (verdict.get('resource_type'), {}))
            host_uuid = uuid if kind == HOST_TYPE else resource.get('hostUuid')
            snapshot[uuid] = {
                'uuid': uuid,
                'resource_type': kind,
                'name': resource.get('name'),
                'zone_uuid': resource.get('zoneUuid'),
                'zone_name': zones.get(resource.get('zoneUuid')),
                'cluster_uuid': resource.get('clusterUuid'),
                'cluster_name': clusters.get(resource.get('clusterUuid')),
                'host_uuid': host_uuid,
                'host_name': host_names.get(host_uuid) if kind == VM_TYPE else resource.get('name'),
                'verdict': verdict.get('verdict'),
                'current_version': verdict.get('current_version'),
                'expect_version': verdict.get('expect_version'),
                'reason': verdict.get('reason'),
            }
        return snapshot

    def _scope_conditions(self, zones, clusters):
        """The zone / cluster conditions, or None when a filter matches nothing (then nothing is in scope)."""
        conditions = []
        for option, field, found in (('zones', 'zoneUuid', zones), ('clusters', 'clusterUuid', clusters)):
            wanted = self.options[option]
            if not wanted:
                continue
            uuids = [u for value in wanted for u, name in sorted(found.items()) if value in (u, name)]
            for value in wanted:
                if value not in found and value not in found.values() and (option, value) not in self._warned:
                    self._warned.add((option, value))
                    self.warn('zstack.cloud.virtualizer_drift: no %s is named %r or has that UUID; %s ignores it'
                              % (option[:-1], value, option))
            if not uuids:
                return None
            conditions.append(one_of(field, list(dict.fromkeys(uuids))))
        return conditions


def changes(previous, current):
    """The (before, record) pairs of every resource whose verdict changed; record is None for one that left."""
    out = []
    for uuid, record in current.items():
        before = previous[uuid]['verdict'] if uuid in previous else None
        if before != record['verdict'] and not (before in (None, MATCHED) and record['verdict'] == MATCHED):
            out.append((before, record))
    for uuid, record in previous.items():
        if uuid not in current and record['verdict'] not in (None, MATCHED):
            out.append((record['verdict'], dict(record, verdict=None, reason='the resource left the scope (a VM that '
                                                'stopped, a resource deleted or moved out of the zones / clusters)')))
    return out


class DriftWatcher:
    """The asynchronous side: scans one at a time under a deadline, events on the queue, back-off on failures."""

    def __init__(self, options, client=None):
        self.options = options
        self.client = client if client is not None else client_from_params(options)
        self.scanner = FleetScanner(self.client, options)
        self.api_url = self.client.base_url
        self.snapshot = None
        self.scans = 0
        self.failures = 0
        self._pending = None

    @property
    def secrets(self):
        return list(self.client.secrets) + list(secrets_of(self.options))

    def _event(self, kind, **fields):
        body = {'type': kind, 'api_url': self.api_url, 'scan': self.scans, 'observed_at': _now()}
        body.update(fields)
        return {EVENT_KEY: scrub(body, self.secrets)}

    def _log(self, level, text):
        LOGGER.log(level, scrub(text, self.secrets))

    async def scan_once(self, queue):
        """One scan (waiting first for a scan still running past its deadline); returns the seconds to wait."""
        if self._pending is not None and not self._pending.done():
            await asyncio.wait({self._pending})
        self.scans += 1
        started = time.monotonic()
        self._pending = asyncio.ensure_future(asyncio.to_thread(self.scanner.scan))
        done, _running = await asyncio.wait({self._pending}, timeout=self.options['scan_timeout'])
        if not done:
            return await self._failed(queue, 'unreachable', 'the scan did not finish within scan_timeout=%ss; the management '
                                      'node answers too slowly, or the scope is too large for it' % self.options['scan_timeout'])
        task, self._pending = self._pending, None
        try:
            current = task.result()
        except (ZStackTransportError, ZStackHTTPError) as exc:
            status = getattr(exc, 'status', None)
            kind = 'unreachable' if status is None or status in UNREACHABLE_STATUSES or isinstance(exc, ZStackTransportError) else 'error'
            return await self._failed(queue, kind, str(exc))
        except ZStackError as exc:
            return await self._failed(queue, 'error', str(exc))
        except Exception as exc:  # pylint: disable=broad-except
            # a bug or an answer nobody foresaw: report it and go on, never stop the rulebook
            return await self._failed(queue, 'error', 'unexpected %s while scanning: %s' % (type(exc).__name__, exc))
        seconds = round(time.monotonic() - started, 3)
        if self.failures:
            await queue.put(self._event('recovered', failures=self.failures))
            self._log(logging.INFO, 'zstack.cloud.virtualizer_drift: %s answers again after %d failed scans' % (self.api_url, self.failures))
            self.failures = 0
        if self.snapshot is None:
            self.snapshot = current
            if self.options['emit_baseline']:
                await queue.put(self._baseline(current, seconds))
            return self.options['interval']
        previous, self.snapshot = self.snapshot, current
        for before, record in changes(previous, current):
            await queue.put(self._drift(before, record))
        return self.options['interval']

    def _baseline(self, snapshot, seconds):
        noncompliant = [u for u, r in snapshot.items() if r['verdict'] not in (MATCHED, NO_RECORD)]
        return self._event('baseline', summary=summarize(r['verdict'] for r in snapshot.values()), resources=len(snapshot),
                           noncompliant=noncompliant[:BASELINE_LISTED], noncompliant_total=len(noncompliant), scan_seconds=seconds)

    def _drift(self, before, record):
        fields = dict((k, v) for k, v in record.items() if k != 'verdict')
        return self._event('drift', before=before, after=record['verdict'], compliant=record['verdict'] == MATCHED, **fields)

    async def _failed(self, queue, kind, message):
        self.failures += 1
        interval = self.options['interval']
        delay = min(interval * 2 ** self.failures, max(self.options['max_backoff'], interval))
        await queue.put(self._event(kind, error=message, failures=self.failures, retry_in=delay))
        self._log(logging.WARNING, 'zstack.cloud.virtualizer_drift: scan %d failed (%s), next try in %ss: %s'
                  % (self.scans, kind, delay, message))
        return delay

    async def run(self, queue, max_scans=None):
        """Scan forever (or ``max_scans`` times); logs out when cancelled, unless a scan is still running."""
        try:
            while max_scans is None or self.scans < max_scans:
                delay = await self.scan_once(queue)
                if max_scans is not None and self.scans >= max_scans:
                    break
                await asyncio.sleep(delay)
        finally:
            if self._pending is None or self._pending.done():
                await asyncio.to_thread(self.client.close)


async def main(queue, args):
    """ansible-rulebook's entry point: read the options (ValueError naming a bad one), then watch."""
    options = read_options(args)
    try:
        watcher = DriftWatcher(options)
    except ZStackError as exc:
        raise ValueError('zstack.cloud.virtualizer_drift: %s' % scrub(str(exc), secrets_of(options))) from None
    await watcher.run(queue)


if __name__ == '__main__':
    class _PrintQueue:
        """Prints each event (python virtualizer_drift.py, with ZSTACK_API_URL etc. set)."""

        async def put(self, event):
            print(event)

    asyncio.run(main(_PrintQueue(), {'interval': 10}))
