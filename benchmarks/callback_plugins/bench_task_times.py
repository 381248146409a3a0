# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark helper callback: the wall time of every task, written as JSON to $BENCH_TASK_TIMES.

A task's time runs from its start to the next task's start (or the end of the play), so it includes
the controller's handling of the task's result (registering, templating).  Used by benchmarks/bench.py
for the role runs; it prints nothing.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r'''
name: bench_task_times
type: aggregate
short_description: write the wall time of every task to the file named by BENCH_TASK_TIMES
description:
  - Benchmark helper of the zstack.cloud collection (benchmarks/); not shipped as a plugin.
requirements:
  - enable in callbacks_enabled
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_task_times'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._tasks = []
        self._start = time.monotonic()

    def _mark(self, name):
        self._tasks.append([name, time.monotonic()])

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._mark(task.get_name())

    def v2_playbook_on_handler_task_start(self, task):
        self._mark('handler: ' + task.get_name())

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get('BENCH_TASK_TIMES')
        if not path:
            return
        end = time.monotonic()
        out = []
        for index, (name, start) in enumerate(self._tasks):
            stop = self._tasks[index + 1][1] if index + 1 < len(self._tasks) else end
            out.append({'task': name, 'seconds': stop - start})
        with open(path, 'w', encoding='utf-8') as fobj:
            json.dump({'total_seconds': end - self._start, 'tasks': out}, fobj)
