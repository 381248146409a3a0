# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the virtualizer_compliance role: scope, policy, plan, result and reports.

The logic lives in plugins/plugin_utils/ (plain Python, unit-tested), the same functions the
role's steps (the zstack.cloud.compliance_stage action) run; these filters only adapt
arguments and turn its errors into AnsibleFilterError, for users' own playbooks.
Each filter is documented in the .yml file of the same name next to this one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.zstack.cloud.plugins.plugin_utils import _gate, _plan, _policy, _reports, _scope
from ansible_collections.zstack.cloud.plugins.plugin_utils._common import ComplianceError


def _wrap(name, func):
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ComplianceError as exc:
            raise AnsibleFilterError('zstack.cloud.%s: %s' % (name, exc))
    run.__name__ = name
    run.__doc__ = func.__doc__
    return run


def compliance_scope(hosts, vms=None, uuids=None, vm_states=None):
    return _scope.build_scope(hosts, vms, uuids, vm_states=('Running',) if vm_states is None else tuple(vm_states))


def compliance_evaluate(virtualizer_info, scope=None, unknown='fail', no_record='warn'):
    return _policy.evaluate(virtualizer_info, scope, {'unknown': unknown, 'no_record': no_record})


def compliance_plan(evaluation, options=None, phase='all', actions_taken=0):
    return _plan.build_plan(evaluation, options, phase=phase, actions_taken=actions_taken)


def compliance_may_act(actions, options=None):
    return _gate.may_act(actions, options)


def compliance_pending(virtualizer_info, uuids):
    return _gate.pending(virtualizer_info, uuids)


def compliance_result(before, after=None, plan=None, actions=None, check_mode=False, remediate=False,
                      started_at=None, finished_at=None, reports=None):
    return _reports.build_result(before, after, plan, actions, check_mode=check_mode, remediate=remediate,
                                 started_at=started_at, finished_at=finished_at, reports=reports)


def compliance_report(result, fmt='json'):
    return _reports.render_report(result, fmt)


def compliance_table(evaluation, max_lines=200):
    return _reports.table_lines(evaluation, max_lines=max_lines)


def compliance_failure_message(result, limit=0, warn=False):
    message = _reports.failure_message(result, limit=limit)
    if warn:
        Display().warning(message)
    return message


class FilterModule:
    """zstack.cloud compliance filters."""

    def filters(self):
        funcs = (compliance_scope, compliance_evaluate, compliance_plan, compliance_may_act, compliance_pending,
                 compliance_result, compliance_report, compliance_table, compliance_failure_message)
        return dict((f.__name__, _wrap(f.__name__, f)) for f in funcs)
