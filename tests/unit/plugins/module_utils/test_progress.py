# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The progress line, its cadence, the poll_interval check and the progress file a waiting module writes."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError
from ansible_collections.zstack.cloud.plugins.module_utils._progress import (
    DEFAULT_POLL_INTERVAL,
    PROGRESS_INTERVAL,
    ProgressFile,
    Throttle,
    check_poll_interval,
    read_record,
    record_line,
    subject,
    wait_line,
)

HOST = 'a948c4699d993322c62f116627d20232'
JOB = '0a1b2c3d4e5f40718293a4b5c6d7e8f9'


class Clock:
    def __init__(self, now=100.0):
        self.now = now

    def __call__(self):
        return self.now


def test_subject_names_the_resource_with_its_uuid_or_the_uuid_alone():
    assert subject('host', 'kvm-1', HOST) == 'host kvm-1 (%s)' % HOST
    assert subject('VM', None, HOST) == 'VM %s' % HOST


def test_wait_line_says_what_state_elapsed_and_deadline_never_negative():
    assert wait_line('reconnectHost of host kvm-1', 'job x running', 12.7, 3587.2) == \
        'waiting for reconnectHost of host kvm-1: job x running; 12s elapsed, deadline in 3587s'
    assert wait_line('x', 'y', -1, -5).endswith('; 0s elapsed, deadline in 0s')


def test_throttle_first_line_then_on_change_and_every_interval():
    throttle = Throttle()
    due = [(t, state) for t, state in [(0, 'a'), (5, 'a'), (10, 'b'), (14, 'b'), (24, 'b'), (25, 'b'), (39, 'b'), (40, 'b')]
           if throttle.due(t, state)]
    assert due == [(0, 'a'), (10, 'b'), (39, 'b')]
    assert PROGRESS_INTERVAL == 15


@pytest.mark.parametrize('step', [1, 2, 4, 5, 7, 15])
def test_throttle_never_leaves_more_than_15_seconds_between_lines(step):
    throttle = Throttle()
    printed = [t for t in range(0, 200, step) if throttle.due(t, 'Running', ahead=step)]
    gaps = [b - a for a, b in zip(printed, printed[1:])]
    assert printed[0] == 0 and max(gaps) <= 15
    assert len(printed) <= 200 // max(15 - step + 1, 1) + 2  # and not many more lines than that needs


@pytest.mark.parametrize('value, expected', [(None, DEFAULT_POLL_INTERVAL), (0.5, 0.5), ('2', 2.0), (15, 15.0), (0.1, 0.1)])
def test_poll_interval_accepted(value, expected):
    assert check_poll_interval(value) == expected


@pytest.mark.parametrize('value', [0, 0.05, 16, -1, 'soon', True, [1]])
def test_poll_interval_rejected_naming_the_option_and_its_variable(value):
    with pytest.raises(ZStackConfigError) as err:
        check_poll_interval(value)
    text = '%s %s' % (err.value, err.value.remedy)
    assert 'poll_interval' in text and 'ZSTACK_POLL_INTERVAL' in text and '15' in text


def test_progress_file_records_the_wait_and_each_state(tmp_path):
    path = str(tmp_path / 'progress.json')
    clock = Clock()
    progress = ProgressFile(path, clock=clock)
    clock.now += 2
    progress.begin('changeHostState (maintain) of host kvm-1 (%s)' % HOST, 3600)
    assert read_record(open(path).read()) == {
        'subject': 'changeHostState (maintain) of host kvm-1 (%s)' % HOST, 'state': 'submitting', 'job_uuid': None,
        'elapsed': 2.0, 'deadline_after': 3602.0}
    clock.now += 10
    progress('job %s running' % JOB, JOB)
    record = read_record(open(path).read())
    assert record['state'] == 'job %s running' % JOB and record['job_uuid'] == JOB and record['elapsed'] == 12.0
    assert record_line(record, 30) == ('waiting for changeHostState (maintain) of host kvm-1 (%s): job %s running; '
                                       '30s elapsed, deadline in 3572s' % (HOST, JOB))
    assert os.listdir(str(tmp_path)) == ['progress.json']  # replaced atomically, no temporary file left
    assert progress.warnings == []


def test_progress_before_a_wait_and_without_a_path_records_nothing(tmp_path):
    progress = ProgressFile(str(tmp_path / 'p.json'))
    progress('job x running', 'x')  # no wait begun: nothing to say
    assert not os.path.exists(str(tmp_path / 'p.json'))
    silent = ProgressFile(None)
    silent.begin('x', 10)
    silent('y')
    assert silent.warnings == []


def test_progress_file_that_cannot_be_written_is_one_warning_and_no_failure(tmp_path):
    progress = ProgressFile(str(tmp_path / 'missing' / 'p.json'))
    progress.begin('x', 10)
    progress('job y running', 'y')
    assert len(progress.warnings) == 1 and 'progress could not be recorded' in progress.warnings[0]


@pytest.mark.parametrize('text', ['', '{', '[]', json.dumps({'subject': 'x'})])
def test_read_record_of_no_record_is_none(text):
    assert read_record(text) is None
