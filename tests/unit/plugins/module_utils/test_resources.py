# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of _resources: query splitting and paging, single reads, timed actions, long jobs."""

from __future__ import annotations

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._client import ZStackClient
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError, ZStackJobError
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackNotFoundError
from ansible_collections.zstack.cloud.plugins.module_utils._resources import (
    check_fields,
    get_inventory,
    operator_of,
    query_inventories,
    run_action,
    split_in_condition,
    wait_long_job,
)


def u(n):
    return '%032x' % n


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class FakeRetry:
    def __init__(self, clock):
        self.sleep = clock.sleep


class FakeClient:
    """The client surface _resources uses, over an in-memory table."""

    def __init__(self, rows=None, longjob_states=None, action_seconds=0.0):
        self.rows = rows or []
        self.calls = []
        self.clock = FakeClock()
        self.retry = FakeRetry(self.clock)
        self.job_timeout = 3600
        self.poll_interval = 1.0
        self.longjob_states = list(longjob_states or [])
        self.action_seconds = action_seconds
        self.timeouts_seen = []
        self.fields_seen = []

    def _select(self, conditions):
        rows = self.rows
        for cond in conditions:
            if '?=' in cond:
                field, value = cond.split('?=', 1)
                wanted = set(value.split(','))
                rows = [r for r in rows if r.get(field) in wanted]
            else:
                field, value = cond.split('=', 1)
                rows = [r for r in rows if str(r.get(field)) == value]
        return rows

    def query(self, path, conditions=None, limit=None, start=None, sort=None, fields=None, **kwargs):
        self.calls.append(('query', path, list(conditions or []), limit, start, sort))
        self.fields_seen.append(fields)
        rows = sorted(self._select(conditions or []), key=lambda r: r.get(sort) or '')
        start = start or 0
        return {'inventories': [dict((k, v) for k, v in r.items() if k in fields) if fields else r
                                for r in rows[start:start + limit]]}

    #: the client's own paging routine, over the fake query
    query_all = ZStackClient.query_all

    @staticmethod
    def mask(text):  # ZStackClient.mask: these fakes hold no secrets
        return text

    def get(self, path, params=None):
        self.calls.append(('get', path))
        uuid = path.rsplit('/', 1)[-1]
        if path.startswith('/longjobs/'):
            state = self.longjob_states.pop(0) if len(self.longjob_states) > 1 else self.longjob_states[0]
            return {'inventories': [{'uuid': uuid, 'state': state, 'jobName': 'APIUpdateClusterOSMsg',
                                     'jobResult': 'yum failed on host x' if state == 'Failed' else None}]}
        return {'inventories': [r for r in self.rows if r['uuid'] == uuid]}

    def action(self, resource_path, uuid, action, params=None):
        self.calls.append(('action', resource_path, uuid, action, params))
        self.timeouts_seen.append(self.job_timeout)
        self.clock.now += self.action_seconds
        return {'inventory': {'uuid': uuid, 'state': 'Maintenance'}, '_job_uuid': 'f' * 32}


def test_query_splits_uuid_lists_and_merges_sorted():
    rows = [{'uuid': u(i), 'state': 'Enabled' if i % 2 else 'Disabled'} for i in range(400)]
    client = FakeClient(rows)
    wanted = [u(i) for i in reversed(range(400))] + [u(7), u(9999)]
    result = query_inventories(client, '/hosts', ['state=Enabled'], uuids=wanted, page_size=1000, uuids_per_query=150)
    assert [r['uuid'] for r in result] == [u(i) for i in range(1, 400, 2)]
    queries = [c for c in client.calls if c[0] == 'query']
    assert len(queries) == 3  # 401 distinct UUIDs, 150 a query
    assert all(q[2][0] == 'state=Enabled' and q[2][1].startswith('uuid?=') for q in queries)
    assert max(len(q[2][1]) for q in queries) < 150 * 33 + 10


def test_long_raw_in_conditions_are_split_too():
    rows = [{'uuid': u(i), 'hostUuid': u(1000 + i % 40)} for i in range(400)]
    client = FakeClient(rows)
    hosts = ','.join(u(1000 + i) for i in range(0, 40, 2)) + ',' + ','.join(u(5000 + i) for i in range(300))
    result = query_inventories(client, '/vm-instances', ['hostUuid?=' + hosts], page_size=1000, uuids_per_query=150)
    assert [r['uuid'] for r in result] == [u(i) for i in range(0, 400, 2)]
    queries = [c for c in client.calls if c[0] == 'query']
    assert len(queries) == 3  # 320 host UUIDs, 150 a query
    assert all(len(q[2][0]) <= len('hostUuid?=') + 150 * 33 for q in queries)


def test_split_in_condition_only_splits_long_in_lists():
    assert split_in_condition('state?=Running,Stopped', budget=10) == ['state?=Running', 'state?=Stopped']
    assert split_in_condition('state?=Running,Stopped') == ['state?=Running,Stopped']
    assert split_in_condition('uuid!?=a,b,c,d', budget=2) == ['uuid!?=a,b,c,d']
    assert split_in_condition('name=a,b,c,d', budget=2) == ['name=a,b,c,d']
    assert operator_of('name!=a?=b') == '!='
    assert operator_of('hostUuid is null') == 'is null'


def test_fields_are_asked_for_with_uuid_first_also_when_split():
    rows = [{'uuid': u(i), 'name': 'vm-%d' % i, 'hostUuid': u(1000), 'state': 'Running', 'vmNics': [{'ip': '10.0.0.1'}]}
            for i in range(400)]
    client = FakeClient(rows)
    result = query_inventories(client, '/vm-instances', uuids=[u(i) for i in range(400)], uuids_per_query=150,
                               fields=['name', 'hostUuid', 'name'])
    assert client.fields_seen == [['uuid', 'name', 'hostUuid']] * 3
    assert len(result) == 400 and result[5] == {'uuid': u(5), 'name': 'vm-5', 'hostUuid': u(1000)}
    query_inventories(client, '/vm-instances', fields=[])
    assert client.fields_seen[-1] is None  # an empty list asks for every field


@pytest.mark.parametrize('fields,fragment', [
    ('name', 'fields must be a list of field names, got str'),
    (['name', 'bad name'], "fields has 'bad name', not an inventory field name"),
    (['name', 3, ''], "fields has 3, '', not an inventory field name"),
])
def test_bad_fields_are_named_before_any_call(fields, fragment):
    client = FakeClient([{'uuid': u(1)}])
    with pytest.raises(ZStackConfigError) as info:
        query_inventories(client, '/hosts', fields=fields)
    assert fragment in str(info.value) and info.value.remedy
    assert client.calls == []


def test_check_fields_accepts_nested_names():
    assert check_fields(['vmNics.ip', 'uuid', 'state']) == ['uuid', 'vmNics.ip', 'state']
    assert check_fields(None) is None


def test_query_without_uuids_pages_through_everything():
    client = FakeClient([{'uuid': u(i)} for i in range(25)])
    assert len(query_inventories(client, '/hosts', page_size=10)) == 25
    assert [c[4] for c in client.calls] == [0, 10, 20]


def test_empty_uuid_list_sends_nothing():
    client = FakeClient([{'uuid': u(1)}])
    assert query_inventories(client, '/hosts', uuids=[]) == []
    assert client.calls == []


@pytest.mark.parametrize('size', [0, -1, '10'])
def test_bad_page_size(size):
    with pytest.raises(ZStackConfigError):
        query_inventories(FakeClient(), '/hosts', page_size=size)


def test_get_inventory_found_and_missing():
    client = FakeClient([{'uuid': u(1), 'name': 'kvm-1'}])
    assert get_inventory(client, '/hosts', u(1), 'host')['name'] == 'kvm-1'
    with pytest.raises(ZStackNotFoundError) as err:
        get_inventory(client, '/hosts', u(2), 'host')
    assert 'no host with UUID %s' % u(2) in str(err.value)
    with pytest.raises(ZStackConfigError):
        get_inventory(client, '/hosts', 'not-a-uuid', 'host')


def test_run_action_records_job_and_time_and_restores_the_deadline():
    client = FakeClient(action_seconds=4.25)
    inventory, record = run_action(client, '/hosts', u(1), 'changeHostState', {'stateEvent': 'maintain'}, timeout=7200)
    assert inventory == {'uuid': u(1), 'state': 'Maintenance'}
    assert record == {'action': 'changeHostState', 'job_uuid': 'f' * 32, 'seconds': 4.25}
    assert client.timeouts_seen == [7200]
    assert client.job_timeout == 3600


def test_wait_long_job_until_succeeded_with_growing_interval():
    client = FakeClient(longjob_states=['Waiting', 'Running', 'Running', 'Running', 'Running', 'Running', 'Succeeded'])
    job = wait_long_job(client, u(5), timeout=600)
    assert job['state'] == 'Succeeded'
    assert client.clock.now == 1 + 2 + 4 + 8 + 10 + 10


def test_wait_long_job_reports_each_state_it_reads_and_caps_the_interval():
    client = FakeClient(longjob_states=['Waiting', 'Running', 'Running', 'Running', 'Succeeded'])
    seen = []
    client.progress = lambda state, job_uuid: seen.append((client.clock.now, state, job_uuid))
    wait_long_job(client, u(5), timeout=600, max_interval=3)
    assert [state for _now, state, _job in seen] == ['long job %s %s' % (u(5), s) for s in
                                                     ('Waiting', 'Running', 'Running', 'Running', 'Succeeded')]
    assert all(job == u(5) for _now, _state, job in seen)
    assert [now for now, _state, _job in seen] == [0, 1, 3, 6, 9]  # 1, 2, then at most max_interval (3)


@pytest.mark.parametrize('state', ['Failed', 'Canceled'])
def test_wait_long_job_fails_with_the_job_result(state):
    client = FakeClient(longjob_states=['Running', state])
    with pytest.raises(ZStackJobError) as err:
        wait_long_job(client, u(5), timeout=600)
    assert 'ended %s' % state in str(err.value)
    assert err.value.job_uuid == u(5)
    if state == 'Failed':
        assert 'yum failed on host x' in str(err.value)


def test_wait_long_job_deadline():
    client = FakeClient(longjob_states=['Running'])
    with pytest.raises(ZStackJobError) as err:
        wait_long_job(client, u(5), timeout=30)
    assert 'still Running after 30s' in str(err.value)
    assert client.clock.now >= 30
