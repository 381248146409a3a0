# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Progress of a long wait: the one line format, when a line is due, and the progress file of a module.

Private to this collection: not a public API, may change without notice.

Plain Python (no Ansible), shared by the modules that wait for ZStack jobs, their action
plugins (which print the lines while the module runs, see plugins/plugin_utils/_waiting.py)
and the role's verification loop (plugins/plugin_utils/_steps.py):

- :func:`wait_line` is the one format of a progress line:
  ``waiting for <what>: <state>; <n>s elapsed, deadline in <m>s``;
- :func:`subject` names a resource as every line names it: ``host kvm-1 (<uuid>)``;
- :class:`Throttle` says when a line is due: the first, on every change of state, and often
  enough that no two lines are more than :data:`PROGRESS_INTERVAL` seconds apart;
- :class:`ProgressFile` is what a module writes while it waits (what it waits for, the
  job and its state as ZStack reports it, the deadline), one small JSON object replaced
  atomically at every poll; :func:`read_record` reads it back.  It holds names, UUIDs and
  states only: never a credential, a session or a job result text.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import tempfile
import time

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError

#: a progress line at least this often while something waits (seconds)
PROGRESS_INTERVAL = 15
#: the poll_interval option: its default, its bounds and its environment variable
DEFAULT_POLL_INTERVAL = 5.0
MIN_POLL_INTERVAL = 0.1
MAX_POLL_INTERVAL = float(PROGRESS_INTERVAL)
POLL_INTERVAL_ENV = 'ZSTACK_POLL_INTERVAL'
#: what the progress file holds, in this order
RECORD_KEYS = ('subject', 'state', 'job_uuid', 'elapsed', 'deadline_after')


def subject(kind, name, uuid):
    """``<kind> <name> (<uuid>)``, or ``<kind> <uuid>`` when the name is not known."""
    if name:
        return '%s %s (%s)' % (kind, name, uuid)
    return '%s %s' % (kind, uuid)


def wait_line(what, state, elapsed, remaining):
    """The progress line: ``waiting for <what>: <state>; <n>s elapsed, deadline in <m>s``."""
    return 'waiting for %s: %s; %ds elapsed, deadline in %ds' % (what, state, max(elapsed, 0), max(remaining, 0))


class Throttle:
    """When a progress line is due: the first one, a new state, or when waiting for the next look would leave
    more than ``interval`` seconds since the last line.
    """

    def __init__(self, interval=PROGRESS_INTERVAL):
        self.interval = interval
        self.last = None
        self.state = None

    def due(self, now, state=None, ahead=0):
        """Whether to print a line now, the next look being ``ahead`` seconds away; if so, the line counts as printed."""
        if self.last is not None and state == self.state and now + ahead - self.last <= self.interval:
            return False
        self.last, self.state = now, state
        return True


def check_poll_interval(value, option='poll_interval'):
    """``value`` as seconds (a float) within the bounds, or ZStackConfigError naming the option and its variable."""
    if value is None:
        return DEFAULT_POLL_INTERVAL
    try:
        if isinstance(value, bool):
            raise ValueError(value)
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = None
    if seconds is None or not MIN_POLL_INTERVAL <= seconds <= MAX_POLL_INTERVAL:
        raise ZStackConfigError(
            '%s must be a number of seconds from %s to %d, got %r' % (option, MIN_POLL_INTERVAL, MAX_POLL_INTERVAL, value),
            remedy='Set %s (or the %s environment variable) to how often to look at the job, e.g. %d; a progress line '
                   'comes at least every %d seconds, so no longer pause is allowed' % (
                       option, POLL_INTERVAL_ENV, DEFAULT_POLL_INTERVAL, PROGRESS_INTERVAL))
    return seconds


class ProgressFile:
    """The progress a module records while it waits, for its action plugin to print.

    ``path`` None records nothing (the module was run without its action plugin, or in check mode).
    ``begin(what, timeout)`` starts a wait; the client calls the object with each state it polls.
    A file that cannot be written is said once in ``warnings`` and the module goes on.
    """

    def __init__(self, path, clock=time.monotonic):
        self.path = path
        self.clock = clock
        self.started = clock()
        self.record = None
        self.warnings = []

    def begin(self, what, timeout, state='submitting'):
        elapsed = self.clock() - self.started
        self.record = {'subject': what, 'state': state, 'job_uuid': None,
                       'elapsed': round(elapsed, 1), 'deadline_after': round(elapsed + timeout, 1)}
        self._write()

    def __call__(self, state, job_uuid=None):
        if self.record is None:
            return
        self.record.update(state=state, elapsed=round(self.clock() - self.started, 1))
        if job_uuid is not None:
            self.record['job_uuid'] = job_uuid
        self._write()

    def _write(self):
        if not self.path or self.warnings:
            return
        directory = os.path.dirname(self.path) or '.'
        try:
            fd, tmp = tempfile.mkstemp(dir=directory, prefix='.zstack-progress-')
            with os.fdopen(fd, 'w') as handle:
                json.dump(dict((k, self.record[k]) for k in RECORD_KEYS), handle)
            os.rename(tmp, self.path)
        except (OSError, IOError) as exc:
            self.warnings.append('progress could not be recorded in %s (%s); the module waits without progress lines'
                                 % (self.path, exc))


def read_record(text):
    """The record in a progress file's text, or None when there is none yet (or it is not one)."""
    try:
        record = json.loads(text)
    except ValueError:
        return None
    if not isinstance(record, dict) or not all(key in record for key in RECORD_KEYS):
        return None
    return record


def record_line(record, elapsed):
    """The progress line of a record, ``elapsed`` seconds after the module started."""
    return wait_line(record['subject'], record['state'], elapsed, float(record['deadline_after']) - elapsed)
