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


def test_the_default_output_is_full(run, every_uuid):
    result = run(zstack_virtualizer_info, uuids=every_uuid)
    assert result['changed'] is False
    assert list(result['virtualizer_info']) == every_uuid == list(result['verdicts'])
    assert result['inventories'] and all('info_list' in e for e in result['virtualizer_info'].values())
    assert result['verdicts'][MISSING] == 'NotFound'


def test_each_output_answers_every_uuid_and_shrinks_the_result(run, every_uuid):
    results = dict((o, run(zstack_virtualizer_info, uuids=every_uuid, output=o)) for o in ('full', 'facts', 'verdicts'))
    for output, result in results.items():
        assert result['verdicts'] == results['full']['verdicts'], output
        assert result['summary'] == results['full']['summary'], output
        assert result['not_found'] == [MISSING], output
    facts, verdicts = results['facts'], results['verdicts']
    assert 'inventories' not in facts and 'inventories' not in verdicts
    assert list(facts['virtualizer_info']) == every_uuid
    assert not any('info_list' in e for e in facts['virtualizer_info'].values())
    not_matched = [u for u in every_uuid if results['full']['verdicts'][u] != 'Matched']
    assert 0 < len(not_matched) < len(every_uuid)
    assert list(verdicts['virtualizer_info']) == not_matched
    assert all(verdicts['virtualizer_info'][u] == results['full']['virtualizer_info'][u] for u in not_matched)
    sizes = [len(json.dumps(results[o])) for o in ('full', 'facts', 'verdicts')]
    assert sizes == sorted(sizes, reverse=True) and sizes[2] < sizes[0] / 2


def test_an_unknown_output_is_refused_by_its_choices(run):
    result = run(zstack_virtualizer_info, uuids=[MISSING], output='all')
    assert result['failed'] is True
    assert 'output' in result['msg'] and 'full, facts, verdicts' in result['msg']
