# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""zstack_virtualizer_info's output option against the simulator's demo fleet over HTTP."""

from __future__ import annotations

import json

import pytest

from ansible_collections.zstack.cloud.plugins.modules import zstack_host_info, zstack_virtualizer_info, zstack_vm_instance_info

MISSING = '0123456789abcdef0123456789abcdef'


@pytest.fixture(name='every_uuid')
def every_uuid_fixture(run):
    hosts = [h['uuid'] for h in run(zstack_host_info, fields=['uuid'])['hosts']]
    vms = [v['uuid'] for v in run(zstack_vm_instance_info, fields=['uuid'])['vm_instances']]
    return hosts + vms + [MISSING]


OUTPUTS = ('grouped', 'verdicts', 'facts', 'full')
RETURNS = {  # what each output returns besides changed (and the invocation ansible-core 2.18 adds in tests)
    'grouped': {'groups', 'not_found', 'summary'},
    'verdicts': {'groups', 'not_found', 'summary', 'verdicts', 'virtualizer_info'},
    'facts': {'groups', 'not_found', 'summary', 'verdicts', 'virtualizer_info'},
    'full': {'groups', 'not_found', 'summary', 'verdicts', 'virtualizer_info', 'inventories'},
}


@pytest.fixture(name='results')
def results_fixture(run, every_uuid):
    return dict((o, run(zstack_virtualizer_info, uuids=every_uuid, output=o)) for o in OUTPUTS)


def test_the_default_output_is_grouped(run, every_uuid, results):
    result = run(zstack_virtualizer_info, uuids=every_uuid)
    assert result['changed'] is False
    assert result == results['grouped']
    assert set(result) - {'invocation'} == RETURNS['grouped'] | {'changed'}


@pytest.mark.parametrize('output', OUTPUTS)
def test_every_output_answers_every_uuid_with_its_verdict_versions_and_reason(results, every_uuid, output, groups_by_uuid):
    result, full = results[output], results['full']
    assert set(result) - {'invocation'} == RETURNS[output] | {'changed'}
    assert result['changed'] is False
    grouped = groups_by_uuid(result['groups'])
    assert sorted(grouped) == sorted(every_uuid)
    for uuid in every_uuid:  # the same facts as the full entry of each UUID
        entry = full['virtualizer_info'][uuid]
        assert grouped[uuid] == tuple(entry[k] for k in ('verdict', 'resource_type', 'current_version', 'expect_version', 'reason'))
    assert grouped[MISSING][0] == 'NotFound' and grouped[MISSING][4]
    assert result['summary'] == full['summary'] and result['summary']['total'] == len(every_uuid)
    assert result['summary']['matched'] == sum(g['count'] for g in result['groups'] if g['verdict'] == 'Matched')
    assert result['not_found'] == [MISSING]
    assert result['groups'] == results['grouped']['groups']


def test_what_each_output_adds(results, every_uuid):
    full, facts, verdicts = results['full'], results['facts'], results['verdicts']
    for result in (full, facts, verdicts):
        assert list(result['verdicts']) == every_uuid and result['verdicts'] == full['verdicts']
    assert full['verdicts'][MISSING] == 'NotFound'
    assert full['inventories'] and all('info_list' in e for e in full['virtualizer_info'].values())
    assert list(facts['virtualizer_info']) == every_uuid
    assert not any('info_list' in e for e in facts['virtualizer_info'].values())
    not_matched = [u for u in every_uuid if full['verdicts'][u] != 'Matched']
    assert 0 < len(not_matched) < len(every_uuid)
    assert list(verdicts['virtualizer_info']) == not_matched
    assert all(verdicts['virtualizer_info'][u] == full['virtualizer_info'][u] for u in not_matched)


def test_each_output_costs_fewer_values_than_the_next(results, result_values):
    counts = [result_values(results[o]) for o in OUTPUTS]
    assert counts == sorted(counts) and len(set(counts)) == len(counts), counts
    sizes = [len(json.dumps(results[o])) for o in OUTPUTS]
    assert sizes == sorted(sizes) and sizes[0] < sizes[3] / 4, sizes


def test_an_unknown_output_is_refused_by_its_choices(run):
    result = run(zstack_virtualizer_info, uuids=[MISSING], output='all')
    assert result['failed'] is True
    assert 'output' in result['msg'] and 'grouped, verdicts, facts, full' in result['msg']
