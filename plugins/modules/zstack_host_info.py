#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: zstack_host_info
short_description: List ZStack hosts
version_added: 1.0.0
description:
  - Calls ZStack's QueryHost API (C(GET /zstack/v1/hosts)) and returns the inventories of every matching host,
    exactly as ZStack returns them (camelCase keys).
  - All given filters are ANDed. Without any filter every host the account may see is returned.
  - Pages through fleets of any size with O(page_size) hosts a request; a long O(uuids) list is split into
    several requests so that no request line exceeds what a management node accepts.
author:
  - zstack.cloud contributors (@zstack-cloud)
extends_documentation_fragment:
  - zstack.cloud.zstack
  - zstack.cloud.zstack.info_module
  - zstack.cloud.zstack.query
  - zstack.cloud.zstack.query_fields
options:
  zone_uuid:
    description: Only hosts of this zone.
    type: str
  cluster_uuid:
    description: Only hosts of this cluster.
    type: str
  state:
    description: Only hosts in this administrative state.
    type: str
    choices: [Enabled, Disabled, PreMaintenance, Maintenance]
  status:
    description: Only hosts with this connection status.
    type: str
    choices: [Connecting, Connected, Disconnected]
notes:
  - Only an admin account sees hosts; for other accounts ZStack answers an empty list.
seealso:
  - module: zstack.cloud.zstack_host
  - module: zstack.cloud.zstack_virtualizer_info
'''

EXAMPLES = r'''
- name: List the connected hosts of a cluster
  zstack.cloud.zstack_host_info:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    cluster_uuid: 8f5a1e7c0d6b4b2a9c3e4f5a6b7c8d9e
    status: Connected
  register: cluster_hosts

- name: Show their management addresses
  ansible.builtin.debug:
    msg: "{{ cluster_hosts.hosts | map(attribute='managementIp') | list }}"

- name: Find the hosts that are not enabled, with a raw condition
  zstack.cloud.zstack_host_info:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    conditions:
      - state!=Enabled
  register: not_enabled

- name: List every connected host with only the fields a report needs
  zstack.cloud.zstack_host_info:
    status: Connected
    fields: [uuid, name, managementIp, clusterUuid]
  register: connected
'''

RETURN = r'''
hosts:
  description:
    - The matching host inventories as ZStack returns them (camelCase), sorted by UUID.
    - The main fields are listed here; KVM hosts carry a few more (hardware monitor fields, for example).
    - With O(fields), each inventory has only those fields (and C(uuid)).
  returned: always
  type: list
  elements: dict
  sample:
    - uuid: 3ce46fb7eb2e369c88d5fd671d1c1694
      name: kvm-1
      zoneUuid: 0c5f3e3ad8a548a8a5b0b3a9d4e6f7a1
      clusterUuid: 8f5a1e7c0d6b4b2a9c3e4f5a6b7c8d9e
      managementIp: 10.0.1.11
      hypervisorType: KVM
      state: Enabled
      status: Connected
      architecture: x86_64
      osDistribution: centos
      osRelease: Core
      osVersion: 7.9.2009
  contains:
    uuid:
      description: The host UUID.
      returned: always
      type: str
    name:
      description: The host name.
      returned: always
      type: str
    description:
      description: The host description.
      returned: when set
      type: str
    zoneUuid:
      description: The UUID of the host's zone.
      returned: always
      type: str
    clusterUuid:
      description: The UUID of the host's cluster.
      returned: always
      type: str
    managementIp:
      description: The address the management node reaches the host at.
      returned: always
      type: str
    hypervisorType:
      description: The hypervisor type, V(KVM).
      returned: always
      type: str
    state:
      description: The administrative state.
      returned: always
      type: str
      choices: [Enabled, Disabled, PreMaintenance, Maintenance]
    status:
      description: The connection status.
      returned: always
      type: str
      choices: [Connecting, Connected, Disconnected]
    architecture:
      description: The CPU architecture, for example V(x86_64) or V(aarch64).
      returned: when known
      type: str
    osDistribution:
      description: The OS distribution, for example V(centos).
      returned: for KVM hosts
      type: str
    osRelease:
      description: The OS release name, for example V(Core).
      returned: for KVM hosts
      type: str
    osVersion:
      description: The OS version, for example V(7.9.2009).
      returned: for KVM hosts
      type: str
    username:
      description: The SSH user the management node uses.
      returned: for KVM hosts
      type: str
    sshPort:
      description: The SSH port the management node uses.
      returned: for KVM hosts
      type: int
    cpuNum:
      description: Number of CPU threads.
      returned: always
      type: int
    cpuSockets:
      description: Number of CPU sockets.
      returned: always
      type: int
    totalCpuCapacity:
      description: Total CPU capacity.
      returned: always
      type: int
    availableCpuCapacity:
      description: CPU capacity not yet allocated.
      returned: always
      type: int
    totalMemoryCapacity:
      description: Total memory in bytes.
      returned: always
      type: int
    availableMemoryCapacity:
      description: Memory not yet allocated, in bytes.
      returned: always
      type: int
    createDate:
      description: When the host was added, in the management node's local time (for example V(Oct 1, 2024 9:00:00 AM)).
      returned: always
      type: str
    lastOpDate:
      description: When the host record last changed, in the same format.
      returned: always
      type: str
'''

from ansible_collections.zstack.cloud.plugins.module_utils._module import query_gather, query_spec, run_read_module
from ansible_collections.zstack.cloud.plugins.module_utils._resources import HOSTS_PATH


#: the options and the body of this read module (the role's steps run them in the controller's process too)
ARGUMENT_SPEC = query_spec(dict(
    zone_uuid=dict(type='str'),
    cluster_uuid=dict(type='str'),
    state=dict(type='str', choices=['Enabled', 'Disabled', 'PreMaintenance', 'Maintenance']),
    status=dict(type='str', choices=['Connecting', 'Connected', 'Disconnected']),
))
gather = query_gather(
    HOSTS_PATH, 'hosts',
    filters=(('zone_uuid', 'zoneUuid'), ('cluster_uuid', 'clusterUuid'), ('state', 'state'), ('status', 'status')),
    uuid_options=('zone_uuid', 'cluster_uuid'),
)


def main():
    run_read_module(ARGUMENT_SPEC, gather)


if __name__ == '__main__':
    main()
