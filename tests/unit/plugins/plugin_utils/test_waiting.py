# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The waiting action: the poll interval (task, controller environment, default), the async limit, the poll loop."""

from __future__ import annotations

import json

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.zstack.cloud.plugins.plugin_utils import _waiting
from ansible_collections.zstack.cloud.plugins.plugin_utils._waiting import ASYNC_MARGIN, WaitingAction, async_limit, poll_interval

HOST = 'a948c4699d993322c62f116627d20232'
JOB = '0a1b2c3d4e5f40718293a4b5c6d7e8f9'


def test_poll_interval_from_the_task_then_the_environment_then_the_default():
    assert poll_interval({'poll_interval': 0.5}, {'ZSTACK_POLL_INTERVAL': '3'}) == 0.5
    assert poll_interval({}, {'ZSTACK_POLL_INTERVAL': '3'}) == 3.0
    assert poll_interval({}, {}) == 5.0


@pytest.mark.parametrize('args, environ', [({'poll_interval': 60}, {}), ({}, {'ZSTACK_POLL_INTERVAL': 'often'})])
def test_bad_poll_interval_fails_the_task_naming_option_and_variable(args, environ):
    with pytest.raises(AnsibleActionFail) as err:
        poll_interval(args, environ)
    assert 'poll_interval' in str(err.value) and 'ZSTACK_POLL_INTERVAL' in str(err.value)


def test_async_limit_outlasts_every_wait_of_the_module():
    assert async_limit({'wait_timeout': 100}, 2, 3600) == 200 + ASYNC_MARGIN
    assert async_limit({}, 1, 7200) == 7200 + ASYNC_MARGIN
    assert async_limit({'wait_timeout': '300'}, 1, 3600) == 300 + ASYNC_MARGIN  # a templated value on older cores


@pytest.mark.parametrize('timeout', [0, -5, True, 'soon', None])
def test_async_limit_of_a_bad_wait_timeout_is_none_the_module_reports_it(timeout):
    assert async_limit({'wait_timeout': timeout}, 1, 3600) is None


# ------------------------------------------------------------------ the poll loop
class Clock:
    def __init__(self):
        self.now = 0.0

    def sleep(self, seconds):
        self.now += seconds

    def monotonic(self):
        return self.now


class Polled(WaitingAction):
    """The loop of WaitingAction over scripted async_status answers and progress records (no connection)."""

    def __init__(self, clock, records, finish_after):  # pylint: disable=super-init-not-called
        self.clock = clock
        self.records = records  # seconds -> the record the module has written by then
        self.finish_after = finish_after
        self.calls = []

    def _execute_module(self, module_name=None, module_args=None, task_vars=None, wrap_async=False):
        self.calls.append((module_name, module_args))
        if self.clock.now >= self.finish_after:
            return {'finished': True, 'ansible_job_id': 'j1', 'changed': True, 'host': {'uuid': HOST}}
        return {'started': True, 'finished': False, 'ansible_job_id': 'j1'}

    def _low_level_execute_command(self, cmd, sudoable=True, in_data=None, executable=None, encoding_errors='surrogate_then_replace', chdir=None):
        assert cmd == "cat /async/zstack-progress-x.json 2>/dev/null"
        written = [t for t in self.records if t <= self.clock.now]
        if not written:
            return {'rc': 1, 'stdout': '', 'stderr': ''}
        return {'rc': 0, 'stdout': json.dumps(self.records[max(written)]), 'stderr': ''}


def _record(state, deadline_after=3600.0):
    return {'subject': 'changeHostState (maintain) of host kvm-1 (%s)' % HOST, 'state': state, 'job_uuid': JOB,
            'elapsed': 0.0, 'deadline_after': deadline_after}


def test_follow_prints_on_each_new_state_and_every_15_seconds_then_returns_the_module_result(monkeypatch):
    clock = Clock()
    lines = []
    monkeypatch.setattr(_waiting.time, 'sleep', clock.sleep)
    monkeypatch.setattr(_waiting.time, 'monotonic', clock.monotonic)
    monkeypatch.setattr(_waiting.display, 'display', lines.append)
    action = Polled(clock, {3: _record('submitting'), 6: _record('job %s running' % JOB)}, finish_after=40)
    result = action._follow('j1', '/async', '/async/zstack-progress-x.json', 2, {'inventory_hostname': 'node1'})
    assert result['host'] == {'uuid': HOST} and result['finished'] is True
    assert action.calls[0] == ('ansible.legacy.async_status', {'jid': 'j1', '_async_dir': '/async'})
    assert len(action.calls) == 20  # every 2 s up to 40 s
    # nothing before the module wrote (2 s), then at 4 s, at the new state (6 s), then before 15 s pass (the next
    # look, 2 s away, would be too late at 22 s)
    line = 'node1: waiting for changeHostState (maintain) of host kvm-1 (%s): job %s running; %%ds elapsed, deadline in %%ds' % (HOST, JOB)
    assert lines == [
        'node1: waiting for changeHostState (maintain) of host kvm-1 (%s): submitting; 4s elapsed, deadline in 3596s' % HOST,
        line % (6, 3594), line % (20, 3580), line % (34, 3566)]
