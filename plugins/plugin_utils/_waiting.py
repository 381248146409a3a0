# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action plugin of the modules that wait for ZStack jobs: the module runs, the operator sees its progress.

Private to this collection: not a public API, may change without notice.

zstack_host, zstack_vm_instance, zstack_vm_migration and zstack_cluster_os_update each have
an action plugin of their name that is this class.  When the task waits (not check mode, not
``wait: false``, no ``async`` keyword of its own), the plugin runs the module the way Ansible
runs an ``async`` task, on the host that would run it (``delegate_to`` and execution
environments included): the module logs in once, submits and waits, and records its progress
(names, UUIDs, job states; see module_utils/_progress.py) in a file next to the async job
file.  Every ``poll_interval`` seconds the plugin asks ``async_status`` whether the module is
done and reads that file; it prints a line when the state changes and at least every 15 s.
The task's result is the module's result, unchanged.  Otherwise the module runs as usual.
"""

from __future__ import annotations

import os
import shlex
import time
import uuid as uuidlib

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError
from ansible_collections.zstack.cloud.plugins.module_utils._progress import (
    POLL_INTERVAL_ENV,
    Throttle,
    check_poll_interval,
    read_record,
    record_line,
)

display = Display()

#: what async_status adds to the module's result
ASYNC_KEYS = ('ansible_job_id', 'started', 'finished', 'results_file', 'stdout', 'stdout_lines', 'stderr_lines')
#: seconds the async limit leaves beyond the module's own deadline (it fails first, with its own message)
ASYNC_MARGIN = 600


def poll_interval(args, environ):
    """The task's poll_interval, else the controller's ZSTACK_POLL_INTERVAL, else the default; checked."""
    value = args.get('poll_interval')
    if value is None:
        value = environ.get(POLL_INTERVAL_ENV)
    try:
        return check_poll_interval(value)
    except ZStackConfigError as exc:
        raise AnsibleActionFail(str(exc)) from None


def async_limit(args, waits, default_timeout):
    """The async time limit: the module's ``waits`` deadlines of wait_timeout seconds, and a margin."""
    timeout = args.get('wait_timeout', default_timeout)
    if isinstance(timeout, str) and timeout.strip().isdigit():
        timeout = int(timeout)  # a templated value on cores without native types
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1:
        return None  # the module reports a bad wait_timeout itself, before any request
    return timeout * waits + ASYNC_MARGIN


class WaitingAction(ActionBase):
    """Run the module; while it waits, print its progress."""

    _supports_check_mode = True
    _supports_async = True
    #: how many waits of wait_timeout the module may do in one run (zstack_host: a state change, then a reconnect)
    WAITS = 1
    #: the module's option that turns waiting off (zstack_cluster_os_update: wait), or None
    WAIT_OPTION = None
    #: the default of the module's wait_timeout
    WAIT_TIMEOUT = 3600

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        args = dict(self._task.args)
        waits = not self._task.check_mode and not (self.WAIT_OPTION and args.get(self.WAIT_OPTION) is False)
        limit = async_limit(args, self.WAITS, self.WAIT_TIMEOUT) if waits else None
        if self._task.async_val or limit is None:
            return self._plain(result, task_vars)
        args['poll_interval'] = interval = poll_interval(args, os.environ)
        async_dir = self._async_dir()
        progress_path = self._connection._shell.join_path(async_dir, 'zstack-progress-%s.json' % uuidlib.uuid4().hex)
        args['progress_file'] = progress_path
        saved = self._task.async_val
        self._task.async_val = limit
        try:
            started = self._execute_module(module_args=args, task_vars=task_vars, wrap_async=True)
        finally:
            self._task.async_val = saved
        jid = started.get('ansible_job_id')
        if started.get('failed') or not jid:
            self._remove_tmp_path(self._connection._shell.tmpdir)
            return merge_hash(result, started)
        try:
            final = self._follow(jid, async_dir, progress_path, interval, task_vars)
        finally:
            self._clean(jid, async_dir, progress_path, task_vars)
        for key in ASYNC_KEYS:
            final.pop(key, None)
        return merge_hash(result, final)

    def _async_dir(self):
        """The async directory as async_wrapper will use it: its ``~`` is the HOME the module runs with.

        ansible-core hands async_wrapper ``ANSIBLE_ASYNC_DIR`` unexpanded, and async_wrapper expands
        it with the HOME of the module's process, which need not be the remote user's home directory
        (``_remote_expand_user`` asks the shell for ``~user``): with HOME set elsewhere for the run
        (as CI jobs do), async_status would look in the wrong place and answer "could not find job".
        So the ``~`` is expanded the way that process sees it.
        """
        raw = self.get_shell_option('async_dir', default='~/.ansible_async')
        if raw == '~' or raw.startswith('~/'):
            found = self._low_level_execute_command('echo ~', sudoable=True)
            lines = (found.get('stdout') or '').strip().splitlines()
            if found.get('rc') == 0 and lines and lines[-1].startswith('/'):
                return lines[-1].rstrip('/') + raw[1:]
        return self._remote_expand_user(raw)

    def _plain(self, result, task_vars):
        """The module as any module (check mode, no wait, or the task's own async)."""
        result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=self._task.async_val))
        if not self._task.async_val:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _follow(self, jid, async_dir, progress_path, interval, task_vars):
        """Poll async_status until the module ends; print its progress meanwhile. Returns the module's result."""
        launched = time.monotonic()
        throttle = Throttle()
        host = task_vars.get('inventory_hostname', '')
        took = 0.0  # how long the last look took: the next line must not come later than 15 s either
        while True:
            time.sleep(interval)
            looked = time.monotonic()
            status = self._execute_module(module_name='ansible.legacy.async_status', task_vars=task_vars,
                                          module_args={'jid': jid, '_async_dir': async_dir})
            if status.get('finished') or status.get('failed'):
                return status
            record = self._read(progress_path)
            now = time.monotonic()
            took = now - looked
            if record is not None and throttle.due(now, record['state'], ahead=interval + took):
                display.display('%s: %s' % (host, record_line(record, now - launched)) if host else record_line(record, now - launched))

    def _read(self, path):
        found = self._low_level_execute_command('cat %s 2>/dev/null' % shlex.quote(path), sudoable=True)
        if found.get('rc') != 0:
            return None  # not written yet
        return read_record(found.get('stdout') or '')

    def _clean(self, jid, async_dir, progress_path, task_vars):
        """Remove the async job file and the progress file (each is the module's, and only ours)."""
        try:
            self._execute_module(module_name='ansible.legacy.async_status', task_vars=task_vars,
                                 module_args={'jid': jid, 'mode': 'cleanup', '_async_dir': async_dir})
            self._low_level_execute_command('rm -f %s' % shlex.quote(progress_path), sudoable=True)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
