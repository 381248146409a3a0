# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the compliance_stage action: inputs read from stored variables, the output set as a variable."""

from __future__ import annotations

import os
from unittest.mock import MagicMock

import pytest
import yaml

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.zstack.cloud.plugins.action import compliance_stage
from ansible_collections.zstack.cloud.plugins.action.compliance_stage import ActionModule, resolve
from ansible_collections.zstack.cloud.plugins.module_utils import _compliance as logic


FILTER_DIR = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'filter')


def u(n):
    return '%032x' % n


HOSTS = [{'uuid': u(1), 'name': 'kvm-1', 'clusterUuid': u(100), 'zoneUuid': u(200), 'state': 'Enabled', 'status': 'Connected'}]
VMS = [{'uuid': u(11), 'name': 'vm-1', 'hostUuid': u(1), 'state': 'Running'},
       {'uuid': u(12), 'name': 'vm-2', 'hostUuid': u(1), 'state': 'Running'}]
INFO = {
    u(1): {'uuid': u(1), 'resource_type': 'HostVO', 'verdict': 'Unmatched', 'current_version': '1', 'expect_version': '2',
           'reason': 'old qemu-kvm'},
    u(11): {'uuid': u(11), 'resource_type': 'VmInstanceVO', 'verdict': 'Matched', 'current_version': '1',
            'expect_version': '1', 'reason': None},
    u(12): {'uuid': u(12), 'resource_type': 'VmInstanceVO', 'verdict': 'Matched', 'current_version': '1',
            'expect_version': '1', 'reason': None},
}
TASK_VARS = {
    'found_hosts': {'hosts': HOSTS, 'changed': False},
    'named_hosts': {'skipped': True, 'changed': False},
    'found_vms': {'vm_instances': VMS[:1]},
    'host_vms': {'results': [{'vm_instances': VMS[1:]}, {'skipped': True}]},
    'info': {'virtualizer_info': INFO},
    'a_template': '{{ found_hosts }}',
}


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, variables, *args):
        self.calls.append(variables)


def make_action(args, register=True):
    task = MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = False
    action = ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    recorder = Recorder()
    if register:
        action.register_host_variables = recorder
    return action, recorder


def run(args, task_vars=None, register=True):
    action, recorder = make_action(args, register)
    result = action.run(task_vars=dict(TASK_VARS, **(task_vars or {})))
    return result, recorder.calls


def test_scope_joins_registered_results_and_skips_what_was_skipped():
    result, calls = run({'step': 'scope', 'fact': 'scope', 'args': {'uuids': []}, 'vars': {
        'hosts': ['found_hosts.hosts', 'named_hosts.hosts'],
        'vms': ['found_vms.vm_instances', 'host_vms.results[].vm_instances']}})
    assert result == {'changed': False}  # the output is a variable, not part of the task result
    assert calls == [{'scope': logic.build_scope(HOSTS, VMS, [])}]
    assert calls[0]['scope']['uuids'] == [u(1), u(11), u(12)]


def test_each_step_gives_what_its_filter_gives():
    scope = logic.build_scope(HOSTS, VMS, [])
    evaluation = logic.evaluate(INFO, scope, {'unknown': 'warn', 'no_record': 'warn'})
    _result, calls = run({'step': 'evaluate', 'fact': 'before', 'vars': {'virtualizer_info': 'info.virtualizer_info', 'scope': 's'},
                          'args': {'unknown': 'warn', 'no_record': 'warn'}}, {'s': scope})
    assert calls == [{'before': evaluation}]
    _result, calls = run({'step': 'plan', 'fact': 'plan', 'vars': {'evaluation': 'before'}, 'args': {'options': {'batch_size': 1}}},
                         {'before': evaluation})
    assert calls == [{'plan': logic.build_plan(evaluation, {'batch_size': 1})}]
    assert calls[0]['plan']['counts']['host_actions'] == 1
    _result, calls = run({'step': 'result', 'fact': 'r', 'vars': {'before': 'before', 'after': 'after'},
                          'args': {'check_mode': True, 'reports': {'json': '/tmp/x.json'}}}, {'before': evaluation, 'after': None})
    expected = logic.build_result(evaluation, None, None, None, check_mode=True, reports={'json': '/tmp/x.json'})
    assert calls == [{'r': expected}]
    _result, calls = run({'step': 'report', 'fact': 'texts', 'vars': {'result': 'r'}, 'args': {'fmt': ['json', 'html']}},
                         {'r': expected})
    assert calls == [{'texts': logic.render_report(expected, ['json', 'html'])}]


def test_without_register_host_variables_the_output_is_a_host_fact(monkeypatch):
    # ansible-core before 2.20 has no register_host_variables (2.18 runs this test without the monkeypatch)
    monkeypatch.delattr(ActionBase, 'register_host_variables', raising=False)
    result, calls = run({'step': 'scope', 'fact': 'scope', 'vars': {'hosts': 'found_hosts.hosts'}}, register=False)
    assert calls == []
    assert result['ansible_facts'] == {'scope': logic.build_scope(HOSTS, [], None)}


@pytest.mark.parametrize('args,fragment', [
    ({'step': 'scope', 'fact': 's', 'vars': {'hosts': 'nothing.hosts'}}, "variable 'nothing' (from 'nothing.hosts' in vars) is not defined"),
    ({'step': 'scope', 'fact': 's', 'vars': {'hosts': 'a_template'}}, "variable 'a_template' is a string, not stored data"),
    ({'step': 'scope', 'fact': 's', 'vars': {'hosts': ['info.virtualizer_info']}}, "'info.virtualizer_info' is a dict; only lists can be joined"),
    ({'step': 'scope', 'fact': 's', 'vars': {'hosts': 'found_hosts.hosts.name'}}, "'name' is looked up in a list, not a dict"),
    ({'step': 'scope', 'fact': 's', 'vars': {'hosts': 3}}, 'vars.hosts must be a variable name or a list of them'),
    ({'step': 'scope', 'fact': 's', 'vars': {'scope': 'info'}}, 'step scope takes hosts, vms, uuids, vm_states, not scope'),
    ({'step': 'scope', 'fact': 's', 'vars': {'hosts': 'found_hosts.hosts'}, 'args': {'hosts': []}}, 'hosts given in both vars and args'),
    ({'step': 'scope', 'fact': 'not a name'}, "fact 'not a name' is not a valid variable name"),
    ({'step': 'sort', 'fact': 's'}, 'step'),
    ({'step': 'scope'}, 'fact'),
    ({'step': 'evaluate', 'fact': 'e', 'args': {'unknown': 'warn'}}, 'step evaluate needs virtualizer_info'),
    ({'step': 'evaluate', 'fact': 'e', 'vars': {'virtualizer_info': 'found_hosts.hosts'}},
     'zstack.cloud.compliance_stage (evaluate): virtualizer_info must be the dict returned by zstack_virtualizer_info'),
])
def test_bad_arguments_fail_naming_what_is_wrong(args, fragment):
    with pytest.raises(AnsibleActionFail) as info:
        run(args)
    assert fragment in str(info.value)


def test_resolve_joins_lists_under_brackets_and_gives_none_for_missing_keys():
    assert resolve(TASK_VARS, 'host_vms.results[].vm_instances') == VMS[1:]
    assert resolve(TASK_VARS, 'named_hosts.hosts') is None
    assert resolve(TASK_VARS, 'named_hosts.results[].vm_instances') == []
    assert resolve({'x': {'a': None}}, 'x.a.b') is None


@pytest.mark.parametrize('step', compliance_stage.STEPS)
def test_each_step_takes_the_inputs_its_filter_documents(step):
    # the module documentation sends the reader to the filter's: the names must be the same
    with open(os.path.join(FILTER_DIR, 'compliance_%s.yml' % step), encoding='utf-8') as fobj:
        options = yaml.safe_load(fobj)['DOCUMENTATION']['options']
    names, required = compliance_stage.parameters(compliance_stage.FUNCTIONS[step])
    assert set(names[1:]) == set(options) - {'_input'}
    assert required == names[:1]
