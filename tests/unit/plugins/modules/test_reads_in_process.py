# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A read module run in the controller's process (plugin_utils/_reads.py) returns what its module run returns.

Both runs go to the simulator over HTTP; the module run is the module's main() as Ansible runs it.
"""

from __future__ import annotations

import importlib

import pytest
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.zstack.cloud.plugins.plugin_utils import _reads

from zstack_simulator.fleet import fixed_uuid

CASES = [
    ('zstack_host_info', {}),
    ('zstack_host_info', {'fields': ['uuid', 'name', 'clusterUuid'], 'status': 'Connected'}),
    ('zstack_vm_instance_info', {'state': ['Running'], 'fields': ['uuid', 'name', 'hostUuid']}),
    ('zstack_zone_info', {'fields': ['uuid', 'name']}),
    ('zstack_cluster_info', {}),
    ('zstack_global_config_info', {'category': 'host', 'name': 'host.maintenance.policy'}),
    ('zstack_virtualizer_info', {'uuids': [fixed_uuid('demo', 'kvm-1'), fixed_uuid('demo', 'kvm-5'), 'f' * 32], 'output': 'facts'}),
    ('zstack_virtualizer_info', {'uuids': [fixed_uuid('demo', 'kvm-2')], 'output': 'full'}),
]


def connection(sim, **more):
    return dict({'api_url': sim.url, 'account_name': 'admin', 'password': 'password'}, **more)


def module_result(run, name, args):
    """The module run's result, without what only exit_json adds (ansible-core 2.18 adds ``invocation``).

    Its warnings are their texts: from ansible-core 2.19 on, a module sends each as a structure
    that the controller turns into the text, which is what a read run here gives.
    """
    result = run(importlib.import_module('ansible_collections.zstack.cloud.plugins.modules.' + name), **args)
    result.pop('invocation', None)
    if 'warnings' in result:
        result['warnings'] = [w['event']['msg'] if isinstance(w, dict) else w for w in result['warnings']]
    return result


@pytest.mark.parametrize('name, args', CASES, ids=['%s-%d' % (c[0], i) for i, c in enumerate(CASES)])
def test_a_read_run_here_returns_what_the_module_returns(run, sim, name, args):
    expected = module_result(run, name, dict(args))
    got = _reads.run_read('zstack.cloud.' + name, connection(sim, **args))
    assert got == expected
    assert 'failed' not in got and got['changed'] is False


def test_every_read_module_has_its_spec_and_gather_at_its_top_level():
    for name in _reads.READ_MODULES:
        module = importlib.import_module('ansible_collections.zstack.cloud.plugins.modules.' + name)
        assert isinstance(module.ARGUMENT_SPEC, dict) and callable(module.gather), name
    assert _reads.readable('zstack.cloud.zstack_host_info')
    assert not _reads.readable('zstack.cloud.zstack_vm_migration')  # changes things: always a module run
    assert not _reads.readable('zstack.cloud.zstack_host')
    assert not _reads.readable('other.cloud.zstack_host_info')


def test_invalid_arguments_fail_naming_the_module_and_the_option(sim):
    got = _reads.run_read('zstack.cloud.zstack_host_info', connection(sim, status='Sleeping'))
    assert got['failed'] is True
    assert got['msg'].startswith('zstack.cloud.zstack_host_info: ') and 'status' in got['msg'] and 'Sleeping' in got['msg']
    got = _reads.run_read('zstack.cloud.zstack_zone_info', connection(sim, colour='blue'))
    assert got['failed'] is True and 'colour' in got['msg']


def test_a_zstack_error_fails_as_the_module_fails_without_the_secret(run, sim):
    args = {'uuids': [fixed_uuid('demo', 'kvm-1')], 'password': 'Wr0ng-s3cret'}
    expected = module_result(run, 'zstack_virtualizer_info', dict(args))
    got = _reads.run_read('zstack.cloud.zstack_virtualizer_info', connection(sim, **args))
    assert got['failed'] is True and expected['failed'] is True
    assert got['msg'] == expected['msg'] and got['error'] == expected['error']
    assert 'Wr0ng-s3cret' not in repr(got)


def test_the_environment_fallbacks_and_the_connection_warnings_apply(sim, monkeypatch):
    monkeypatch.setenv('ZSTACK_API_URL', sim.url)
    monkeypatch.setenv('ZSTACK_ACCOUNT_NAME', 'admin')
    monkeypatch.setenv('ZSTACK_PASSWORD', 'password')
    monkeypatch.setenv('ZSTACK_VALIDATE_CERTS', 'false')
    got = _reads.run_read('zstack.cloud.zstack_zone_info', {'fields': ['uuid', 'name']})
    assert sorted(z['name'] for z in got['zones']) == ['zone-1', 'zone-2']
    # the module's own warning (a module run's warnings are not compared: in a process that has loaded
    # controller code, as this one has, ansible-core displays a module's warnings instead of returning them)
    assert got['warnings'] == ['validate_certs is false: the management node certificate is not verified; '
                               'use ca_path instead outside of a trusted test network']


def test_a_secret_that_is_also_a_value_is_masked_as_exit_json_masks_it(run, sim):
    sim.backend.add_account('admin', 'zone-2')  # the admin password is now a zone's name
    expected = module_result(run, 'zstack_zone_info', {'password': 'zone-2', 'fields': ['uuid', 'name']})
    got = _reads.run_read('zstack.cloud.zstack_zone_info', connection(sim, password='zone-2', fields=['uuid', 'name']))
    assert got == expected
    assert sorted(z['name'] for z in got['zones']) == ['VALUE_SPECIFIED_IN_NO_LOG_PARAMETER', 'zone-1']


@pytest.mark.parametrize('secret', ['s3cret', '8080', 'with"quote', 'back\\slash', 'new\nline', 'caf\u00e9'])
def test_masking_finds_a_secret_wherever_remove_values_would(secret):
    result = {'a': ['x%sy' % secret, 8080, True, None, {'k': [secret]}], 'n': 3.5}
    assert _reads.mask(result, {secret, ''}) == remove_values(result, {secret})
    assert _reads.mask(result, {secret}) != result
    clean = {'a': ['xy', 80, True, None, {'k': ['z']}], 'n': 3.5}
    assert _reads.mask(clean, {secret}) == clean
    assert _reads.mask(clean, set()) is clean


@pytest.mark.parametrize('transport, environment, become, here', [
    ('local', None, False, True),
    ('local', [], False, True),
    ('local', [{}], False, True),  # what a task without the keyword has
    ('local', [{}, '{{ proxy_env }}'], False, False),
    ('ssh', None, False, False),
    ('local', [{'HTTPS_PROXY': 'http://proxy:3128'}], False, False),
    ('local', None, True, False),
    (None, None, False, False),
])
def test_only_a_task_on_the_controller_runs_reads_here(transport, environment, become, here):
    assert _reads.runs_here(transport, environment, become) is here
