#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: zstack_zone_info
short_description: List ZStack zones
version_added: 2.0.0
description:
  - Calls ZStack's QueryZone API (C(GET /zstack/v1/zones)) and returns the inventories of every matching zone,
    exactly as ZStack returns them (camelCase keys).
  - All given filters are ANDed. Without any filter every zone the account may see is returned.
  - Pages through the result with O(page_size) zones a request; a long O(uuids) list is split into
    several requests so that no request line exceeds what a management node accepts.
  - The usual use is a name for each zone UUID that other results carry (C(zoneUuid) of hosts, VMs and clusters).
author:
  - zstack.cloud contributors (@zstack-cloud)
extends_documentation_fragment:
  - zstack.cloud.zstack
  - zstack.cloud.zstack.info_module
  - zstack.cloud.zstack.query
  - zstack.cloud.zstack.query_fields
options:
  state:
    description: Only zones in this state.
    type: str
    choices: [Enabled, Disabled]
seealso:
  - module: zstack.cloud.zstack_cluster_info
  - module: zstack.cloud.zstack_host_info
'''

EXAMPLES = r'''
- name: List every zone
  zstack.cloud.zstack_zone_info:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
  register: zones

- name: Name the zones of some hosts (a zone deleted meanwhile is simply not in the result)
  zstack.cloud.zstack_zone_info:
    uuids: "{{ found_hosts.hosts | map(attribute='zoneUuid') | unique }}"
    fields: [uuid, name]
  register: host_zones

- name: Map zone UUIDs to names
  ansible.builtin.set_fact:
    zone_names: "{{ host_zones.zones | items2dict(key_name='uuid', value_name='name') }}"

- name: Find a zone by name
  zstack.cloud.zstack_zone_info:
    name: zone-1
  register: zone_1
'''

RETURN = r'''
zones:
  description:
    - The matching zone inventories as ZStack returns them (camelCase), sorted by UUID.
    - Fields without a value (for example an unset C(description)) are absent.
    - With O(fields), each inventory has only those fields (and C(uuid)).
  returned: always
  type: list
  elements: dict
  sample:
    - uuid: 0c5f3e3ad8a548a8a5b0b3a9d4e6f7a1
      name: zone-1
      state: Enabled
      type: zstack
      isDefault: false
      createDate: Oct 1, 2024 9:00:00 AM
      lastOpDate: Oct 1, 2024 9:00:00 AM
  contains:
    uuid:
      description: The zone UUID.
      returned: always
      type: str
    name:
      description: The zone name.
      returned: always
      type: str
    description:
      description: The zone description.
      returned: when set
      type: str
    state:
      description: The zone state.
      returned: always
      type: str
      choices: [Enabled, Disabled]
    type:
      description: The zone type, V(zstack).
      returned: always
      type: str
    isDefault:
      description: Whether this is the default zone of the management node.
      returned: when the management node reports it
      type: bool
    createDate:
      description: When the zone was created, in the management node's local time (for example V(Oct 1, 2024 9:00:00 AM)).
      returned: always
      type: str
    lastOpDate:
      description: When the zone record last changed, in the same format.
      returned: always
      type: str
'''

from ansible_collections.zstack.cloud.plugins.module_utils._module import query_gather, query_spec, run_read_module
from ansible_collections.zstack.cloud.plugins.module_utils._resources import ZONES_PATH


#: the options and the body of this read module (the role's steps run them in the controller's process too)
ARGUMENT_SPEC = query_spec(dict(
    state=dict(type='str', choices=['Enabled', 'Disabled']),
))
gather = query_gather(
    ZONES_PATH, 'zones',
    filters=(('state', 'state'),),
)


def main():
    run_read_module(ARGUMENT_SPEC, gather)


if __name__ == '__main__':
    main()
