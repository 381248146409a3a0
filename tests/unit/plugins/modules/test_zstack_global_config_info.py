# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""zstack_global_config_info against the simulator over HTTP."""

from __future__ import annotations

from ansible_collections.zstack.cloud.plugins.modules import zstack_global_config_info

POLICY_KEY = 'host.host.maintenance.policy'


def test_maintenance_policy_by_category_and_name(run):
    result = run(zstack_global_config_info, category='host', name='host.maintenance.policy')
    assert result['changed'] is False
    assert result['config_values'] == {POLICY_KEY: 'StopVmOnMigrationFailure'}
    (config,) = result['global_configs']
    assert config['category'] == 'host'
    assert config['name'] == 'host.maintenance.policy'
    assert config['defaultValue'] == 'StopVmOnMigrationFailure'
    assert set(config) <= {'category', 'name', 'value', 'defaultValue', 'description'}


def test_changed_value_is_read(run, sim):
    sim.backend.seed({'global_configs': [{'category': 'host', 'name': 'host.maintenance.policy', 'value': 'JustMigrate'}]})
    result = run(zstack_global_config_info, name='host.maintenance.policy')
    assert result['config_values'][POLICY_KEY] == 'JustMigrate'
    assert result['global_configs'][0]['defaultValue'] == 'StopVmOnMigrationFailure'


def test_everything_sorted_by_category_and_name(run):
    result = run(zstack_global_config_info, check_mode=True)
    keys = [(c['category'], c['name']) for c in result['global_configs']]
    assert keys == sorted(keys)
    assert POLICY_KEY in result['config_values']
    assert len(result['config_values']) == len(keys)


def test_nothing_matches(run):
    result = run(zstack_global_config_info, category='no-such-category')
    assert result['global_configs'] == []
    assert result['config_values'] == {}
