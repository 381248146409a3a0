# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A text made in a forked child process while this process goes on: a large fleet's reports on two cores.

Private to this collection: not a public API, may change without notice.

The child inherits everything it needs with the fork (nothing is pickled) and hands back only the text,
through a pipe. A fork is only made where ``os.fork`` exists and this process runs a single thread: a fork
copies the calling thread alone, and a lock another thread held would stay held in the child. Whatever goes
wrong on the way (no fork, an error or a signal in the child) makes :meth:`Forked.text` return None, and the
caller makes the text itself: an error is then raised in the caller's process, with its own message, and no
text is lost or made twice.
"""

from __future__ import annotations

import os
import threading


def available():
    """Whether a text can be made in a forked child here: ``os.fork`` exists and this process runs one thread."""
    return hasattr(os, 'fork') and _threads() == 1


def _threads():
    return threading.active_count()


class Forked:
    """``produce()`` (a callable returning a str) run in a forked child; :meth:`text` waits for its text.

    Use it as a context manager, or call :meth:`close` when the text is not wanted any more: the child is
    then told by a broken pipe, and reaped.
    """

    def __init__(self, produce):
        self._pid = None
        self._fd = None
        if not available():
            return
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return
        if pid == 0:
            _child(produce, read_fd, write_fd)
        os.close(write_fd)
        self._pid, self._fd = pid, read_fd

    @property
    def started(self):
        """Whether a child was forked (False: :meth:`text` returns None and the caller makes the text)."""
        return self._pid is not None

    def text(self):
        """The child's text; None when there is no child or it did not end well."""
        if self._fd is None:
            self.close()
            return None
        with os.fdopen(self._fd, 'rb') as pipe:
            self._fd = None
            data = pipe.read()
        if self._reap() != 0:
            return None
        return data.decode('utf-8', 'surrogatepass')

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._reap()

    def _reap(self):
        """The child's exit status (0: it wrote its whole text); -1 when there is no child to wait for."""
        pid, self._pid = self._pid, None
        if pid is None:
            return -1
        try:
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        except ChildProcessError:  # reaped by someone else (SIGCHLD ignored): its status is unknown
            return -1

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _child(produce, read_fd, write_fd):
    """The child's whole life: make the text, write it, and leave without the parent's exit handlers."""
    status = 1
    try:
        os.close(read_fd)
        data = produce().encode('utf-8', 'surrogatepass')
        with os.fdopen(write_fd, 'wb') as pipe:
            pipe.write(data)
        status = 0
    except BaseException:  # pylint: disable=broad-exception-caught  # the parent makes the text again and raises there
        pass
    os._exit(status)  # pylint: disable=protected-access  # no atexit, no flush of the parent's buffers
