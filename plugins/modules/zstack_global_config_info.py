#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: zstack_global_config_info
short_description: Read ZStack global configuration values
version_added: 1.0.0
description:
  - Calls ZStack's QueryGlobalConfig API (C(GET /zstack/v1/global-configurations)) and returns the matching
    global configurations, each with its current and default value.
  - A ZStack global configuration is named by a category and a name; the name may itself contain dots.
    For example the host maintenance policy is category C(host), name C(host.maintenance.policy), so its key in
    RV(config_values) is C(host.host.maintenance.policy).
author:
  - zstack.cloud contributors (@zstack-cloud)
extends_documentation_fragment:
  - zstack.cloud.zstack
  - zstack.cloud.zstack.info_module
options:
  category:
    description: Only configurations of this category, for example V(host) or V(kvm).
    type: str
  name:
    description: Only configurations with exactly this name, for example V(host.maintenance.policy).
    type: str
notes:
  - Values are strings, as ZStack stores them (V(true), V(7200), V(StopVmOnMigrationFailure)).
seealso:
  - module: zstack.cloud.zstack_host
'''

EXAMPLES = r'''
- name: Read the host maintenance policy
  zstack.cloud.zstack_global_config_info:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    category: host
    name: host.maintenance.policy
  register: policy

- name: Refuse to maintain hosts while ZStack would stop VMs that fail to migrate
  ansible.builtin.assert:
    that: policy.config_values['host.host.maintenance.policy'] == 'JustMigrate'
    fail_msg: >-
      host.maintenance.policy is {{ policy.config_values['host.host.maintenance.policy'] }}:
      ZStack stops every VM that fails to migrate when a host enters maintenance

- name: Read every configuration of the kvm category
  zstack.cloud.zstack_global_config_info:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    category: kvm
  register: kvm_config
'''

RETURN = r'''
global_configs:
  description: The matching global configurations, sorted by category and name.
  returned: always
  type: list
  elements: dict
  sample:
    - category: host
      name: host.maintenance.policy
      value: StopVmOnMigrationFailure
      defaultValue: StopVmOnMigrationFailure
      description: "the behavior of maintain a host, options are [JustMigrate, StopVmOnMigrationFailure]."
  contains:
    category:
      description: The configuration's category.
      returned: always
      type: str
    name:
      description: The configuration's name within its category.
      returned: always
      type: str
    value:
      description: The current value.
      returned: always
      type: str
    defaultValue:
      description: The default value.
      returned: always
      type: str
    description:
      description: ZStack's description of the configuration.
      returned: when ZStack has one
      type: str
config_values:
  description:
    - The current values keyed by C(<category>.<name>), for example C(host.host.maintenance.policy).
    - Named so rather than C(values), which Jinja's dot notation would resolve to the dictionary method.
  returned: always
  type: dict
  sample: {host.host.maintenance.policy: StopVmOnMigrationFailure}
'''

from ansible_collections.zstack.cloud.plugins.module_utils._module import run_read_module
from ansible_collections.zstack.cloud.plugins.module_utils._resources import GLOBAL_CONFIGS_PATH, eq

KEEP = ('category', 'name', 'value', 'defaultValue', 'description')


def gather(module, client):
    conditions = [eq(field, module.params[field]) for field in ('category', 'name') if module.params[field] is not None]
    inventories = client.query_all(GLOBAL_CONFIGS_PATH, conditions, sort='name')
    configs = sorted((dict((k, inv.get(k)) for k in KEEP if k in inv) for inv in inventories),
                     key=lambda c: (c.get('category') or '', c.get('name') or ''))
    values = dict(('%s.%s' % (c.get('category'), c.get('name')), c.get('value')) for c in configs)
    return {'changed': False, 'global_configs': configs, 'config_values': values}


#: the options of this read module (the role's steps run it, and gather, in the controller's process too)
ARGUMENT_SPEC = dict(
    category=dict(type='str'),
    name=dict(type='str'),
)


def main():
    run_read_module(ARGUMENT_SPEC, gather)


if __name__ == '__main__':
    main()
