# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Resource helpers shared by the zstack.cloud modules: queries, single reads, timed actions, long jobs.

Private to this collection: not a public API, may change without notice.

Plain Python over a :class:`ZStackClient` (no Ansible), one concern each:

- :func:`filter_conditions` turns a query module's filter options into ``q`` conditions;
- :func:`query_inventories` pages through a query of any size (with an optional
  ``fields`` projection; the paging is ``ZStackClient.query_all``) and splits a long
  ``?=`` value list (``uuid?=...``, ``hostUuid?=...``) into several requests
  (a management node's request line is limited to about 8 KB);
- :func:`get_inventory` reads one resource by UUID and raises
  :class:`ZStackNotFoundError` when there is none;
- :func:`run_action` runs one async action API under a deadline and returns its
  inventory with a record ``{action, job_uuid, seconds}`` for the module result;
- :func:`wait_long_job` follows a LongJob (UpdateClusterOS) to a final state.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools
import re

from ansible_collections.zstack.cloud.plugins.module_utils._client import (
    DEFAULT_PAGE_SIZE,
    bad_answer,
    check_page_size,
    inventories_of,
    inventory_of,
)
from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackBadAnswerError,
    ZStackConfigError,
    ZStackError,
    ZStackJobError,
    ZStackNotFoundError,
)
from ansible_collections.zstack.cloud.plugins.module_utils._virtualizer import validate_uuid, validate_uuids

HOSTS_PATH = '/hosts'
VMS_PATH = '/vm-instances'
ZONES_PATH = '/zones'
CLUSTERS_PATH = '/clusters'
LONGJOBS_PATH = '/longjobs'
GLOBAL_CONFIGS_PATH = '/global-configurations'

#: 150 UUIDs make a ``q=uuid?=...`` of about 5 KB, well under a management node's ~8 KB request line
UUIDS_PER_QUERY = 150
#: a UUID and its comma
UUID_LIST_ITEM_CHARS = 33
#: the longest ``?=`` value list sent in one request
MAX_IN_VALUE_CHARS = UUIDS_PER_QUERY * UUID_LIST_ITEM_CHARS
#: ZStack's query operators in the order it looks for them (zstack-api.md section 5)
#: an inventory field name, nested ones too (vmNics.ip)
FIELD_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$')
QUERY_OPERATORS = ('!=', '>=', '<=', '!?=', '!~=', '~=', '?=', '=', '>', '<', 'is null', 'not null')

LONG_JOB_FINAL_STATES = frozenset(['Succeeded', 'Failed', 'Canceled'])
LONG_JOB_MAX_POLL_INTERVAL = 10.0


def eq(field, value):
    """A ``field=value`` query condition."""
    return '%s=%s' % (field, value)


def one_of(field, values):
    """A ``field?=a,b`` query condition (ZStack splits the value at commas)."""
    return '%s?=%s' % (field, ','.join(values))


def filter_conditions(params, filters=(), list_filters=()):
    """The ``q`` conditions of a query module's filter options, then its raw ``conditions``.

    ``filters`` are ``(option, field)`` pairs that give ``field=value``, ``list_filters`` pairs
    that give ``field?=a,b`` (an empty list: no condition); an option that is None adds nothing.
    """
    conditions = [eq(field, params[option]) for option, field in filters if params.get(option) is not None]
    conditions += [one_of(field, params[option]) for option, field in list_filters if params.get(option)]
    return conditions + list(params.get('conditions') or [])


def operator_of(condition):
    """The operator ZStack reads in a ``q`` condition: the first of its fixed list that occurs anywhere in it."""
    return next((op for op in QUERY_OPERATORS if op in condition), None)


def split_in_condition(condition, budget=MAX_IN_VALUE_CHARS):
    """A ``field?=a,b,...`` whose value list is longer than ``budget`` characters, as several shorter ones.

    Their results are to be ORed (merged). Any other condition comes back alone: a ``!?=`` (not in)
    cannot be split that way.
    """
    if operator_of(condition) != '?=':
        return [condition]
    field, _sep, value = condition.partition('?=')
    if len(value) <= budget:
        return [condition]
    parts, current, size = [], [], 0
    for item in value.split(','):
        if current and size + len(item) + 1 > budget:
            parts.append(current)
            current, size = [], 0
        current.append(item)
        size += len(item) + 1
    parts.append(current)
    return ['%s?=%s' % (field, ','.join(part)) for part in parts]


def check_fields(fields, option='fields'):
    """A ``fields`` projection as ZStack takes it, ``uuid`` first; None (every field) for None or an empty list."""
    if not fields:
        return None
    if isinstance(fields, str) or not isinstance(fields, (list, tuple)):
        raise ZStackConfigError('%s must be a list of field names, got %s' % (option, type(fields).__name__),
                                remedy='Give a YAML list of inventory field names, e.g. %s: [uuid, name, state]' % option)
    bad = [repr(f) for f in fields if not isinstance(f, str) or not FIELD_RE.match(f)]
    if bad:
        raise ZStackConfigError('%s has %s, not an inventory field name' % (option, ', '.join(bad)),
                                remedy='Use the camelCase names of the inventory, e.g. uuid, name, state, hostUuid, clusterUuid')
    result = ['uuid']
    for field in fields:
        if field not in result:
            result.append(field)
    return result


def query_inventories(client, path, conditions=None, uuids=None, page_size=DEFAULT_PAGE_SIZE,
                      uuids_per_query=UUIDS_PER_QUERY, fields=None):
    """Every inventory of a query API matching all ``conditions`` (ANDed), sorted by UUID.

    ``uuids`` (when not None) adds ``uuid?=...``; an empty list matches nothing and sends no request.
    Any ``?=`` condition (``uuids`` included) longer than ``uuids_per_query`` UUIDs would be is split
    into several queries, whose answers are merged without duplicates, so that no request line
    exceeds what a management node accepts.  ``fields`` (see :func:`check_fields`) keeps only
    those inventory fields, ``uuid`` always among them.
    """
    check_page_size(page_size)
    fields = check_fields(fields)
    conditions = list(conditions or [])
    if uuids is not None:
        uuids = validate_uuids(uuids)
        if not uuids:
            return []
        conditions.append(one_of('uuid', uuids))
    budget = uuids_per_query * UUID_LIST_ITEM_CHARS
    variants = [split_in_condition(condition, budget) for condition in conditions]
    if all(len(variant) == 1 for variant in variants):
        return client.query_all(path, conditions, fields=fields, page_size=page_size)
    found = {}
    for combination in itertools.product(*variants):
        for inventory in client.query_all(path, list(combination), fields=fields, page_size=page_size):
            found[inventory.get('uuid')] = inventory
    return [found[key] for key in sorted(found)]


def get_inventory(client, path, uuid, kind, option='uuid'):
    """The inventory of one resource, or ZStackNotFoundError naming what is missing."""
    validate_uuid(uuid, option)
    inventories = inventories_of(client.get('%s/%s' % (path, uuid)), 'GET', '/v1%s/%s' % (path, uuid), mask=client.mask)
    if not inventories:
        raise ZStackNotFoundError('no %s with UUID %s exists on the management node' % (kind, uuid),
                                  method='GET', path='/v1%s/%s' % (path, uuid),
                                  remedy='Check the UUID (and that the account may see the %s)' % kind)
    if inventories[0]['uuid'] != uuid:
        raise bad_answer('asked for %s %s, the answer is about another UUID' % (kind, uuid), 'GET',
                         '/v1%s/%s' % (path, uuid), inventories[0], mask=client.mask)
    return inventories[0]


def check_timeout(value, option='wait_timeout'):
    """A wait in seconds: a positive integer, or ZStackConfigError naming ``option`` (checked before any request)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ZStackConfigError('%s must be a positive number of seconds, got %r' % (option, value),
                                remedy='Set %s to how long to wait for the ZStack job, e.g. 3600 (an hour)' % option)
    return value


def action_record(action, job_uuid=None, seconds=0.0):
    """One entry of a module's ``actions`` result."""
    return {'action': action, 'job_uuid': job_uuid, 'seconds': round(seconds, 3)}


def run_action(client, resource_path, uuid, action, params=None, timeout=None):
    """Run one async action API, waiting at most ``timeout`` seconds for its job.

    Returns ``(inventory, record)``: the ``inventory`` of the job result and the
    ``{action, job_uuid, seconds}`` record of the call.
    """
    if timeout is not None:
        check_timeout(timeout, 'timeout')
    saved = client.job_timeout
    if timeout is not None:
        client.job_timeout = timeout
    started = client.clock()
    path = '/v1%s/%s/actions' % (resource_path, uuid)
    try:
        result = client.action(resource_path, uuid, action, params or {})
        inventory = inventory_of(result, 'PUT', path, mask=client.mask)
    except ZStackError as exc:
        if isinstance(exc, ZStackBadAnswerError):
            exc.changed = True  # an answer came for the action: it ran
        if exc.changed:
            exc.message += ('; %s was submitted for %s, which may be in its old state, its new one or still changing: '
                            'check its state before running again' % (action, uuid))
        raise
    finally:
        client.job_timeout = saved
    record = action_record(action, result.get('_job_uuid'), client.clock() - started)
    return inventory, record


def _long_job_text(long_job):
    text = long_job.get('jobResult')
    if text is None:
        return 'no jobResult was recorded'
    text = str(text).strip()
    return text if len(text) <= 2000 else text[:2000] + '...'


def wait_long_job(client, long_job_uuid, timeout, poll_interval=None, max_interval=LONG_JOB_MAX_POLL_INTERVAL):
    """Poll QueryLongJob until the job is Succeeded; raise ZStackJobError when it fails or the deadline passes.

    The poll interval starts at the client's and doubles up to ``max_interval`` (10) seconds.
    """
    interval = poll_interval if poll_interval is not None else client.poll_interval
    deadline = client.clock() + timeout
    path = '/v1%s/%s' % (LONGJOBS_PATH, long_job_uuid)
    while True:
        long_job = get_inventory(client, LONGJOBS_PATH, long_job_uuid, 'long job')
        state = long_job.get('state')
        progress = getattr(client, 'progress', None)  # a _progress.ProgressFile, when the module records progress
        if progress is not None:
            progress('long job %s %s' % (long_job_uuid, state), long_job_uuid)
        if state == 'Succeeded':
            return long_job
        if state in LONG_JOB_FINAL_STATES:
            name = long_job.get('jobName') or 'unnamed'
            raise ZStackJobError('long job %s (%s) ended %s: %s' % (long_job_uuid, name, state, _long_job_text(long_job)),
                                 method='GET', path=path, job_uuid=long_job_uuid,
                                 remedy='Read the job result above; fix the cause on the hosts and run again')
        if client.clock() >= deadline:
            raise ZStackJobError('long job %s is still %s after %ss: %s' % (long_job_uuid, state, timeout, _long_job_text(long_job)),
                                 method='GET', path=path, job_uuid=long_job_uuid,
                                 remedy='The job keeps running on the management node; raise wait_timeout or check it later')
        client.retry.sleep(interval)
        interval = min(interval * 2, max_interval)
