# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures for module tests: a simulator over real HTTP and a runner of a module's main()."""

from __future__ import annotations

import json

import pytest

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19 has no public helper: set the arguments as AnsiballZ would
    import contextlib

    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args):
        saved = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))  # pylint: disable=protected-access
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved  # pylint: disable=protected-access
from ansible.module_utils.common import warnings as module_warnings

from zstack_simulator.server import SimulatorServer


@pytest.fixture(scope='session')
def simulator():
    with SimulatorServer(seed='demo') as server:
        yield server


@pytest.fixture
def sim(simulator):
    """The simulator, reset to the demo fleet with jobs that finish on their first poll."""
    simulator.backend.reset('demo')
    simulator.backend.polls_before_done = 0
    simulator.backend.job_seconds = 0  # module tests do not test pacing (tests/unit/simulator does)
    return simulator


class ModuleRunner:
    """Run a module's main() as Ansible would and return its JSON result."""

    def __init__(self, sim, capsys):
        self.sim = sim
        self.capsys = capsys

    def __call__(self, module, check_mode=False, diff=False, **args):
        args.setdefault('api_url', self.sim.url)
        args.setdefault('account_name', 'admin')
        args.setdefault('password', 'password')
        args['_ansible_check_mode'] = check_mode
        args['_ansible_diff'] = diff
        args['_ansible_remote_tmp'] = '/tmp'
        args['_ansible_keep_remote_files'] = False
        self.capsys.readouterr()
        # a module process starts with no warnings; in this one process, the last run's are still there
        module_warnings._global_warnings.clear()  # pylint: disable=protected-access
        module_warnings._global_deprecations.clear()  # pylint: disable=protected-access
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module.main()
        out = self.capsys.readouterr().out
        return json.loads(out)

    def mutating(self):
        return self.sim.backend.counters_snapshot()['mutating_requests']


@pytest.fixture
def run(sim, capsys):
    return ModuleRunner(sim, capsys)
