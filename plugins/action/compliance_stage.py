# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of zstack.cloud.compliance_stage: one step of the compliance logic, on the controller.

The steps are the functions behind the ``compliance_*`` filters (plugins/module_utils/_compliance.py).
What this adds over a filter in ``set_fact``: the fleet-sized inputs are named in ``vars`` and read
as they are stored (registered results, earlier steps), not passed through a template.  From
ansible-core 2.19 on, a template hands a filter every value of a dict or list through a lazy
wrapper, several microseconds a value: for 11,000 resources that is about a second per input, per
step.  Reading the stored value costs nothing.  Small inputs (options, the user's UUIDs) are
templated as usual, in ``args``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import inspect
import re
from collections.abc import Mapping

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.zstack.cloud.plugins.filter import compliance as filters
from ansible_collections.zstack.cloud.plugins.module_utils import _compliance as logic

#: step -> the filter function it runs; its inputs are that function's arguments, under the same names
FUNCTIONS = {
    'scope': filters.compliance_scope,
    'evaluate': filters.compliance_evaluate,
    'plan': filters.compliance_plan,
    'result': filters.compliance_result,
    'report': filters.compliance_report,
}
STEPS = tuple(FUNCTIONS)

ARGUMENT_SPEC = {
    'step': {'type': 'str', 'required': True, 'choices': list(STEPS)},
    'vars': {'type': 'dict', 'default': {}},
    'args': {'type': 'dict', 'default': {}},
    'fact': {'type': 'str', 'required': True},
}
FACT_NAME_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')


def parameters(func):
    """The names ``func`` takes, in order, and those it requires."""
    params = list(inspect.signature(func).parameters.values())
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
    """``vars`` resolved: a path gives its value, a list of paths the concatenation of their lists (missing ones left out)."""
    values = {}
    for argument, spec in names.items():
        if isinstance(spec, str):
            values[argument] = resolve(task_vars, spec)
        elif isinstance(spec, list) and all(isinstance(p, str) for p in spec):
            joined = []
            for path in spec:
                found = resolve(task_vars, path)
                if found is None:
                    continue
                if not isinstance(found, list):
                    raise AnsibleActionFail('compliance_stage: %r is a %s; only lists can be joined' % (path, type(found).__name__))
                joined.extend(found)
            values[argument] = joined
        else:
            raise AnsibleActionFail('compliance_stage: vars.%s must be a variable name or a list of them' % argument)
    return values


class ActionModule(ActionBase):
    """Run one compliance step over stored variables and set its output as the variable named by ``fact``."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(self._task.args)
        if validation.error_messages:
            raise AnsibleActionFail('compliance_stage: %s' % '; '.join(validation.error_messages))
        params = validation.validated_parameters
        func = FUNCTIONS[params['step']]
        accepted, required = parameters(func)
        if not FACT_NAME_RE.match(params['fact']):
            raise AnsibleActionFail('compliance_stage: fact %r is not a valid variable name' % params['fact'])
        unknown = sorted((set(params['vars']) | set(params['args'])) - set(accepted))
        if unknown:
            raise AnsibleActionFail('compliance_stage: step %s takes %s, not %s'
                                    % (params['step'], ', '.join(accepted), ', '.join(unknown)))
        both = sorted(set(params['vars']) & set(params['args']))
        if both:
            raise AnsibleActionFail('compliance_stage: %s given in both vars and args' % ', '.join(both))
        missing = [name for name in required if name not in params['vars'] and name not in params['args']]
        if missing:
            raise AnsibleActionFail('compliance_stage: step %s needs %s' % (params['step'], ', '.join(missing)))
        arguments = dict(params['args'])
        arguments.update(gather(task_vars or {}, params['vars']))
        try:
            output = func(**arguments)
        except logic.ComplianceError as exc:
            raise AnsibleActionFail('zstack.cloud.compliance_stage (%s): %s' % (params['step'], exc))
        facts = {params['fact']: output}
        result['changed'] = False
        if hasattr(self, 'register_host_variables'):
            # ansible-core 2.21 and later: the same precedence as set_fact, and nothing copied into the task result
            self.register_host_variables(facts)
        else:
            # older cores know no other way for an action to set a variable; they store these as host facts,
            # which the role never also sets with set_fact (a set_fact would take precedence over them)
            result['ansible_facts'] = facts
        return result
