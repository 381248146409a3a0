# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the compliance filter plugin: names, argument passing, errors, and that each is documented."""

from __future__ import annotations

import inspect
import os

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.zstack.cloud.plugins.filter import compliance
from ansible_collections.zstack.cloud.plugins.filter.compliance import FilterModule

FILTERS = FilterModule().filters()
FILTER_DIR = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'filter')


def test_filter_names():
    assert sorted(FILTERS) == sorted([
        'compliance_scope', 'compliance_evaluate', 'compliance_plan', 'compliance_may_act', 'compliance_pending',
        'compliance_result', 'compliance_report', 'compliance_table', 'compliance_failure_message'])


@pytest.mark.parametrize('name', sorted(FILTERS))
def test_every_filter_has_a_doc_file(name):
    with open(os.path.join(FILTER_DIR, name + '.yml'), encoding='utf-8') as fobj:
        doc = yaml.safe_load(fobj)
    assert doc['DOCUMENTATION']['name'] == name
    assert '_input' in doc['DOCUMENTATION']['options']
    assert 'EXAMPLES' in doc and '_value' in doc['RETURN']


def test_pipeline_through_filters():
    hosts = [{'uuid': 'a' * 32, 'name': 'h', 'clusterUuid': 'c' * 32, 'state': 'Enabled', 'status': 'Connected'}]
    info = {'a' * 32: {'uuid': 'a' * 32, 'resource_type': 'HostVO', 'verdict': 'Unmatched', 'current_version': '1',
                       'expect_version': '2', 'reason': 'old'}}
    scope = FILTERS['compliance_scope'](hosts, [], [])
    ev = FILTERS['compliance_evaluate'](info, scope, unknown='warn')
    plan = FILTERS['compliance_plan'](ev, {'batch_size': 2})
    assert plan['counts']['host_actions'] == 1
    res = FILTERS['compliance_result'](ev, None, plan, [], check_mode=True)
    assert 'a' * 32 in FILTERS['compliance_failure_message'](res)
    assert FILTERS['compliance_report'](res, 'junit').startswith('<?xml')
    assert FILTERS['compliance_pending'](info, ['a' * 32]) == ['a' * 32]
    assert FILTERS['compliance_may_act']([], {})['allowed']
    assert len(FILTERS['compliance_table'](res)) == 3


def test_evaluate_reads_the_registered_result_of_any_output():
    """The module's default output (grouped) holds no virtualizer_info: its groups give the same evaluation."""
    a, b, c = 'a' * 32, 'b' * 32, 'c' * 32
    hosts = [{'uuid': a, 'name': 'h', 'clusterUuid': c, 'state': 'Enabled', 'status': 'Connected'}]
    vms = [{'uuid': b, 'name': 'v', 'hostUuid': a, 'clusterUuid': c, 'state': 'Running'}]
    shared = {'resource_type': 'HostVO', 'verdict': 'Unmatched', 'current_version': '1', 'expect_version': '2', 'reason': 'old'}
    vm_verdict = {'uuid': b, 'resource_type': 'VmInstanceVO', 'verdict': 'Matched', 'current_version': '2', 'expect_version': '2',
                  'reason': None}
    facts = {a: dict(shared, uuid=a), b: vm_verdict}
    grouped = {'changed': False, 'summary': {}, 'not_found': [], 'groups': [
        dict(facts[b], count=1, uuids=[b]), dict(shared, count=1, uuids=[a])]}
    for group in grouped['groups']:
        group.pop('uuid', None)
    scope = FILTERS['compliance_scope'](hosts, vms, [])
    by_facts = FILTERS['compliance_evaluate'](facts, scope)
    by_groups = FILTERS['compliance_evaluate'](grouped, scope)
    assert by_groups == by_facts and list(by_groups['resources']) == scope['uuids']  # in the scope's order
    assert by_groups['resources'][a]['outcome'] == 'fail'
    with pytest.raises(AnsibleFilterError, match=r'groups\[0\] of the zstack_virtualizer_info result is not a group of UUIDs'):
        FILTERS['compliance_evaluate']({'groups': [{'verdict': 'Matched'}]}, scope)


def test_errors_become_filter_errors():
    with pytest.raises(AnsibleFilterError, match='zstack.cloud.compliance_evaluate: policy unknown'):
        FILTERS['compliance_evaluate']({}, None, unknown='sometimes')
    with pytest.raises(AnsibleFilterError, match='compliance_report'):
        FILTERS['compliance_report']({}, 'pdf')


@pytest.mark.parametrize('name', sorted(FILTERS))
def test_each_filter_documents_the_arguments_it_takes(name):
    # the filters wrap plugin_utils functions: the documented options must be the function's arguments
    with open(os.path.join(FILTER_DIR, name + '.yml'), encoding='utf-8') as fobj:
        options = yaml.safe_load(fobj)['DOCUMENTATION']['options']
    params = list(inspect.signature(getattr(compliance, name)).parameters)
    assert set(params[1:]) == set(options) - {'_input'}


def test_pending_filter_checks_verdicts_only():
    info = {'a' * 32: {'verdict': 'Matched', 'expect_version': '1'}}
    assert FILTERS['compliance_pending'](info, ['a' * 32, 'b' * 32]) == ['b' * 32]
