# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of zstack.cloud.compliance_stage: one step of the virtualizer_compliance role, on the controller.

The steps live in plugins/plugin_utils/_steps.py (plain Python over the logic in
plugins/plugin_utils/); this plugin reads their inputs and sets their outputs.  The
fleet-sized inputs are named in ``vars`` and read as they are stored (registered results,
earlier steps), not passed through a template: from ansible-core 2.19 on, a template hands
every value of a dict or list through a lazy wrapper, several microseconds a value, about a
second per input and step for 11,000 resources.  Small inputs are templated as usual, in ``args``.
The outputs are set as variables with the precedence of set_fact (``register_host_variables``,
ansible-core 2.21 and later) or as host facts (older cores): the role reads them the same way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import inspect
import os
import re
from collections.abc import Mapping

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible.release import __version__ as ansible_version
from ansible.utils.display import Display

try:  # how gather_facts applies module_defaults to the module it runs: 2.19 and later
    from ansible.executor.module_common import _apply_action_arg_defaults
    get_action_args_with_defaults = None
except ImportError:  # ansible-core 2.18
    from ansible.executor.module_common import get_action_args_with_defaults
    _apply_action_arg_defaults = None

from ansible_collections.zstack.cloud.plugins.plugin_utils import _reads, _steps
from ansible_collections.zstack.cloud.plugins.plugin_utils._common import ComplianceError, gc_paused

display = Display()

STEPS = tuple(_steps.STEPS)

ARGUMENT_SPEC = {
    'step': {'type': 'str', 'required': True, 'choices': list(STEPS)},
    'vars': {'type': 'dict', 'default': {}},
    'args': {'type': 'dict', 'default': {}},
    'fact': {'type': 'str', 'required': True},
    'facts': {'type': 'dict', 'default': {}},
}
FACT_NAME_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')


def parameters(func):
    """The inputs a step takes, in order, and those it requires (its context argument left out)."""
    params = list(inspect.signature(func).parameters.values())[1:]
    return [p.name for p in params], [p.name for p in params if p.default is p.empty]


def resolve(task_vars, path):
    """The stored value at ``path``: ``name.key.key``; ``key[]`` maps the rest of the path over a list and joins the lists.

    A missing key (a skipped task's result has none) gives None; a variable that is not defined is an error.
    """
    parts = path.split('.')
    name = parts[0]
    if not name or name not in task_vars:
        raise AnsibleActionFail('compliance_stage: variable %r (from %r in vars) is not defined' % (name, path))
    value = task_vars[name]
    if isinstance(value, str):
        raise AnsibleActionFail('compliance_stage: variable %r is a string, not stored data (a registered result or a '
                                'fact); pass a value defined by a template in args instead' % name)
    return _walk(value, parts[1:], path)


def _walk(value, parts, path):
    if not parts:
        return value
    part = parts[0]
    if part.endswith('[]'):
        items = _get(value, part[:-2], path)
        joined = []
        for item in items or []:
            found = _walk(item, parts[1:], path)
            if found is None:
                continue
            if not isinstance(found, list):
                raise AnsibleActionFail('compliance_stage: %r does not give lists to join under %r' % (path, part))
            joined.extend(found)
        return joined
    return _walk(_get(value, part, path), parts[1:], path)


def _get(value, key, path):
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise AnsibleActionFail('compliance_stage: %r: %r is looked up in a %s, not a dict' % (path, key, type(value).__name__))
    return value.get(key)


def gather(task_vars, names):
    """``vars`` resolved: a path gives its value; a list of paths joins their lists and dicts into one list (missing ones left out)."""
    values = {}
    for argument, spec in names.items():
        if isinstance(spec, str):
            values[argument] = resolve(task_vars, spec)
        elif isinstance(spec, list) and all(isinstance(p, str) for p in spec):
            joined = []
            for path in spec:
                if path.split('.')[0] not in task_vars:
                    continue  # a task that never ran (a block failed before it) registered nothing
                found = resolve(task_vars, path)
                if found is None:
                    continue
                if isinstance(found, list):
                    joined.extend(found)
                elif isinstance(found, Mapping):
                    joined.append(found)  # a registered result, one item of the list
                else:
                    raise AnsibleActionFail('compliance_stage: %r is a %s; only lists and dicts can be joined'
                                            % (path, type(found).__name__))
            values[argument] = joined
        else:
            raise AnsibleActionFail('compliance_stage: vars.%s must be a variable name or a list of them' % argument)
    return values


class _Context(_steps.Context):
    """The steps' view of the controller: the console, and module runs through this action."""

    def __init__(self, action, task_vars):
        self._action = action
        self._task_vars = task_vars
        self.warnings = []

    def display(self, line):
        display.display(line)

    def warn(self, message):
        self.warnings.append(message)

    def run_module(self, name, args, check_mode=False):
        """Run module ``name`` as the task would, with the module_defaults of the task (the role's connection).

        The module's result comes back as the module returned it: it is not registered, so ansible-core
        neither templates nor stores it.  ``check_mode`` runs this one module in check mode (a pre-flight
        that must change nothing, whatever the task's mode).  A read module whose process would run on
        the controller runs in this process instead (``_reads.run_read``: the same code, without the
        half second a module process costs).
        """
        action = self._action
        task = action._task
        if _apply_action_arg_defaults is not None:  # ansible-core 2.19 and later
            args = _apply_action_arg_defaults(name, task, args, action._templar)
        else:  # ansible-core 2.18
            args = get_action_args_with_defaults(name, args, task.module_defaults, action._templar,
                                                 action_groups=task._parent._play._action_groups)
        if _reads.readable(name) and self.runs_here():
            display.vvv('%s: run in the controller process (the task runs on the controller)' % name)
            return _reads.run_read(name, args, check_mode=check_mode or bool(task.check_mode))
        task_check_mode = task.check_mode
        if check_mode:
            task.check_mode = True  # _execute_module passes the task's mode to the module
        try:
            return action._execute_module(module_name=name, module_args=args, task_vars=self._task_vars)
        finally:
            task.check_mode = task_check_mode

    def runs_here(self):
        """Whether this task's modules would run on the controller, in its environment and as its user."""
        action = self._action
        return _reads.runs_here(getattr(action._connection, 'transport', None), action._task.environment,
                                action._play_context.become)


class ActionModule(ActionBase):
    """Run one role step over stored variables and set its outputs as the variables named by ``fact`` and ``facts``."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(self._task.args)
        if validation.error_messages:
            raise AnsibleActionFail('compliance_stage: %s' % '; '.join(validation.error_messages))
        params = validation.validated_parameters
        step = params['step']
        func = _steps.STEPS[step]
        accepted, required = parameters(func)
        for name in [params['fact']] + list(params['facts'].values()):
            if not isinstance(name, str) or not FACT_NAME_RE.match(name):
                raise AnsibleActionFail('compliance_stage: %r is not a valid variable name' % (name,))
        unknown = sorted((set(params['vars']) | set(params['args'])) - set(accepted))
        if unknown:
            raise AnsibleActionFail('compliance_stage: step %s takes %s, not %s' % (step, ', '.join(accepted), ', '.join(unknown)))
        both = sorted(set(params['vars']) & set(params['args']))
        if both:
            raise AnsibleActionFail('compliance_stage: %s given in both vars and args' % ', '.join(both))
        missing = [name for name in required if name not in params['vars'] and name not in params['args']]
        if missing:
            raise AnsibleActionFail('compliance_stage: step %s needs %s' % (step, ', '.join(missing)))
        arguments = dict(params['args'])
        arguments.update(gather(task_vars, params['vars']))
        if step == 'validate':
            arguments.setdefault('environ', dict(os.environ))
            arguments.setdefault('ansible_core_version', ansible_version)
        context = _Context(self, task_vars)
        result['changed'] = False
        try:
            with gc_paused():
                outputs = func(context, **arguments)
        except (ComplianceError, _steps.StepFailed) as exc:
            result.update(failed=True, msg='%s' % exc)
            outputs = None
        for warning in context.warnings:
            display.warning(warning)
        if outputs is None:
            return result
        result['changed'] = bool(outputs.pop('changed', False))
        unnamed = sorted(set(params['facts']) - set(outputs) - {'output'})
        if unnamed:
            raise AnsibleActionFail('compliance_stage: step %s has no output %s (it has %s)' % (
                step, ', '.join(unnamed), ', '.join(sorted(outputs))))
        facts = {params['fact']: outputs['output']}
        for key, name in params['facts'].items():
            facts[name] = outputs[key]
        if hasattr(self, 'register_host_variables'):
            # ansible-core 2.21 and later: the same precedence as set_fact, and nothing copied into the task result
            self.register_host_variables(facts)
        else:
            # older cores know no other way for an action to set a variable; they store these as host facts,
            # which the role never also sets with set_fact (a set_fact would take precedence over them)
            result['ansible_facts'] = facts
        return result
