# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Secrets at -vvv: the password, its SHA-512 hex, every session id (the recording proxy sees them
all) and the access key secret appear nowhere in stdout, stderr, results, reports or cache files.

Password and session_uuid logins run ``ansible -m ... -vvv`` (the controller's display of args
and results); the other cases run the module process directly with verbosity 3 (the same module
output, 5x faster).
The role is checked by the ``hardening_secrets`` integration target (a role run takes too
long for a unit suite).
"""

from __future__ import annotations

import os

import pytest

GET_VI = 'GET /v1/vm-instances/virtualizer-info'
VI = '/v1/vm-instances/virtualizer-info'


def conn(sim, **extra):
    args = {'api_url': sim.url, 'account_name': 'admin', 'password': '{{ hz_password }}'}
    args.update(extra)
    return args


def assert_no_leak(run):
    assert run.leaks == [], 'secrets leaked: %s\n%s' % (run.leaks, run.describe())


# ---------------------------------------------------------------- the module
@pytest.mark.hardening('secret', 'module -vvv, password login')
def test_password_login_leaks_nothing(hz, sim, ansible):
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED, hz.VM_STOPPED, hz.MISSING]), mode='ansible')
    assert not run.failed, run.describe()
    assert len(sim.proxy.session_ids()) == 1  # the proxy saw the session, so the scan looked for it
    assert_no_leak(run)


@pytest.mark.hardening('secret', 'module -vvv, password from the environment')
def test_password_from_environment_leaks_nothing(hz, sim, ansible):
    run = ansible.run({'api_url': sim.url, 'uuids': [hz.HOST_MATCHED]}, mode='direct',
                      env={'ZSTACK_ACCOUNT_NAME': 'admin', 'ZSTACK_PASSWORD': hz.PASSWORD})
    assert not run.failed, run.describe()
    assert_no_leak(run)


@pytest.mark.hardening('secret', 'module -vvv, wrong password')
def test_wrong_password_leaks_nothing(hz, sim, ansible):
    sim.reset(accounts=[{'name': 'admin', 'password': 'the-real-one', 'uuid': hz.FLEET['accounts'][0]['uuid']}])
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED]), mode='direct')
    assert run.failed and 'ID.1000' in run.msg, run.describe()
    assert_no_leak(run)


@pytest.mark.hardening('secret', 'module -vvv, session expired mid-run')
def test_session_relogin_leaks_neither_session(hz, sim, ansible):
    sim.fault(delay=1.0, method='GET', path=VI, count=1)
    pending = ansible.start(conn(sim, uuids=[hz.HOST_MATCHED]), mode='direct')
    sim.expire_during_call(pending)
    run = pending.wait()
    assert not run.failed, run.describe()
    assert len(sim.proxy.session_ids()) == 2
    assert_no_leak(run)


@pytest.mark.hardening('secret', 'module -vvv, proxy page echoing the login request')
def test_proxy_page_echoing_the_login_body_is_scrubbed(hz, sim, ansible):
    """A WAF answers 403 with the request it blocked: the SHA-512 hex of the password is in that page."""
    sim.proxy.add_rule('echo403', method='PUT', path='/v1/accounts/login', count=10)
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED]), mode='direct')
    assert run.failed and 'HTTP 403' in run.msg, run.describe()
    assert '********' in run.msg  # the hash was there, and was masked
    assert_no_leak(run)


@pytest.mark.hardening('secret', 'module -vvv, proxy page echoing an API request')
def test_proxy_page_echoing_the_session_header_is_scrubbed(hz, sim, ansible):
    """The same page for an API call echoes 'Authorization: OAuth <session>': a session the module opened itself."""
    sim.proxy.add_rule('echo403', method='GET', path=VI, count=10)
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED]), mode='direct')
    assert run.failed and 'HTTP 403' in run.msg, run.describe()
    assert_no_leak(run)


@pytest.mark.hardening('secret', 'module -vvv, session_uuid')
def test_given_session_leaks_nowhere(hz, sim, ansible):
    session = sim.login()
    run = ansible.run({'api_url': sim.url, 'session_uuid': '{{ hz_session }}', 'uuids': [hz.VM_RUNNING]},
                      session=session, mode='ansible')
    assert not run.failed, run.describe()
    assert_no_leak(run)


@pytest.mark.hardening('secret', 'module -vvv, session_uuid')
def test_expired_given_session_leaks_nowhere(hz, sim, ansible):
    session = sim.login()
    sim.expire_sessions([session])
    run = ansible.run({'api_url': sim.url, 'session_uuid': '{{ hz_session }}', 'uuids': [hz.VM_RUNNING]},
                      session=session, mode='direct')
    assert run.failed and 'ID.1001' in run.msg, run.describe()
    assert_no_leak(run)


@pytest.mark.hardening('secret', 'module -vvv, access key')
def test_access_key_secret_leaks_nowhere(hz, sim, ansible):
    run = ansible.run({'api_url': sim.url, 'access_key_id': hz.ACCESS_KEY_ID, 'access_key_secret': '{{ hz_ak_secret }}',
                       'uuids': [hz.HOST_MATCHED]}, mode='direct')
    assert not run.failed, run.describe()
    assert run.delta('logins') == 0
    assert_no_leak(run)


@pytest.mark.hardening('secret', 'module -vvv, access key')
def test_wrong_access_key_secret_leaks_nowhere(hz, sim, ansible):
    wrong = 'hzWrongSecret-0f4c2d9e8b7a6c5d4e3f'
    run = ansible.run({'api_url': sim.url, 'access_key_id': hz.ACCESS_KEY_ID, 'access_key_secret': '{{ wrong }}',
                       'uuids': [hz.HOST_MATCHED]}, mode='direct', extra_vars={'wrong': wrong},
                      extra_secrets={'wrong access key secret': wrong})
    assert run.failed and 'HTTP 403' in run.msg, run.describe()
    hz.assert_clear(run.msg, 'wrong accessKey signature')
    assert_no_leak(run)


# ---------------------------------------------------------------- the inventory plugin
INVENTORY_PLUGIN = 'plugins/inventory/zstack.py'


def _collection_file(relative):
    from ansible_collections.zstack.cloud.plugins.module_utils import _client  # pylint: disable=import-outside-toplevel
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(_client.__file__))))
    return os.path.join(root, relative)


if os.path.exists(_collection_file(INVENTORY_PLUGIN)):
    @pytest.mark.hardening('secret', 'inventory plugin -vvv and its cache')
    def test_inventory_plugin_leaks_nothing_and_logs_out(hz, sim, ansible, tmp_path):
        cache = tmp_path / 'inventory-cache'
        source = tmp_path / 'hardening.zstack.yml'
        source.write_text('\n'.join([
            'plugin: zstack.cloud.zstack',
            'api_url: %s' % sim.url,
            'account_name: admin',
            'include_vms: true',
            'cache: true',
            'cache_plugin: ansible.builtin.jsonfile',
            'cache_connection: %s' % cache,
            'cache_timeout: 600',
            '']), encoding='utf-8')
        env = {'ZSTACK_PASSWORD': hz.PASSWORD, 'ANSIBLE_INVENTORY_ENABLED': 'zstack.cloud.zstack'}
        run = hz.run_tool(ansible, ['ansible.cli.inventory', '-i', str(source), '--list', '-vvv'], env, scan=[cache])
        assert run.rc == 0, run.describe()
        assert hz.HOST_MATCHED in run.stdout
        assert os.listdir(str(cache)), 'the cache was not written'
        assert len(sim.proxy.session_ids()) >= 1
        assert run.leaks == [], run.leaks
        assert run.delta('active_sessions') == 0
        assert run.delta('mutating_requests') == 0

    @pytest.mark.hardening('secret', 'inventory plugin -vvv and its cache')
    def test_inventory_plugin_failure_leaks_nothing(hz, sim, ansible, tmp_path):
        """The proxy page echoing 'Authorization: OAuth <session>' ends in the plugin's error message."""
        sim.proxy.add_rule('echo403', method='GET', path='/v1/hosts', count=10)
        source = tmp_path / 'hardening.zstack.yml'
        source.write_text('plugin: zstack.cloud.zstack\napi_url: %s\naccount_name: admin\n' % sim.url, encoding='utf-8')
        env = {'ZSTACK_PASSWORD': hz.PASSWORD, 'ANSIBLE_INVENTORY_ENABLED': 'zstack.cloud.zstack'}
        run = hz.run_tool(ansible, ['ansible.cli.inventory', '-i', str(source), '--list', '-vvv'], env)
        assert 'HTTP 403' in run.flat, run.describe()
        assert run.leaks == [], run.leaks
