# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate before every remediation action and the record after it.

Private to this collection: not a public API, may change without notice.

:func:`may_act` applies the action cap and the failure budget; :func:`open_gate`
starts an action (or records it as skipped when the gate is closed);
:func:`record` appends what happened, with the ZStack jobs and the time it took;
:func:`pending` tells which remediated resources are not verified yet.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.zstack.cloud.plugins.plugin_utils._common import MATCHED, as_list, option, plural
from ansible_collections.zstack.cloud.plugins.plugin_utils._plan import check_options

RECORD_STATUSES = ('ok', 'failed', 'skipped')


def may_act(actions, options=None):
    """``{allowed, reason, taken, failed}``: whether one more action is allowed by the cap and the failure budget.

    ``actions`` are the records of actions run so far (``status`` ok / failed / skipped).
    """
    opts = check_options(options)
    actions = as_list(actions, 'actions')
    taken = len([a for a in actions if a.get('status') in ('ok', 'failed')])
    failed = len([a for a in actions if a.get('status') == 'failed'])
    if failed > opts['failure_budget']:
        return {'allowed': False, 'taken': taken, 'failed': failed,
                'reason': '%s failed, more than the failure budget of %d (%s)'
                          % (plural(failed, 'action'), opts['failure_budget'], option('failure_budget'))}
    if opts['max_actions'] and taken >= opts['max_actions']:
        return {'allowed': False, 'taken': taken, 'failed': failed,
                'reason': 'the cap of %d actions per run (%s) is reached' % (opts['max_actions'], option('max_actions'))}
    return {'allowed': True, 'taken': taken, 'failed': failed, 'reason': None}


def pending(virtualizer_info, uuids, required=None):
    """The UUIDs among ``uuids`` not verified yet: not Matched, or Matched against another version than required.

    ``required`` maps a UUID to the ``expect_version`` it must read back (a refreshed VM must match
    the qemu-kvm it was moved for, not whatever its new host runs).
    """
    info = virtualizer_info or {}
    required = required or {}
    waiting = []
    for uuid in as_list(uuids, 'uuids'):
        entry = info.get(uuid) or {}
        if entry.get('verdict') != MATCHED or (required.get(uuid) and entry.get('expect_version') != required[uuid]):
            waiting.append(uuid)
    return waiting


# ------------------------------------------------------------------ result


def open_gate(actions, action, options, now):
    """``(gate, actions)``: whether ``action`` may run now; when not, ``actions`` with it recorded as skipped.

    ``gate`` is ``{allowed, reason, taken, failed, started}`` (``started``: ``now``, the clock of the record).
    """
    gate = may_act(actions, options)
    gate['started'] = now
    actions = as_list(actions, 'actions')
    if not gate['allowed']:
        actions = actions + [dict(action, status='skipped', message=gate['reason'], steps=[], job_uuids=[], seconds=0)]
    return gate, actions


def belongs(result, uuid):
    """Whether a registered module result is of a task run for resource ``uuid`` (a loop leaves older ones behind).

    The modules name their resource in their result: ``host`` (zstack_host), ``vm_instance``
    (zstack_vm_instance, zstack_vm_migration), ``request.updateClusterOS.hostUuid`` (zstack_cluster_os_update).
    """
    if not isinstance(result, Mapping) or result.get('skipped'):
        return False
    if uuid is None:
        return True
    of = [(result.get(key) or {}).get('uuid') for key in ('host', 'vm_instance') if isinstance(result.get(key), Mapping)]
    request = result.get('request') if isinstance(result.get('request'), Mapping) else {}
    of.append((request.get('updateClusterOS') or {}).get('hostUuid'))
    return uuid in of


def steps_of(results, uuid=None):
    """The ZStack steps that registered module results of resource ``uuid`` report: ``actions`` entries, a long job."""
    steps = []
    for result in results or []:
        if not belongs(result, uuid):
            continue
        if isinstance(result.get('actions'), list):
            steps.extend(dict(step) for step in result['actions'] if isinstance(step, Mapping))
        if isinstance(result.get('long_job'), Mapping) or 'long_job' in result:
            long_job = result.get('long_job') or {}
            steps.append({'action': 'updateClusterOS', 'job_uuid': result.get('job_uuid'),
                          'long_job_uuid': long_job.get('uuid'), 'long_job_state': long_job.get('state')})
    return steps


def record(actions, action, status, message, started, now, results=None, steps=None, then=None, failure=None, names=None,
           restore=None):
    """``actions`` with one more record: ``action`` plus status, message, steps, job UUIDs and seconds.

    ``results`` are the registered results of the action's module tasks (their steps are read from
    them), ``steps`` more steps (a user's tasks file or playbook), ``then`` the results of the tasks
    after those steps, ``failure`` the failed task and
    result (``{task, result}``) of a rescue, ``restore`` the host state a rescue put back and the
    result of doing so (``{state, result}``).  ``names`` maps host UUIDs to names for the message.
    """
    if status not in RECORD_STATUSES:
        raise ValueError('status must be one of %s, got %r' % (', '.join(RECORD_STATUSES), status))
    names = names or {}
    results = [r for r in results or [] if belongs(r, action.get('uuid'))]
    then = [r for r in then or [] if belongs(r, action.get('uuid'))]
    all_steps = steps_of(results) + [dict(step) for step in steps or []] + steps_of(then)
    results += then
    text = message or status
    for result in results:
        if result.get('source_host_uuid') and result.get('destination_host_uuid'):
            text += ' from %s to %s' % (_host_label(result['source_host_uuid'], names),
                                        _host_label(result['destination_host_uuid'], names))
    if failure:
        failed = failure.get('result') if isinstance(failure.get('result'), Mapping) else {}
        error = failed.get('error') if isinstance(failed.get('error'), Mapping) else {}
        all_steps.append({'action': 'failed', 'task': failure.get('task'), 'job_uuid': error.get('job_uuid')})
        text = failed.get('msg') or 'failed'
        if message:
            text = '%s; %s' % (text, message)
    if restore:
        restored = restore.get('result') if isinstance(restore.get('result'), Mapping) else {}
        if restored.get('failed'):
            text += '; could not restore state %s: %s' % (restore.get('state'), restored.get('msg') or 'failed')
        else:
            text += '; previous state %s restored' % restore.get('state')
        all_steps.extend(steps_of([restored]))
    seconds = round(max(0.0, float(now) - float(started)), 1) if started is not None else 0
    entry = dict(action, status=status, message=text, steps=all_steps,
                 job_uuids=[s['job_uuid'] for s in all_steps if s.get('job_uuid')], seconds=seconds)
    return as_list(actions, 'actions') + [entry]


def _host_label(uuid, names):
    name = names.get(uuid)
    return '%s (%s)' % (name, uuid) if name else uuid
