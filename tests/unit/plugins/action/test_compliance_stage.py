# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the compliance_stage action: inputs read from stored variables, the output set as a variable."""

from __future__ import annotations

import gc
import os
from unittest.mock import MagicMock

import pytest
import yaml

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.zstack.cloud.plugins.action import compliance_stage
from ansible_collections.zstack.cloud.plugins.action.compliance_stage import ActionModule, resolve
from ansible_collections.zstack.cloud.plugins.plugin_utils import _inputs, _policy, _reports, _scope, _steps


MODULE_DIR = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'modules')


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
    'inputs': None,
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


def role_inputs(tmp_path):
    return _inputs.check_inputs({'api_url': 'http://zstack.example.com:8080', 'uuids': [u(1)], 'report_dir': str(tmp_path),
                                 'report_basename': 'r', 'wait_timeout': 1, 'verify_timeout': 0, 'verify_interval': 1},
                                environ={})


#: what the names lookups of the scope step answer here (the role's integration target runs the real modules)
LOOKUPS = {'zstack.cloud.zstack_cluster_info': {'clusters': [{'uuid': u(100), 'name': 'cluster-a', 'zoneUuid': u(200)}]},
           'zstack.cloud.zstack_zone_info': {'zones': [{'uuid': u(200), 'name': 'zone-a'}]}}
NAMES = {u(1): 'kvm-1', u(11): 'vm-1', u(12): 'vm-2', u(100): 'cluster-a', u(200): 'zone-a'}


@pytest.fixture
def lookups(monkeypatch):
    """The modules the scope step runs through the action, answered from LOOKUPS; the calls, in order."""
    calls = []

    def run_module(_self, name, args):
        calls.append((name, args))
        return LOOKUPS[name]

    monkeypatch.setattr(compliance_stage._Context, 'run_module', run_module)  # pylint: disable=protected-access
    return calls


def test_scope_joins_registered_results_and_skips_what_was_skipped(tmp_path, lookups):
    inputs = role_inputs(tmp_path)
    result, calls = run({'step': 'scope', 'fact': 'scope', 'vars': {
        'inputs': 'inputs',
        'hosts': ['found_hosts.hosts', 'named_hosts.hosts', 'never_ran.hosts'],
        'vms': ['found_vms.vm_instances', 'host_vms.results[].vm_instances']}}, {'inputs': inputs})
    assert result == {'changed': False}  # the output is a variable, not part of the task result
    assert calls == [{'scope': dict(_scope.build_scope(HOSTS, VMS, [u(1)]), names=NAMES)}]
    assert calls[0]['scope']['uuids'] == [u(1), u(11), u(12)]
    assert [name for name, _args in lookups] == ['zstack.cloud.zstack_cluster_info', 'zstack.cloud.zstack_zone_info']


def test_a_list_of_variables_joins_lists_and_registered_results():
    found = compliance_stage.gather({'a': {'l': [1, 2]}, 'b': {'changed': True, 'x': 1}, 'c': {'skipped': True}},
                                    {'joined': ['a.l', 'b', 'c.l', 'missing.l']})
    assert found == {'joined': [1, 2, {'changed': True, 'x': 1}]}
    with pytest.raises(AnsibleActionFail, match="'a.l.0' is a"):
        compliance_stage.gather({'a': {'l': {'0': 3}}}, {'x': ['a.l.0']})


def test_extra_outputs_are_set_as_the_variables_named_in_facts(tmp_path):
    result, calls = run({'step': 'validate', 'fact': 'checked', 'facts': {'actions': 'log', 'vm_plan': 'vp'},
                         'args': {'inputs': {'api_url': 'http://zstack.example.com:8080', 'uuids': [u(1)],
                                             'report_dir': str(tmp_path), 'report_basename': 'r', 'wait_timeout': 1,
                                             'verify_timeout': 0, 'verify_interval': 1}}})
    assert result == {'changed': False}
    assert sorted(calls[0]) == ['checked', 'log', 'vp']
    assert calls[0]['log'] == [] and calls[0]['vp'] is None and calls[0]['checked']['uuids'] == [u(1)]
    with pytest.raises(AnsibleActionFail, match='step validate has no output nothing'):
        run({'step': 'validate', 'fact': 'c', 'facts': {'nothing': 'x'}, 'args': {'inputs': {
            'api_url': 'http://x', 'uuids': [u(1)], 'report_dir': str(tmp_path), 'report_basename': 'r', 'wait_timeout': 1,
            'verify_timeout': 0, 'verify_interval': 1}}})


@pytest.mark.parametrize('enabled_before', [True, False])
@pytest.mark.parametrize('fails', [False, True])
def test_a_step_runs_without_the_cyclic_garbage_collector_which_is_left_as_it_was(monkeypatch, enabled_before, fails):
    seen = []

    def step_validate(_ctx, inputs, environ=None, ansible_core_version=None):  # pylint: disable=unused-argument
        seen.append(gc.isenabled())
        if fails:
            raise _steps.StepFailed('no')
        return {'output': inputs}

    monkeypatch.setitem(_steps.STEPS, 'validate', step_validate)
    was = gc.isenabled()
    (gc.enable if enabled_before else gc.disable)()
    try:
        result, _calls = run({'step': 'validate', 'fact': 'c', 'args': {'inputs': {}}})
        assert seen == [False] and gc.isenabled() is enabled_before
        assert result.get('failed', False) is fails
    finally:
        (gc.enable if was else gc.disable)()


def test_a_failing_step_fails_the_task_with_its_message(tmp_path):
    result, calls = run({'step': 'validate', 'fact': 'c', 'args': {'inputs': {'uuids': 'abc'}}})
    assert result['failed'] is True and 'virtualizer_compliance_uuids must be a list of UUIDs' in result['msg']
    assert 'Traceback' not in result['msg'] and calls == []
    inputs = role_inputs(tmp_path)
    ev = _policy.evaluate(INFO, _scope.build_scope(HOSTS, VMS))
    result, calls = run({'step': 'conclude', 'fact': 'ok', 'vars': {'inputs': 'i', 'result': 'r'}},
                        {'i': inputs, 'r': _reports.build_result(ev)})
    assert result['failed'] is True and result['msg'].startswith('1 of 3 resources fail the compliance policy:') and calls == []


@pytest.mark.usefixtures('lookups')
def test_without_register_host_variables_the_output_is_a_host_fact(monkeypatch, tmp_path):
    # ansible-core before 2.21 has no register_host_variables (2.18 runs this test without the monkeypatch)
    monkeypatch.delattr(ActionBase, 'register_host_variables', raising=False)
    result, calls = run({'step': 'scope', 'fact': 'scope', 'vars': {'inputs': 'i', 'hosts': 'found_hosts.hosts'}},
                        {'i': role_inputs(tmp_path)}, register=False)
    assert calls == []
    assert result['ansible_facts'] == {'scope': dict(_scope.build_scope(HOSTS, [], [u(1)]),
                                                     names={u(1): 'kvm-1', u(100): 'cluster-a', u(200): 'zone-a'})}


@pytest.mark.parametrize('args,fragment', [
    ({'step': 'scope', 'fact': 's', 'vars': {'inputs': 'nothing.hosts'}}, "variable 'nothing' (from 'nothing.hosts' in vars) is not defined"),
    ({'step': 'scope', 'fact': 's', 'vars': {'inputs': 'a_template'}}, "variable 'a_template' is a string, not stored data"),
    ({'step': 'scope', 'fact': 's', 'vars': {'inputs': 'x', 'hosts': ['found_hosts.changed']}}, "only lists and dicts can be joined"),
    ({'step': 'scope', 'fact': 's', 'vars': {'inputs': 'x', 'hosts': 'found_hosts.hosts.name'}}, "'name' is looked up in a list, not a dict"),
    ({'step': 'scope', 'fact': 's', 'vars': {'inputs': 'x', 'hosts': 3}}, 'vars.hosts must be a variable name or a list of them'),
    ({'step': 'scope', 'fact': 's', 'vars': {'inputs': 'x', 'scope': 'info'}}, 'step scope takes inputs, hosts, vms, discovered_hosts, keep, not scope'),
    ({'step': 'scope', 'fact': 's', 'vars': {'inputs': 'x', 'hosts': 'found_hosts.hosts'}, 'args': {'hosts': []}}, 'hosts given in both vars and args'),
    ({'step': 'scope', 'fact': 'not a name', 'vars': {'inputs': 'x'}}, "'not a name' is not a valid variable name"),
    ({'step': 'scope', 'fact': 's', 'facts': {'x': 'a b'}, 'vars': {'inputs': 'x'}}, "'a b' is not a valid variable name"),
    ({'step': 'sort', 'fact': 's'}, 'step'),
    ({'step': 'scope'}, 'fact'),
    ({'step': 'evaluate', 'fact': 'e', 'vars': {'inputs': 'x'}}, 'step evaluate needs virtualizer_info, scope'),
])
def test_bad_arguments_fail_naming_what_is_wrong(args, fragment):
    with pytest.raises(AnsibleActionFail) as info:
        run(args, {'x': {}})
    assert fragment in str(info.value)


def test_resolve_joins_lists_under_brackets_and_gives_none_for_missing_keys():
    assert resolve(TASK_VARS, 'host_vms.results[].vm_instances') == VMS[1:]
    assert resolve(TASK_VARS, 'named_hosts.hosts') is None
    assert resolve(TASK_VARS, 'named_hosts.results[].vm_instances') == []
    assert resolve({'x': {'a': None}}, 'x.a.b') is None


def test_the_module_documents_the_steps_and_options_of_the_action():
    with open(os.path.join(MODULE_DIR, 'compliance_stage.py'), encoding='utf-8') as fobj:
        source = fobj.read()
    doc = yaml.safe_load(source.split("DOCUMENTATION = r\'\'\'")[1].split("\'\'\'")[0])
    assert sorted(doc['options']) == sorted(compliance_stage.ARGUMENT_SPEC)
    assert doc['options']['step']['choices'] == list(_steps.STEPS)


class _Task:
    def __init__(self):
        self.check_mode = False
        self.module_defaults = []
        self.environment = None
        self._parent = MagicMock()  # ansible-core 2.18 reads the play's action groups through it


class _Action:
    """What _Context.run_module uses of the action: the task, a templar, _execute_module (recording the task's mode).

    Its connection is not local unless given, so every module runs through _execute_module.
    """

    def __init__(self, fail=False, transport='ssh'):
        self._task = _Task()
        self._connection = MagicMock(transport=transport)
        self._play_context = MagicMock(become=False)
        self._templar = None
        self.runs = []
        self.fail = fail

    def _execute_module(self, module_name, module_args, task_vars):
        self.runs.append((module_name, module_args, self._task.check_mode, task_vars))
        if self.fail:
            raise RuntimeError('the connection broke')
        return {'changed': False, 'hosts': []}


@pytest.fixture
def no_defaults(monkeypatch):
    """module_defaults applied as none (the real functions need a whole play)."""
    if compliance_stage._apply_action_arg_defaults is not None:
        monkeypatch.setattr(compliance_stage, '_apply_action_arg_defaults', lambda name, task, args, templar: dict(args, applied=name))
    else:
        monkeypatch.setattr(compliance_stage, 'get_action_args_with_defaults',
                            lambda name, args, defaults, templar, action_groups=None: dict(args, applied=name))


def test_a_step_runs_a_module_with_the_task_defaults_and_gets_its_result_as_returned(no_defaults):
    action = _Action()
    ctx = compliance_stage._Context(action, {'x': 1})
    assert ctx.run_module('zstack.cloud.zstack_host_info', {'uuids': [u(1)]}) == {'changed': False, 'hosts': []}
    assert action.runs == [('zstack.cloud.zstack_host_info', {'uuids': [u(1)], 'applied': 'zstack.cloud.zstack_host_info'},
                            False, {'x': 1})]


def test_on_the_controller_a_read_runs_in_this_process_and_a_change_still_as_a_module(no_defaults, monkeypatch):
    reads = []

    def run_read(name, args, check_mode=False):
        reads.append((name, args, check_mode))
        return {'changed': False, 'here': True}

    monkeypatch.setattr(compliance_stage._reads, 'run_read', run_read)  # pylint: disable=protected-access
    action = _Action(transport='local')
    ctx = compliance_stage._Context(action, {})
    assert ctx.run_module('zstack.cloud.zstack_zone_info', {'fields': ['uuid']}) == {'changed': False, 'here': True}
    assert reads == [('zstack.cloud.zstack_zone_info', {'fields': ['uuid'], 'applied': 'zstack.cloud.zstack_zone_info'}, False)]
    assert action.runs == []
    ctx.run_module('zstack.cloud.zstack_vm_migration', {'uuid': u(11)}, check_mode=True)  # it changes things: a module run
    assert [run[0] for run in action.runs] == ['zstack.cloud.zstack_vm_migration'] and len(reads) == 1
    action._task.check_mode = True  # a check-mode run: the read is told so
    ctx.run_module('zstack.cloud.zstack_host_info', {})
    assert reads[-1][0] == 'zstack.cloud.zstack_host_info' and reads[-1][2] is True
    action._task.environment = [{}, {'HTTPS_PROXY': 'http://proxy:3128'}]  # a module process would see it: a module run
    ctx.run_module('zstack.cloud.zstack_host_info', {})
    assert action.runs[-1][0] == 'zstack.cloud.zstack_host_info' and len(reads) == 2


def test_a_pre_flight_module_runs_in_check_mode_and_the_task_keeps_its_mode(no_defaults):
    action = _Action()
    ctx = compliance_stage._Context(action, {})
    ctx.run_module('zstack.cloud.zstack_vm_migration', {'uuid': u(11)}, check_mode=True)
    ctx.run_module('zstack.cloud.zstack_host_info', {})
    assert [run[2] for run in action.runs] == [True, False]
    assert action._task.check_mode is False
    # restored when the run fails too
    action = _Action(fail=True)
    with pytest.raises(RuntimeError):
        compliance_stage._Context(action, {}).run_module('zstack.cloud.zstack_vm_migration', {}, check_mode=True)
    assert action.runs[0][2] is True and action._task.check_mode is False
    # in a check-mode run, every module runs in check mode
    action = _Action()
    action._task.check_mode = True
    compliance_stage._Context(action, {}).run_module('zstack.cloud.zstack_host_info', {})
    assert action.runs[0][2] is True and action._task.check_mode is True
