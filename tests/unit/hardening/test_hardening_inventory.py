# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The inventory plugin (``ansible-inventory --list -vvv``) under a fault and with bad input.

Its secrets and cache are covered in test_hardening_secrets.py.
"""

from __future__ import annotations

import os
import time

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils import _client

PLUGIN_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(_client.__file__))),
                           'inventory', 'zstack.py')
ENABLED = {'ANSIBLE_INVENTORY_ENABLED': 'zstack.cloud.zstack'}


def _source(tmp_path, api_url, **options):
    lines = ['plugin: zstack.cloud.zstack', 'api_url: %s' % api_url]
    lines.extend('%s: %s' % item for item in options.items())
    path = tmp_path / 'hardening.zstack.yml'
    path.write_text('\n'.join(lines) + '\n', encoding='utf-8')
    return str(path)


if os.path.exists(PLUGIN_FILE):
    @pytest.mark.hardening('fault', 'session expired mid-run')
    def test_inventory_logs_in_again_when_the_session_expires_mid_run(hz, sim, ansible, tmp_path):
        source = _source(tmp_path, sim.url, account_name='admin', include_vms='true')
        sim.fault(delay=1.0, method='GET', path='/v1/hosts', count=1)

        def expire_while_querying_hosts(proc):
            deadline = time.monotonic() + 60
            while sim.requests_to('GET /v1/hosts') < 1:
                assert proc.poll() is None and time.monotonic() < deadline, 'the plugin never queried the hosts'
                time.sleep(0.02)
            assert sim.expire_sessions() >= 1

        env = dict(ENABLED, ZSTACK_PASSWORD=hz.PASSWORD)
        run = hz.run_tool(ansible, ['ansible.cli.inventory', '-i', source, '--list', '-vvv'], env,
                          start_hook=expire_while_querying_hosts)
        assert run.rc == 0 and hz.HOST_MATCHED in run.stdout, run.describe()
        assert 'Traceback' not in run.output
        assert run.delta('logins') == 2
        assert run.delta('active_sessions') == 0
        assert run.leaks == []

    @pytest.mark.hardening('bad-input', 'api_url without scheme')
    def test_inventory_names_a_bad_api_url(hz, sim, ansible, tmp_path):
        source = _source(tmp_path, '127.0.0.1:8080', account_name='admin')
        # Default verbosity: at -vvv ansible-core 2.18 prints the traceback of any failed inventory
        # source by design (its own display, not the plugin's message); -vvv is covered for secrets.
        run = hz.run_tool(ansible, ['ansible.cli.inventory', '-i', source, '--list'],
                          dict(ENABLED, ZSTACK_PASSWORD=hz.PASSWORD))
        assert "api_url '127.0.0.1:8080' is not an http(s) URL" in run.flat, run.describe()
        assert 'http://zstack.example.com:8080' in run.flat
        assert 'Traceback' not in run.output
        assert run.delta('total_requests') == 0
        assert run.leaks == []
