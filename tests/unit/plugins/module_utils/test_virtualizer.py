# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the verdict logic, driven by an in-memory client that answers as ZStack does."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackAPIError,
    ZStackConfigError,
    ZStackHTTPError,
    ZStackUnsupportedError,
)
from ansible_collections.zstack.cloud.plugins.module_utils._virtualizer import (
    VirtualizerInfoFetcher,
    summarize,
    validate_uuids,
    verdict_from_inventory,
)

NEW = '4.2.0-632.g6a6222b.el7'
OLD = '4.2.0-627.g36ee592.el7'


def u(n):
    return '%032x' % n


class FakeZStack:
    """GetVirtualizerInfo and the two queries, with ZStack's whole-call failure and omission rules."""

    def __init__(self, hosts=None, vms=None, records=None, max_uuids=None, premium=True):
        self.hosts = hosts or {}      # uuid -> {'status': ..., 'state': ...}
        self.vms = vms or {}          # uuid -> {'state': ..., 'hostUuid': ...}
        self.records = records or {}  # uuid -> inventory as GetVirtualizerInfo returns it
        self.max_uuids = max_uuids
        self.premium = premium
        self.calls = []
        self.lock = threading.Lock()

    @staticmethod
    def mask(text):  # ZStackClient.mask: these fakes hold no secrets
        return text

    def get(self, path, params=None):
        params = dict(params or [])
        with self.lock:
            self.calls.append((path, params))
        if path == '/vm-instances/virtualizer-info':
            if not self.premium:
                return {'inventories': [], 'schema': {}}
            uuids = params['uuids']
            if self.max_uuids and len(uuids) > self.max_uuids:
                raise ZStackHTTPError('request line too long', method='GET', path='/v1' + path, status=414)
            valid = [x for x in uuids if x in self.hosts or x in self.vms]
            if len(valid) != len(uuids):
                raise ZStackAPIError({'code': 'SYS.1007', 'details': "The 'uuids' parameter must belong to the VmInstanceVO or HostVO"},
                                     method='GET', path='/v1' + path, status=503)
            return {'inventories': [self.records[x] for x in sorted(uuids) if x in self.records]}
        table = self.hosts if path == '/hosts' else self.vms
        wanted = params['q'][0].split('?=', 1)[1].split(',')
        return {'inventories': [dict(table[x], uuid=x) for x in wanted if x in table], 'schema': {}}

    def query(self, path, conditions, limit=None, fields=None, **kwargs):
        return self.get(path, [('q', conditions), ('limit', limit), ('fields', fields)])


def record(uuid, kind, current, expect, state=None):
    entry = {'hypervisor': 'qemu-kvm'}
    if current is not None:
        entry['currentVersion'] = current
    if expect is not None:
        entry['expectVersion'] = expect
    if state is None:
        state = 'Unknown' if current is None or expect is None else ('Matched' if current == expect else 'Unmatched')
    entry['matchState'] = state
    return {'uuid': uuid, 'resourceType': kind, 'infoList': [entry]}


@pytest.fixture(name='fleet')
def fleet_fixture():
    hosts = {u(1): {'status': 'Connected', 'state': 'Enabled'}, u(2): {'status': 'Connected', 'state': 'Enabled'},
             u(3): {'status': 'Disconnected', 'state': 'Enabled'}, u(4): {'status': 'Connected', 'state': 'Enabled'}}
    vms = {u(11): {'state': 'Running', 'hostUuid': u(1)}, u(12): {'state': 'Running', 'hostUuid': u(2)},
           u(13): {'state': 'Stopped', 'hostUuid': None}}
    records = {
        u(1): record(u(1), 'HostVO', NEW, NEW),
        u(2): record(u(2), 'HostVO', NEW, None),
        u(4): record(u(4), 'HostVO', OLD, NEW),
        u(11): record(u(11), 'VmInstanceVO', NEW, NEW),
        u(12): record(u(12), 'VmInstanceVO', OLD, NEW),
    }
    return FakeZStack(hosts, vms, records)


def test_every_uuid_comes_back_with_its_verdict(fleet):
    uuids = [u(12), u(1), u(2), u(3), u(4), u(11), u(13), u(99)]
    result = VirtualizerInfoFetcher(fleet, batch_size=3, workers=2).fetch(uuids, output='full')
    info = result['virtualizer_info']
    assert list(info) == uuids
    assert {k: v['verdict'] for k, v in info.items()} == {
        u(12): 'Unmatched', u(1): 'Matched', u(2): 'Unknown', u(3): 'NoRecord', u(4): 'Unmatched',
        u(11): 'Matched', u(13): 'NoRecord', u(99): 'NotFound'}
    assert result['not_found'] == [u(99)]
    assert result['summary'] == {'total': 8, 'matched': 2, 'unmatched': 2, 'unknown': 1, 'no_record': 2, 'not_found': 1, 'error': 0}
    assert sorted(i['uuid'] for i in result['inventories']) == sorted([u(1), u(2), u(4), u(11), u(12)])


def test_reasons_explain_unknown_no_record_and_not_found(fleet):
    info = VirtualizerInfoFetcher(fleet).fetch([u(2), u(3), u(13), u(99), u(1)], output='facts')['virtualizer_info']
    assert 'no expected qemu-kvm version' in info[u(2)]['reason']
    assert info[u(3)]['reason'].startswith('the host is Disconnected')
    assert info[u(3)]['resource_type'] == 'HostVO' and info[u(3)]['match_state'] is None
    assert info[u(13)]['reason'].startswith('the VM is Stopped')
    assert info[u(13)]['resource_type'] == 'VmInstanceVO'
    assert info[u(99)]['resource_type'] is None and 'no host or VM' in info[u(99)]['reason']
    assert info[u(1)]['reason'] is None


def test_bad_uuid_is_isolated_and_the_rest_answered(fleet):
    result = VirtualizerInfoFetcher(fleet, batch_size=100).fetch([u(1), u(99), u(11)], output='facts')
    assert result['virtualizer_info'][u(1)]['match_state'] == 'Matched'
    assert result['virtualizer_info'][u(11)]['match_state'] == 'Matched'
    assert result['not_found'] == [u(99)]
    paths = [c[0] for c in fleet.calls]
    assert paths == ['/vm-instances/virtualizer-info', '/hosts', '/vm-instances', '/vm-instances/virtualizer-info']
    assert fleet.calls[-1][1]['uuids'] == [u(1), u(11)]


def test_batch_of_only_bad_uuids_makes_no_second_info_call(fleet):
    result = VirtualizerInfoFetcher(fleet).fetch([u(98), u(99)])
    assert result['not_found'] == [u(98), u(99)]
    assert [c[0] for c in fleet.calls].count('/vm-instances/virtualizer-info') == 1


def test_sys_1007_about_something_else_is_reported_not_hidden(fleet):
    def owned_error(path, params=None):
        if path == '/vm-instances/virtualizer-info':
            raise ZStackAPIError({'code': 'SYS.1007', 'details': 'resource[uuids:[...]] is not owned by account[uuid:x]'})
        return FakeZStack.get(fleet, path, params)
    fleet.get = owned_error
    with pytest.raises(ZStackAPIError) as info:
        VirtualizerInfoFetcher(fleet).fetch([u(1)])
    assert 'not owned' in str(info.value)


def test_duplicates_are_sent_once(fleet):
    result = VirtualizerInfoFetcher(fleet).fetch([u(1), u(1), u(11), u(1)], output='facts')
    assert list(result['virtualizer_info']) == [u(1), u(11)]
    assert fleet.calls[0][1]['uuids'] == [u(1), u(11)]
    assert result['summary']['total'] == 2


def test_batches_respect_batch_size(fleet):
    VirtualizerInfoFetcher(fleet, batch_size=2, workers=1).fetch([u(1), u(2), u(4), u(11), u(12)])
    sizes = [len(p['uuids']) for path, p in fleet.calls if path == '/vm-instances/virtualizer-info']
    assert sizes == [2, 2, 1]


def test_too_long_request_is_split_until_it_fits(fleet):
    fleet.max_uuids = 2
    result = VirtualizerInfoFetcher(fleet, batch_size=5, workers=1).fetch([u(1), u(2), u(4), u(11), u(12)])
    assert result['summary']['total'] == 5 and result['summary']['not_found'] == 0
    sizes = [len(p['uuids']) for path, p in fleet.calls if path == '/vm-instances/virtualizer-info']
    assert sizes == [5, 2, 3, 1, 2]


def test_empty_list_makes_no_call(fleet):
    zero = {'total': 0, 'matched': 0, 'unmatched': 0, 'unknown': 0, 'no_record': 0, 'not_found': 0, 'error': 0}
    assert VirtualizerInfoFetcher(fleet).fetch([]) == {'groups': [], 'not_found': [], 'summary': zero}
    assert VirtualizerInfoFetcher(fleet).fetch([], output='full') == {
        'groups': [], 'virtualizer_info': {}, 'verdicts': {}, 'inventories': [], 'not_found': [], 'summary': zero}
    assert fleet.calls == []


ALL = [u(12), u(1), u(2), u(3), u(4), u(11), u(13), u(99)]
VERDICTS = {u(12): 'Unmatched', u(1): 'Matched', u(2): 'Unknown', u(3): 'NoRecord', u(4): 'Unmatched',
            u(11): 'Matched', u(13): 'NoRecord', u(99): 'NotFound'}


KEYS = {  # the return values of each output
    'grouped': {'groups', 'not_found', 'summary'},
    'verdicts': {'groups', 'not_found', 'summary', 'verdicts', 'virtualizer_info'},
    'facts': {'groups', 'not_found', 'summary', 'verdicts', 'virtualizer_info'},
    'full': {'groups', 'not_found', 'summary', 'verdicts', 'virtualizer_info', 'inventories'},
}


@pytest.mark.parametrize('output', ['grouped', 'verdicts', 'facts', 'full'])
def test_every_output_has_the_groups_and_summary_of_every_uuid(fleet, output, groups_by_uuid):
    result = VirtualizerInfoFetcher(fleet, batch_size=3, workers=2).fetch(ALL, output=output)
    assert set(result) == KEYS[output]
    assert dict((x, facts[0]) for x, facts in groups_by_uuid(result['groups']).items()) == VERDICTS
    assert result['summary'] == {'total': 8, 'matched': 2, 'unmatched': 2, 'unknown': 1, 'no_record': 2, 'not_found': 1, 'error': 0}
    assert result['not_found'] == [u(99)]
    if output != 'grouped':
        assert result['verdicts'] == VERDICTS and list(result['verdicts']) == ALL


def test_the_default_output_is_grouped_and_its_groups_equal_the_full_entries(fleet, groups_by_uuid):
    grouped = VirtualizerInfoFetcher(fleet, batch_size=3, workers=2).fetch(ALL)
    assert set(grouped) == KEYS['grouped']
    full = VirtualizerInfoFetcher(fleet).fetch(ALL, output='full')
    expected = dict((x, (e['verdict'], e['resource_type'], e['current_version'], e['expect_version'], e['reason']))
                    for x, e in full['virtualizer_info'].items())
    assert groups_by_uuid(grouped['groups']) == expected
    assert groups_by_uuid(full['groups']) == expected  # every output's groups are the same
    assert grouped['groups'] == full['groups']


def test_the_default_result_holds_about_one_value_per_uuid(fleet, result_values):
    # what Ansible's register (templar) and exit_json's no_log walk cost grows with: values, not UUIDs
    many = dict((u(5000 + i), {'status': 'Connected', 'state': 'Enabled'}) for i in range(2000))
    fleet.hosts.update(many)
    fleet.records.update(dict((x, record(x, 'HostVO', NEW if i % 20 else OLD, NEW)) for i, x in enumerate(many)))
    result = VirtualizerInfoFetcher(fleet, workers=2).fetch(list(many))
    assert result['summary']['total'] == 2000 and len(result['groups']) == 2
    assert result_values(result) / 2000.0 < 1.02
    assert result_values(VirtualizerInfoFetcher(fleet, workers=2).fetch(list(many), output='full')) / 2000.0 > 20


def test_groups_come_in_verdict_order_then_first_seen_with_uuids_in_input_order(fleet):
    groups = VirtualizerInfoFetcher(fleet, batch_size=2, workers=3).fetch(ALL)['groups']
    assert [(g['verdict'], g['resource_type'], g['uuids']) for g in groups] == [
        ('Matched', 'HostVO', [u(1)]),
        ('Matched', 'VmInstanceVO', [u(11)]),
        ('Unmatched', 'VmInstanceVO', [u(12)]),
        ('Unmatched', 'HostVO', [u(4)]),
        ('Unknown', 'HostVO', [u(2)]),
        ('NoRecord', 'HostVO', [u(3)]),
        ('NoRecord', 'VmInstanceVO', [u(13)]),
        ('NotFound', None, [u(99)]),
    ]
    assert list(groups[0]) == ['verdict', 'resource_type', 'current_version', 'expect_version', 'reason', 'count', 'uuids']
    assert groups[2]['current_version'] == OLD and groups[2]['expect_version'] == NEW and 'qemu process' in groups[2]['reason']
    assert groups[0]['reason'] is None and groups[0]['current_version'] == groups[0]['expect_version'] == NEW


def test_resources_that_share_every_fact_share_one_group(fleet):
    many = dict((u(1000 + i), {'status': 'Connected', 'state': 'Enabled'}) for i in range(40))
    fleet.hosts.update(many)
    fleet.records.update(dict((x, record(x, 'HostVO', NEW if i % 4 else OLD, NEW)) for i, x in enumerate(many)))
    order = list(many)
    groups = VirtualizerInfoFetcher(fleet, batch_size=3, workers=4).fetch(order)['groups']
    assert [(g['verdict'], g['count']) for g in groups] == [('Matched', 30), ('Unmatched', 10)]
    assert groups[0]['uuids'] == [x for i, x in enumerate(order) if i % 4] and groups[1]['uuids'] == order[::4]


def test_output_facts_keeps_every_entry_without_its_info_list(fleet):
    full = VirtualizerInfoFetcher(fleet).fetch(ALL, output='full')['virtualizer_info']
    facts = VirtualizerInfoFetcher(fleet).fetch(ALL, output='facts')['virtualizer_info']
    assert list(facts) == ALL
    for uuid in ALL:
        assert 'info_list' in full[uuid] and 'info_list' not in facts[uuid]
        assert facts[uuid] == dict((k, v) for k, v in full[uuid].items() if k != 'info_list')


def test_output_verdicts_details_only_what_is_not_matched(fleet):
    full = VirtualizerInfoFetcher(fleet).fetch(ALL, output='full')['virtualizer_info']
    info = VirtualizerInfoFetcher(fleet).fetch(ALL, output='verdicts')['virtualizer_info']
    assert list(info) == [x for x in ALL if VERDICTS[x] != 'Matched']
    for uuid, entry in info.items():
        assert entry == full[uuid]  # whole entries, info_list and reason included
    assert info[u(12)]['current_version'] == OLD and info[u(99)]['reason']


def test_an_unknown_output_is_refused_before_any_call(fleet):
    with pytest.raises(ZStackConfigError) as info:
        VirtualizerInfoFetcher(fleet).fetch([u(1)], output='all')
    assert "output must be one of grouped, verdicts, facts, full, got 'all'" in str(info.value)
    assert fleet.calls == []


def test_many_batches_in_flight_keep_the_input_order(fleet):
    many = dict((u(1000 + i), {'status': 'Connected', 'state': 'Enabled'}) for i in range(57))
    fleet.hosts.update(many)
    fleet.records.update(dict((x, record(x, 'HostVO', NEW, NEW if i % 5 else OLD)) for i, x in enumerate(many)))
    order = list(reversed(list(many)))
    result = VirtualizerInfoFetcher(fleet, batch_size=4, workers=3).fetch(order, output='verdicts')
    assert list(result['verdicts']) == order
    assert list(result['virtualizer_info']) == [x for i, x in reversed(list(enumerate(many))) if i % 5 == 0]
    assert len([c for c in fleet.calls if c[0] == '/vm-instances/virtualizer-info']) == 15


def test_version_strings_are_shared_not_copied(fleet):
    # as parsed from JSON, every answer holds its own copy of the same version text
    fleet.records[u(1)] = record(u(1), 'HostVO', ''.join(list(NEW)), ''.join(list(NEW)))
    fleet.records[u(11)] = record(u(11), 'VmInstanceVO', ''.join(list(NEW)), ''.join(list(NEW)))
    assert fleet.records[u(1)]['infoList'][0]['currentVersion'] is not fleet.records[u(11)]['infoList'][0]['currentVersion']
    info = VirtualizerInfoFetcher(fleet).fetch([u(1), u(11)], output='facts')['virtualizer_info']
    assert info[u(1)]['current_version'] is info[u(11)]['current_version'] is info[u(11)]['expect_version']


def test_malformed_uuids_fail_before_any_call(fleet):
    with pytest.raises(ZStackConfigError) as info:
        VirtualizerInfoFetcher(fleet).fetch([u(1), 'nope', u(0xabc).upper()])
    assert "uuids[1] 'nope' is not a ZStack UUID" in str(info.value)
    assert 'uuids[2]' in str(info.value) and 'upper case' in str(info.value)
    assert fleet.calls == []


def test_a_build_without_the_api_is_detected(fleet):
    fleet.premium = False
    with pytest.raises(ZStackUnsupportedError) as info:
        VirtualizerInfoFetcher(fleet).fetch([u(1)])
    assert 'premium' in str(info.value) and '4.6.21' in str(info.value)


@pytest.mark.parametrize('kwargs,fragment', [({'batch_size': 0}, 'batch_size'), ({'batch_size': 201}, 'batch_size'),
                                             ({'workers': 0}, 'workers'), ({'workers': 33}, 'workers')])
def test_bad_tuning_options(fleet, kwargs, fragment):
    with pytest.raises(ZStackConfigError) as info:
        VirtualizerInfoFetcher(fleet, **kwargs)
    assert fragment in str(info.value)


def test_validate_uuids_lists_many_problems_briefly():
    with pytest.raises(ZStackConfigError) as info:
        validate_uuids(['x%d' % i for i in range(30)])
    assert str(info.value).startswith('30 invalid UUIDs') and 'and 10 more' in str(info.value)


def test_validate_uuids_rejects_a_plain_string():
    with pytest.raises(ZStackConfigError) as info:
        validate_uuids(u(1))
    assert 'must be a list' in str(info.value)


def test_verdict_aggregates_several_entries_as_zstack_defines():
    inv = {'uuid': u(1), 'resourceType': 'HostVO', 'infoList': [
        {'hypervisor': 'qemu-kvm', 'currentVersion': NEW, 'expectVersion': NEW, 'matchState': 'Matched'},
        {'hypervisor': 'other', 'matchState': 'Unknown'}]}
    assert verdict_from_inventory(inv)['match_state'] == 'Unknown'
    inv['infoList'][1]['matchState'] = 'Unmatched'
    assert verdict_from_inventory(inv)['match_state'] == 'Unmatched'
    assert verdict_from_inventory(inv)['current_version'] == NEW  # the qemu-kvm entry leads


def test_verdict_keeps_empty_string_versions_unmatched():
    inv = record(u(1), 'HostVO', '', NEW)
    entry = verdict_from_inventory(inv)
    assert entry['match_state'] == 'Unmatched' and entry['current_version'] == ''


def test_summarize_counts():
    assert summarize([{'verdict': 'Matched'}, {'verdict': 'NotFound'}, {'verdict': 'NotFound'}]) == {
        'total': 3, 'matched': 1, 'unmatched': 0, 'unknown': 0, 'no_record': 0, 'not_found': 2, 'error': 0}
