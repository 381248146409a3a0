# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A small fleet for the unit tests of plugins/plugin_utils, and a recording step context.

Inventories are camelCase as the info modules return them, verdicts as zstack_virtualizer_info
returns them (keyed by UUID).
"""

from __future__ import annotations

from ansible_collections.zstack.cloud.plugins.plugin_utils import _inputs, _plan, _policy, _reports, _scope, _steps

NEW = '4.2.0-632.g6a6222b.el7'
OLD = '4.2.0-627.g36ee592.el7'
NEWER = '4.2.0-640.gabcdef0.el7'


def u(n):
    return '%032x' % n


def host(n, name=None, cluster=1, zone=1, state='Enabled', status='Connected'):
    return {'uuid': u(n), 'name': name or 'host-%d' % n, 'clusterUuid': u(1000 + cluster), 'zoneUuid': u(2000 + zone),
            'managementIp': '10.0.0.%d' % n, 'state': state, 'status': status}


def vm(n, host_n, name=None, state='Running', cluster=1, zone=1):
    return {'uuid': u(n), 'name': name or 'vm-%d' % n, 'hostUuid': u(host_n) if state == 'Running' else None,
            'clusterUuid': u(1000 + cluster), 'zoneUuid': u(2000 + zone), 'state': state}


def verdict(n, kind, state, current=NEW, expect=NEW, reason=None):
    return {'uuid': u(n), 'resource_type': {'host': 'HostVO', 'vm': 'VmInstanceVO', None: None}[kind],
            'current_version': current, 'expect_version': expect,
            'match_state': state if state in ('Matched', 'Unmatched', 'Unknown') else None,
            'verdict': state, 'reason': reason if reason is not None else (None if state == 'Matched' else '%s reason' % state)}


def fleet():
    """h1 Unmatched (2 VMs Matched on it), h2 Matched (1 Unmatched VM), h3 Unknown, h4 NoRecord."""
    hosts = [host(1, 'kvm-1'), host(2, 'kvm-2'), host(3, 'kvm-3', cluster=2), host(4, 'kvm-4', cluster=2, status='Disconnected')]
    vms = [vm(11, 1, 'vm-1'), vm(12, 1, 'vm-2'), vm(21, 2, 'vm-10'), vm(22, 2, 'vm-9'), vm(31, 3), vm(99, 1, 'stopped', state='Stopped')]
    info = {
        u(1): verdict(1, 'host', 'Unmatched', OLD, NEW), u(2): verdict(2, 'host', 'Matched'),
        u(3): verdict(3, 'host', 'Unknown', NEW, None), u(4): verdict(4, 'host', 'NoRecord', None, None),
        u(11): verdict(11, 'vm', 'Matched', OLD, OLD), u(12): verdict(12, 'vm', 'Matched', OLD, OLD),
        u(21): verdict(21, 'vm', 'Unmatched', OLD, NEW), u(22): verdict(22, 'vm', 'Matched'),
        u(31): verdict(31, 'vm', 'Matched'),
    }
    return hosts, vms, info


def evaluated(policy=None, **scope_kw):
    hosts, vms, info = fleet()
    scope = _scope.build_scope(hosts, vms, **scope_kw)
    return _policy.evaluate(info, scope, policy)


HOSTILE = '<script>alert("x")</script> & \'q\' \x01'


def result(hostile=False):
    """A remediation result: h1 upgraded (ok, now Matched), the first VM action failed."""
    hosts, vms, info = fleet()
    if hostile:
        hosts[0]['name'] = HOSTILE
        info[u(1)]['reason'] = HOSTILE
    before = _policy.evaluate(info, _scope.build_scope(hosts, vms))
    plan = _plan.build_plan(before)
    after_info = dict(info)
    after_info[u(1)] = verdict(1, 'host', 'Matched')
    after = _policy.evaluate(after_info, _scope.build_scope(hosts, vms))
    actions = [dict(plan['host_batches'][0][0], status='ok', job_uuids=[u(5000)], seconds=1.5, message='done'),
               dict(plan['vm_actions'][0], status='failed', job_uuids=[], seconds=0.2, message=HOSTILE if hostile else 'boom')]
    return _reports.build_result(before, after, plan, actions, check_mode=False, remediate=True, started_at='t0',
                                 finished_at='t1', reports={'json': '/r/x.json'})


def role_inputs(directory, **changes):
    """The role's variables (without their prefix) at their defaults, with one UUID named, as validate gets them."""
    inputs = {
        'api_url': 'http://zstack.example.com:8080', 'uuids': [u(1)], 'discover': None, 'zone_uuids': [], 'cluster_uuids': [],
        'include_host_vms': True, 'allow_empty_scope': False, 'unknown_policy': 'fail', 'no_record_policy': 'warn',
        'error_policy': 'fail', 'on_batch_error': 'fail',
        'on_noncompliance': 'fail', 'remediate': False, 'host_method': 'update_cluster_os', 'host_tasks_file': None,
        'host_playbook': None, 'host_maintenance': False, 'allow_vm_stop_on_maintenance': False, 'vm_method': 'migrate',
        'allow_vm_downtime': False, 'vm_reboot_fallback': False, 'batch_size': 1, 'failure_budget': 0, 'max_actions': 20,
        'wait_timeout': 3600, 'verify_timeout': 600, 'verify_interval': 10, 'report_dir': str(directory),
        'report_formats': ['json', 'junit', 'html'], 'report_basename': 'virtualizer-compliance',
    }
    inputs.update(changes)
    return inputs


def checked(directory, **changes):
    """The validate step's output for :func:`role_inputs` (what every later step gets as ``inputs``)."""
    return _inputs.check_inputs(role_inputs(directory, **changes), environ={})


class Recorder(_steps.Context):
    """A step context that records what a step shows, on a clock of its own that only sleep() moves.

    ``results`` are the module results run_module returns, in order (the last one again when they run out).
    A module run in check mode is recorded as ``(name, args, 'check_mode')``.
    """

    def __init__(self, start=1000000.0, results=None):
        self.clock = float(start)
        self.lines = []
        self.warnings = []
        self.calls = []
        self.slept = []
        self.results = list(results or [])

    def now(self):
        return self.clock

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.clock += seconds

    def display(self, line):
        self.lines.append(line)

    def warn(self, message):
        self.warnings.append(message)

    def run_module(self, name, args, check_mode=False):
        self.calls.append((name, args, 'check_mode') if check_mode else (name, args))
        result = self.results.pop(0) if len(self.results) > 1 else self.results[0]
        return result(self) if callable(result) else result


#: what the info modules return for a UUID lookup, by module: (result key, the inventories they know)
ZONES = [{'uuid': u(2001), 'name': 'zone-1'}, {'uuid': u(2002), 'name': 'zone-2'}, {'uuid': u(2003), 'name': 'zone-3'}]
CLUSTERS = [{'uuid': u(1001), 'name': 'cluster-1', 'zoneUuid': u(2001)}, {'uuid': u(1002), 'name': 'cluster-2', 'zoneUuid': u(2001)},
            {'uuid': u(1003), 'name': 'cluster-3', 'zoneUuid': u(2003)}]
LOOKUPS = {
    'zstack.cloud.zstack_zone_info': ('zones', ZONES),
    'zstack.cloud.zstack_cluster_info': ('clusters', CLUSTERS),
    'zstack.cloud.zstack_host_info': ('hosts', [host(n, 'kvm-%d' % n) for n in range(1, 10)]),
}


def lookup(ctx):
    """A Recorder result: the answer of the info module just called, for its ``uuids`` and ``fields``."""
    name, args = ctx.calls[-1]
    key, known = LOOKUPS[name]
    wanted = set(args['uuids'])
    return {'changed': False, key: [dict((f, inv[f]) for f in args['fields'] if f in inv) for inv in known if inv['uuid'] in wanted]}


def answering(table):
    """A Recorder result that answers each module run by its name: ``table[name]`` is a result, or a function of the args."""
    def answer(ctx):
        name, args = ctx.calls[-1][:2]
        found = table[name]
        return found(args) if callable(found) else found
    return answer
