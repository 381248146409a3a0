# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of plugin_utils/_forked.py: a text made in a forked child, and every way it can go wrong."""

from __future__ import annotations

import os
import threading

import pytest

from ansible_collections.zstack.cloud.plugins.plugin_utils import _forked

#: a simulator of the unit test session may be serving in threads of this process: forking beside its idle
#: threads is safe for these children (they take no lock), and Python's warning about it is expected here
MULTI_THREADED = pytest.mark.filterwarnings('ignore:This process .* is multi-threaded:DeprecationWarning')
pytestmark = [pytest.mark.skipif(not hasattr(os, 'fork'), reason='os.fork is POSIX only'), MULTI_THREADED]


@pytest.fixture(autouse=True)
def one_thread(monkeypatch):
    """This process counted as single-threaded: other tests of the same run may leave idle threads behind."""
    monkeypatch.setattr(_forked, '_threads', lambda: 1)


def test_the_text_comes_from_a_child_process_whole():
    text = 'zone \u4e1c\u4eac ' * 100000 + '\udcff'  # 1.2 MB, more than a pipe holds; a lone surrogate survives
    parent = os.getpid()
    child = _forked.Forked(lambda: '%d\n' % os.getpid() + text)
    assert child.started
    pid, _newline, rest = child.text().partition('\n')
    assert int(pid) != parent
    assert rest == text


def test_a_failing_child_gives_none_and_is_reaped():
    def boom():
        raise RuntimeError('no')
    child = _forked.Forked(boom)
    assert child.started
    assert child.text() is None
    assert not child.started  # reaped


def test_a_child_killed_by_a_signal_gives_none():
    child = _forked.Forked(lambda: os.kill(os.getpid(), 9) or 'never')
    assert child.text() is None


def test_close_without_reading_reaps_the_child():
    with _forked.Forked(lambda: 'x' * (1 << 20)) as child:  # blocked on a full pipe until closed
        pid = child._pid  # pylint: disable=protected-access
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_no_fork_gives_none(monkeypatch):
    def no_fork():
        raise OSError('Resource temporarily unavailable')
    monkeypatch.setattr(os, 'fork', no_fork)
    child = _forked.Forked(lambda: 'x')
    assert not child.started
    assert child.text() is None


def test_no_fork_while_another_thread_runs(monkeypatch):
    monkeypatch.undo()  # the real count of threads
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert threading.active_count() > 1
        assert not _forked.available()
        assert not _forked.Forked(lambda: 'x').started
    finally:
        stop.set()
        thread.join()
