# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The virtualizer verdict: GetVirtualizerInfo for any number of UUIDs, one answer per UUID.

Private to this collection: not a public API, may change without notice.

ZStack's GetVirtualizerInfo fails the whole call when one UUID is unknown, not a
host or VM, or repeated, and silently leaves out every resource it holds no
version record for (a stopped VM, a host that never connected).  This module
turns that into an answer for every UUID that went in:

- UUIDs are validated and de-duplicated before any request;
- they are sent in batches (the request line of a management node is limited
  to about 8 KB), several batches in flight over one client;
- a batch that fails with SYS.1007 is isolated: QueryHost / QueryVmInstance
  tell which UUIDs exist, those are asked again, the rest are ``not_found``;
- a batch the server finds too long (HTTP 414) is split in two and retried;
- every UUID left out by ZStack gets a reason taken from its state.

It is plain Python used by the module, the inventory plugin and the role.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import re
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.zstack.cloud.plugins.module_utils._client import bad_answer, inventories_of
from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackAPIError,
    ZStackConfigError,
    ZStackError,
    ZStackHTTPError,
    ZStackJobError,
    ZStackTLSError,
    ZStackTransportError,
    ZStackUnsupportedError,
)

VIRTUALIZER_INFO_PATH = '/vm-instances/virtualizer-info'
HOSTS_PATH = '/hosts'
VMS_PATH = '/vm-instances'
HOST_TYPE = 'HostVO'
VM_TYPE = 'VmInstanceVO'

MATCHED = 'Matched'
UNMATCHED = 'Unmatched'
UNKNOWN = 'Unknown'
NO_RECORD = 'NoRecord'
NOT_FOUND = 'NotFound'
#: only with on_batch_error=report: the UUID's batch kept failing after its retries, so it was not read
ERROR = 'Error'
VERDICTS = (MATCHED, UNMATCHED, UNKNOWN, NO_RECORD, NOT_FOUND, ERROR)

#: 100 UUIDs make a request line of about 4 KB, half of a management node's ~8 KB limit
DEFAULT_BATCH_SIZE = 100
MAX_BATCH_SIZE = 200
DEFAULT_WORKERS = 4

#: used with fullmatch() only: ``$`` in match() would also accept a trailing newline
UUID_RE = re.compile(r'[0-9a-f]{32}')
_HEX_RE = re.compile(r'[0-9a-fA-F-]+')
_LOWER_HEX_RE = re.compile(r'[0-9a-f]*')
_MAX_LISTED_PROBLEMS = 20
UUID_REMEDY = 'A ZStack UUID is 32 lower-case hexadecimal characters without dashes, e.g. 3ce46fb7eb2e369c88d5fd671d1c1694'

#: What a fetch returns (the module's ``output`` option); every output has ``groups``, ``not_found``
#: and ``summary``, which answer for every UUID that went in:
#: ``grouped`` (the default) nothing more: one value per UUID, the cheapest result for Ansible to store;
#: ``verdicts`` also the verdict of every UUID keyed by UUID, and full entries for the UUIDs that are not Matched;
#: ``facts`` also every entry without its ``info_list``; ``full`` also every entry and the API's raw inventories.
OUTPUTS = ('grouped', 'verdicts', 'facts', 'full')
DEFAULT_OUTPUT = 'grouped'

#: What the UUIDs of one ``groups`` entry share, in the entry's key order (``count`` and ``uuids`` follow)
GROUP_FIELDS = ('verdict', 'resource_type', 'current_version', 'expect_version', 'reason')

#: What a fetch does when a batch keeps failing after its retries (the module's ``on_batch_error``):
#: ``fail`` the whole fetch (the default), or ``report`` the batch's UUIDs with verdict ``Error``.
ON_BATCH_ERROR = ('fail', 'report')


def validate_uuids(uuids, option='uuids'):
    """Return the UUIDs de-duplicated in input order, or raise ZStackConfigError naming every bad one."""
    if uuids is None:
        return []
    if isinstance(uuids, str) or not isinstance(uuids, (list, tuple)):
        raise ZStackConfigError('%s must be a list of UUIDs, got %s' % (option, type(uuids).__name__),
                                remedy='Give a YAML list, e.g. %s: [3ce46fb7eb2e369c88d5fd671d1c1694]' % option)
    if _all_uuids(uuids):  # the usual case, checked in bulk: 100,000 UUIDs in a few milliseconds
        return list(dict.fromkeys(uuids))
    problems = []
    seen = set()
    result = []
    for index, value in enumerate(uuids):
        problem = _uuid_problem(value)
        if problem:
            problems.append('%s[%d] %s' % (option, index, problem))
            continue
        if value not in seen:
            seen.add(value)
            result.append(value)
    if problems:
        shown = problems[:_MAX_LISTED_PROBLEMS]
        more = len(problems) - len(shown)
        text = '%d invalid UUID%s: %s' % (len(problems), '' if len(problems) == 1 else 's', '; '.join(shown))
        if more:
            text += '; and %d more' % more
        raise ZStackConfigError(text, remedy=UUID_REMEDY)
    return result


def validate_uuid(value, option):
    """One UUID option (None when not given): the value, or ZStackConfigError naming ``option`` and the remedy."""
    if value is None:
        return None
    problem = _uuid_problem(value)
    if problem:
        raise ZStackConfigError('%s %s' % (option, problem), remedy=UUID_REMEDY)
    return value


def _all_uuids(values):
    """True when every value is a str of 32 lower-case hexadecimal characters (one regex over them all)."""
    if not all(type(v) is str and len(v) == 32 for v in values):  # pylint: disable=unidiomatic-typecheck
        return False
    return _LOWER_HEX_RE.fullmatch(''.join(values)) is not None


def _uuid_problem(value):
    if not isinstance(value, str):
        return 'is %r (%s), not a string' % (value, type(value).__name__)
    if UUID_RE.fullmatch(value):
        return None
    if value != value.strip():
        return '%r has surrounding white space (a line break, tab or space); remove it' % value
    if any(char.isspace() for char in value):
        return '%r has white space inside; remove it' % value
    if _HEX_RE.fullmatch(value):
        bare = value.replace('-', '')
        if len(bare) == 32 and UUID_RE.fullmatch(bare.lower()):
            if '-' in value:
                return '%r has dashes; ZStack writes UUIDs without them: %s' % (value, bare.lower())
            return '%r is upper case; ZStack UUIDs are lower case: %s' % (value, bare.lower())
    return '%r is not a ZStack UUID' % (value,)


ERROR_READ = 'not read: GetVirtualizerInfo for its batch of %d UUIDs kept failing after its retries: %s'
ERROR_EXPLAIN = ('not explained: ZStack holds no version record for it, and the query for why (its batch of %d UUIDs) '
                 'kept failing after its retries: %s')


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _aggregate_state(entries):
    """Per ZStack's HypervisorVersionState: Unmatched beats Unknown beats Matched."""
    states = [e.get('matchState') for e in entries]
    if not states:
        return UNKNOWN
    if UNMATCHED in states:
        return UNMATCHED
    if all(s == MATCHED for s in states):
        return MATCHED
    return UNKNOWN


def _unknown_reason(resource_type, entry):
    current, expect = entry.get('currentVersion'), entry.get('expectVersion')
    if resource_type == HOST_TYPE:
        if expect is None:
            return ('the management node has no expected qemu-kvm version for this host\'s OS release and architecture '
                    '(it reads them from /opt/zstack-dvd when it starts; see GET /v1/hosts/os/category)')
        if current is None:
            return 'ZStack holds no installed qemu-kvm version for this host; reconnect the host'
    else:
        if expect is None:
            return 'the VM\'s host has no qemu-kvm version record, so there is nothing to compare with; reconnect that host'
        if current is None:
            return 'ZStack could not read the version of the VM\'s running qemu process'
    return 'ZStack reports the qemu-kvm version state as Unknown'


_SHARED = {}
_SHARED_MAX = 10000


def _shared(text):
    """One string object per distinct value: a fleet has a handful of versions, repeated 100,000 times.

    A plain dict rather than sys.intern, which ansible-core wraps in a slower patch inside modules.
    """
    if not isinstance(text, str):
        return text
    found = _SHARED.get(text)
    if found is None:
        if len(_SHARED) >= _SHARED_MAX:  # not a fleet's versions: do not hold on to them
            _SHARED.clear()
        found = _SHARED.setdefault(text, text)
    return found


def _snake_entry(entry):
    return {
        'hypervisor': _shared(entry.get('hypervisor')),
        'current_version': _shared(entry.get('currentVersion')),
        'expect_version': _shared(entry.get('expectVersion')),
        'match_state': _shared(entry.get('matchState')),
    }


def _facts_of(inventory):
    """``(resource_type, qemu-kvm entry, entries, verdict, reason)`` of a GetVirtualizerInfo inventory."""
    resource_type = inventory.get('resourceType')
    entries = inventory.get('infoList') or []
    qemu = next((e for e in entries if e.get('hypervisor') == 'qemu-kvm'), entries[0] if entries else {})
    state = _aggregate_state(entries)
    reason = None
    if state == UNKNOWN:
        reason = _unknown_reason(resource_type, qemu) if entries else 'ZStack returned no hypervisor entries for this resource'
    elif state == UNMATCHED:
        if resource_type == HOST_TYPE:
            reason = 'the installed qemu-kvm differs from the version the management node expects for this host\'s OS'
        else:
            reason = 'the VM runs a qemu process older or newer than the qemu-kvm installed on its host'
    return resource_type, qemu, entries, state, reason


def verdict_from_inventory(inventory, info_list=True):
    """One ``virtualizer_info`` entry from a GetVirtualizerInfo inventory (without ``info_list`` if told)."""
    resource_type, qemu, entries, state, reason = _facts_of(inventory)
    entry = {
        'uuid': inventory.get('uuid'),
        'resource_type': _shared(resource_type),
        'hypervisor': _shared(qemu.get('hypervisor')),
        'current_version': _shared(qemu.get('currentVersion')),
        'expect_version': _shared(qemu.get('expectVersion')),
        'match_state': state,
        'verdict': state,
        'info_list': [_snake_entry(e) for e in entries],
        'reason': reason,
    }
    if not info_list:
        del entry['info_list']
    return entry


class _GroupKeys:  # pylint: disable=too-few-public-methods
    """One shared tuple of :data:`GROUP_FIELDS` per distinct combination: a fleet has a handful of them."""

    def __init__(self):
        self._keys = {}
        self._by_signature = {}

    def of(self, verdict, resource_type, current_version, expect_version, reason):  # pylint: disable=too-many-arguments,too-many-positional-arguments
        key = (verdict, resource_type, current_version, expect_version, reason)
        return self._keys.setdefault(key, key)

    def of_inventory(self, inventory):
        entries = inventory.get('infoList') or []
        if len(entries) == 1:  # the usual inventory: its key depends only on these values, so it is looked up once
            entry = entries[0]
            signature = (inventory.get('resourceType'), entry.get('hypervisor'), entry.get('currentVersion'),
                         entry.get('expectVersion'), entry.get('matchState'))
            found = self._by_signature.get(signature)
            if found is None:
                found = self._by_signature[signature] = self._of_inventory(inventory)
            return found
        return self._of_inventory(inventory)

    def _of_inventory(self, inventory):
        resource_type, qemu, _entries, state, reason = _facts_of(inventory)
        return self.of(state, resource_type, qemu.get('currentVersion'), qemu.get('expectVersion'), reason)

    def of_entry(self, entry):
        return self.of(*(entry.get(field) for field in GROUP_FIELDS))


def group_uuids(uuids, key_of):
    """The ``groups`` return value: the UUIDs (in input order) of each distinct :data:`GROUP_FIELDS` combination.

    ``key_of(uuid)`` gives a UUID's tuple of :data:`GROUP_FIELDS`.  Groups come in the order of
    :data:`VERDICTS` (a verdict not listed there last), then in the order their first UUID came in.
    """
    members = {}
    for uuid in uuids:
        members.setdefault(key_of(uuid), []).append(uuid)
    rank = dict((verdict, index) for index, verdict in enumerate(VERDICTS))
    ordered = sorted(enumerate(members.items()), key=lambda item: (rank.get(item[1][0][0], len(VERDICTS)), item[0]))
    groups = []
    for _first, (key, group) in ordered:
        entry = dict(zip(GROUP_FIELDS, key))
        entry['count'] = len(group)
        entry['uuids'] = group
        groups.append(entry)
    return groups


def _empty_verdict(uuid, resource_type, verdict, reason, info_list=True):
    entry = {
        'uuid': uuid,
        'resource_type': resource_type,
        'hypervisor': None,
        'current_version': None,
        'expect_version': None,
        'match_state': None,
        'verdict': verdict,
        'info_list': [],
        'reason': reason,
    }
    if not info_list:
        del entry['info_list']
    return entry


def no_record_reason(resource_type, inventory):
    """Why ZStack holds no version record for an existing host or VM, from its state."""
    if resource_type == VM_TYPE:
        state = inventory.get('state')
        if state != 'Running':
            return 'the VM is %s: ZStack keeps a qemu version record only while a VM runs' % (state or 'not running')
        return 'the VM is Running but ZStack holds no qemu version record for it; reconnect its host or reboot the VM'
    status = inventory.get('status')
    if status != 'Connected':
        return ('the host is %s: ZStack records the installed qemu-kvm version when a host connects; '
                'reconnect it' % (status or 'not connected'))
    return 'the host is Connected but ZStack holds no qemu-kvm version record for it; reconnect it'


def batch_local(exc):
    """Whether an error concerns one batch (worth reporting as verdict Error) rather than the whole run.

    Not batch-local: bad options, credentials, sessions and permissions (ID.*), TLS, a management node that
    cannot be reached at all (the request was never sent) or lacks GetVirtualizerInfo: every batch would fail alike.
    """
    if isinstance(exc, ZStackTLSError):
        return False
    if isinstance(exc, ZStackTransportError):
        return getattr(exc, 'request_sent', True)
    if isinstance(exc, ZStackAPIError):
        return not (exc.code or '').startswith('ID.')
    return isinstance(exc, (ZStackHTTPError, ZStackJobError))


def _verdict_of(entry):
    """The verdict of a ``virtualizer_info`` entry, a verdict string or a group key (a tuple of GROUP_FIELDS)."""
    if isinstance(entry, str):
        return entry
    if isinstance(entry, tuple):
        return entry[0]
    return entry['verdict']


def summarize(verdicts):
    """Counts over virtualizer_info entries, verdicts (the strings) or group keys."""
    summary = {'total': 0, 'matched': 0, 'unmatched': 0, 'unknown': 0, 'no_record': 0, 'not_found': 0, 'error': 0}
    keys = {MATCHED: 'matched', UNMATCHED: 'unmatched', UNKNOWN: 'unknown', NO_RECORD: 'no_record', NOT_FOUND: 'not_found',
            ERROR: 'error'}
    for entry in verdicts:
        summary['total'] += 1
        summary[keys[_verdict_of(entry)]] += 1
    return summary


class VirtualizerInfoFetcher:
    """GetVirtualizerInfo for any number of UUIDs over one client."""

    def __init__(self, client, batch_size=DEFAULT_BATCH_SIZE, workers=DEFAULT_WORKERS, system_tags=None, user_tags=None):
        if not isinstance(batch_size, int) or not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise ZStackConfigError('batch_size must be between 1 and %d, got %r' % (MAX_BATCH_SIZE, batch_size),
                                    remedy='The default %d keeps each request line near 4 KB' % DEFAULT_BATCH_SIZE)
        if not isinstance(workers, int) or not 1 <= workers <= 32:
            raise ZStackConfigError('workers must be between 1 and 32, got %r' % (workers,),
                                    remedy='The default is %d batches in flight' % DEFAULT_WORKERS)
        self.client = client
        self.batch_size = batch_size
        self.workers = workers
        self.system_tags = system_tags or None
        self.user_tags = user_tags or None
        self.stats = {'batches': 0, 'isolations': 0, 'splits': 0}
        #: with on_batch_error=report: ``(uuids, message)`` of every batch that kept failing
        self.batch_errors = []

    # -------------------------------------------------------------- public
    def fetch(self, uuids, output=DEFAULT_OUTPUT, on_batch_error='fail'):
        """Return ``{groups, not_found, summary}`` and what ``output`` adds (see :data:`OUTPUTS`).

        ``output`` is one of :data:`OUTPUTS`; every UUID that went in is in ``groups`` whatever it is.
        ``on_batch_error`` is one of :data:`ON_BATCH_ERROR`: with ``report``, the UUIDs of a batch that keeps
        failing after its retries (see :func:`batch_local`) get verdict ``Error`` and the error as reason.
        """
        if output not in OUTPUTS:
            raise ZStackConfigError('output must be one of %s, got %r' % (', '.join(OUTPUTS), output),
                                    remedy='Use %s (the default), verdicts, facts or full' % DEFAULT_OUTPUT)
        if on_batch_error not in ON_BATCH_ERROR:
            raise ZStackConfigError('on_batch_error must be one of %s, got %r' % (', '.join(ON_BATCH_ERROR), on_batch_error),
                                    remedy='Use fail (the default) or report')
        uuids = validate_uuids(uuids)
        lists = output in ('full', 'verdicts')
        keys = _GroupKeys()
        inventories, not_found = [], set()
        # uuid -> its entry (a dict), or only its group key (a shared tuple) where the output needs no entry
        by_uuid = {}
        report = on_batch_error == 'report'
        fetch_batch = functools.partial(self._guarded, self._fetch_batch, ERROR_READ, lists) if report else self._fetch_batch
        # each batch's raw answer is turned into entries as it arrives and then dropped (unless output=full)
        for batch_inventories, batch_missing in self._imap(fetch_batch, list(chunks(uuids, self.batch_size))):
            if batch_inventories is None:  # on_batch_error=report: batch_missing holds the Error entries
                by_uuid.update(batch_missing)
                continue
            if output == 'full':
                inventories.extend(batch_inventories)
            not_found.update(batch_missing)
            for inventory in batch_inventories:
                if output == 'grouped' or (output == 'verdicts' and _aggregate_state(inventory.get('infoList') or []) == MATCHED):
                    by_uuid[inventory.get('uuid')] = keys.of_inventory(inventory)
                else:
                    by_uuid[inventory.get('uuid')] = verdict_from_inventory(inventory, info_list=lists)
        unrecorded = [u for u in uuids if u not in by_uuid and u not in not_found]
        if unrecorded:
            explain = functools.partial(self._explain_unrecorded, info_list=lists)
            if report:
                explain = functools.partial(self._guarded, explain, ERROR_EXPLAIN, lists)
            for found, gone in self._imap(explain, list(chunks(unrecorded, self.batch_size))):
                if found is None:
                    found, gone = gone, ()
                by_uuid.update(found)
                not_found.update(gone)
        for uuid in not_found:
            by_uuid[uuid] = _empty_verdict(uuid, None, NOT_FOUND, 'no host or VM with this UUID exists on the management node',
                                           info_list=lists)

        def key_of(uuid):
            found = by_uuid[uuid]
            return found if isinstance(found, tuple) else keys.of_entry(found)

        result = {
            'groups': group_uuids(uuids, key_of),
            'not_found': [u for u in uuids if u in not_found],
            'summary': summarize(by_uuid[u] for u in uuids),
        }
        if output != 'grouped':
            verdicts = dict((u, _verdict_of(by_uuid[u])) for u in uuids)
            result['verdicts'] = verdicts
            if output == 'verdicts':
                result['virtualizer_info'] = dict((u, by_uuid[u]) for u in uuids if verdicts[u] != MATCHED)
            else:
                result['virtualizer_info'] = dict((u, by_uuid[u]) for u in uuids)
        if output == 'full':
            result['inventories'] = inventories
        return result

    # -------------------------------------------------------------- internals
    def _guarded(self, func, what, info_list, batch):
        """``func(batch)``, or ``(None, {uuid: Error entry})`` when the batch fails on its own (on_batch_error=report)."""
        try:
            return func(batch)
        except ZStackError as exc:
            if not batch_local(exc):
                raise
            message = str(exc)
            self.batch_errors.append((list(batch), message))
            reason = what % (len(batch), message)
            return None, dict((uuid, _empty_verdict(uuid, None, ERROR, reason, info_list=info_list)) for uuid in batch)

    def _imap(self, func, batches):
        """``func`` over the batches, ``workers`` at a time, yielding each answer in order as it is ready."""
        if len(batches) <= 1 or self.workers == 1:
            for batch in batches:
                yield func(batch)
            return
        with ThreadPoolExecutor(max_workers=min(self.workers, len(batches))) as pool:
            pending = deque()
            for batch in batches:
                pending.append(pool.submit(func, batch))
                if len(pending) > self.workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    def _get_info(self, batch):
        self.stats['batches'] += 1
        params = [('uuids', batch), ('systemTags', self.system_tags), ('userTags', self.user_tags)]
        body = self.client.get(VIRTUALIZER_INFO_PATH, params=params)
        if isinstance(body, dict) and 'schema' in body:
            # Without the premium module the GET falls through to QueryVmInstance (uuid=virtualizer-info).
            raise ZStackUnsupportedError(
                'the management node answered GetVirtualizerInfo with a VM query result',
                method='GET', path='/v1' + VIRTUALIZER_INFO_PATH, status=200,
                remedy='GetVirtualizerInfo needs a ZStack Cloud build with the premium (mevoco) module, version 4.6.21 or later')
        path = '/v1' + VIRTUALIZER_INFO_PATH
        inventories = inventories_of(body, 'GET', path, mask=self.client.mask)
        asked = set(batch)
        for index, inventory in enumerate(inventories):
            if inventory['uuid'] not in asked:
                raise bad_answer('inventories[%d] is for a UUID this request did not ask for' % index, 'GET', path, inventory,
                                 mask=self.client.mask)
            entries = inventory.get('infoList')
            if entries is not None and not (isinstance(entries, list) and all(isinstance(e, dict) for e in entries)):
                raise bad_answer('inventories[%d].infoList is not a list of objects' % index, 'GET', path, inventory,
                                 mask=self.client.mask)
        return inventories

    def _fetch_batch(self, batch):
        """Inventories and not-found UUIDs for one batch, isolating bad UUIDs and splitting long requests."""
        try:
            return self._get_info(batch), []
        except ZStackHTTPError as exc:
            if exc.status != 414 or len(batch) == 1:
                raise
            self.stats['splits'] += 1
            half = len(batch) // 2
            first, second = self._fetch_batch(batch[:half]), self._fetch_batch(batch[half:])
            return first[0] + second[0], first[1] + second[1]
        except ZStackAPIError as exc:
            if exc.code != 'SYS.1007':
                raise
            if 'is not owned by account' in (exc.details or ''):
                # not a bad UUID: this account may not see them (QueryHost shows a normal account no host at all)
                exc.remedy = ('Hosts can be queried only by an admin account, VMs only by their owner: log in as admin, '
                              'or give only the UUIDs of VMs this account owns')
                raise
            self.stats['isolations'] += 1
            existing = self._existing(batch)
            missing = [u for u in batch if u not in existing]
            if not missing:
                raise  # every UUID exists: the error is about something else (e.g. ownership); report it as is
            valid = [u for u in batch if u in existing]
            if not valid:
                return [], missing
            return self._get_info(valid), missing

    def _existing(self, batch):
        """uuid -> (resource type, inventory) for the UUIDs that are hosts or VMs."""
        condition = 'uuid?=%s' % ','.join(batch)
        found = {}
        for path, resource_type, fields in ((HOSTS_PATH, HOST_TYPE, ['uuid', 'state', 'status']),
                                            (VMS_PATH, VM_TYPE, ['uuid', 'state', 'hostUuid'])):
            body = self.client.query(path, [condition], limit=len(batch), fields=fields)
            for inv in inventories_of(body, 'GET', '/v1' + path, mask=self.client.mask):
                found[inv['uuid']] = (resource_type, inv)
        return found

    def _explain_unrecorded(self, batch, info_list=True):
        existing = self._existing(batch)
        found, gone = {}, []
        for uuid in batch:
            if uuid not in existing:
                gone.append(uuid)  # deleted between the two calls
                continue
            resource_type, inventory = existing[uuid]
            found[uuid] = _empty_verdict(uuid, resource_type, NO_RECORD, no_record_reason(resource_type, inventory),
                                         info_list=info_list)
        return found, gone
