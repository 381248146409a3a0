#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: zstack_vm_instance_info
short_description: List ZStack VM instances
version_added: 1.0.0
description:
  - Calls ZStack's QueryVmInstance API (C(GET /zstack/v1/vm-instances)) and returns the inventories of every
    matching VM, exactly as ZStack returns them (camelCase keys).
  - All given filters are ANDed. Without any filter every VM the account may see is returned.
  - Pages through fleets of any size with O(page_size) VMs a request; a long O(uuids) list is split into
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
    description: Only VMs of this zone.
    type: str
  cluster_uuid:
    description: Only VMs of this cluster.
    type: str
  host_uuid:
    description:
      - Only VMs currently on this host (ZStack's C(hostUuid); a stopped VM has none).
    type: str
  state:
    description:
      - Only VMs in one of these states, for example V([Running]) or V([Stopped, Unknown]).
      - ZStack's states are C(Created), C(Starting), C(Running), C(Stopping), C(Stopped), C(Rebooting),
        C(Destroying), C(Destroyed), C(Migrating), C(Expunging), C(Pausing), C(Paused), C(Resuming),
        C(VolumeMigrating), C(VolumeRecovering), C(Error), C(NoState), C(Unknown) and C(Crashed).
    type: list
    elements: str
notes:
  - An admin account sees every VM; any other account sees only its own.
seealso:
  - module: zstack.cloud.zstack_vm_instance
  - module: zstack.cloud.zstack_vm_migration
'''

EXAMPLES = r'''
- name: List the running VMs of a host
  zstack.cloud.zstack_vm_instance_info:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    host_uuid: 3ce46fb7eb2e369c88d5fd671d1c1694
    state: [Running]
  register: on_host

- name: Show their names and addresses
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.vmNics | map(attribute='ip') | list }}"
  loop: "{{ on_host.vm_instances }}"

- name: Find a VM by one of its addresses
  zstack.cloud.zstack_vm_instance_info:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    conditions:
      - vmNics.ip=192.168.10.101
  register: by_ip

- name: List every running VM of a large fleet with only the fields needed
  zstack.cloud.zstack_vm_instance_info:
    state: [Running]
    fields: [uuid, name, hostUuid, clusterUuid]
  register: running
'''

RETURN = r'''
vm_instances:
  description:
    - The matching VM inventories as ZStack returns them (camelCase), sorted by UUID.
    - The main fields are listed here. Fields without a value (for example C(hostUuid) of a stopped VM) are absent.
    - With O(fields), each inventory has only those fields (and C(uuid)).
  returned: always
  type: list
  elements: dict
  sample:
    - uuid: 5c10fab3f649380e9dce16bb22ffd572
      name: vm-1
      state: Running
      hostUuid: 3ce46fb7eb2e369c88d5fd671d1c1694
      lastHostUuid: 3ce46fb7eb2e369c88d5fd671d1c1694
      clusterUuid: 8f5a1e7c0d6b4b2a9c3e4f5a6b7c8d9e
      zoneUuid: 0c5f3e3ad8a548a8a5b0b3a9d4e6f7a1
      hypervisorType: KVM
      memorySize: 2147483648
      cpuNum: 2
      vmNics:
        - uuid: 1b8c6a1f0f2e4d3c9a8b7c6d5e4f3a2b
          ip: 192.168.10.101
          mac: fa:16:3e:12:34:56
          l3NetworkUuid: 6d2c5b4a39184f7e8d6c5b4a39281716
  contains:
    uuid:
      description: The VM UUID.
      returned: always
      type: str
    name:
      description: The VM name.
      returned: always
      type: str
    description:
      description: The VM description.
      returned: when set
      type: str
    state:
      description: The VM state, for example V(Running) or V(Stopped).
      returned: always
      type: str
    hostUuid:
      description: The host the VM is on now. Absent when the VM is not on a host (stopped).
      returned: when the VM is on a host
      type: str
    lastHostUuid:
      description: The host the VM ran on last.
      returned: when the VM has run
      type: str
    clusterUuid:
      description: The UUID of the VM's cluster.
      returned: when known
      type: str
    zoneUuid:
      description: The UUID of the VM's zone.
      returned: when known
      type: str
    imageUuid:
      description: The image the VM was created from.
      returned: when known
      type: str
    instanceOfferingUuid:
      description: The instance offering of the VM.
      returned: when known
      type: str
    rootVolumeUuid:
      description: The root volume of the VM.
      returned: always
      type: str
    defaultL3NetworkUuid:
      description: The default L3 network of the VM.
      returned: when the VM has a NIC
      type: str
    type:
      description: The VM type, V(UserVm) or V(ApplianceVm).
      returned: always
      type: str
    hypervisorType:
      description: The hypervisor type, V(KVM).
      returned: always
      type: str
    platform:
      description: The guest platform, for example V(Linux).
      returned: always
      type: str
    architecture:
      description: The CPU architecture, for example V(x86_64).
      returned: when known
      type: str
    memorySize:
      description: Memory in bytes.
      returned: always
      type: int
    cpuNum:
      description: Number of vCPUs.
      returned: always
      type: int
    createDate:
      description: When the VM was created, in the management node's local time.
      returned: always
      type: str
    lastOpDate:
      description: When the VM record last changed, in the same format.
      returned: always
      type: str
    vmNics:
      description: The VM's network interfaces.
      returned: always
      type: list
      elements: dict
      contains:
        uuid:
          description: The NIC UUID.
          returned: always
          type: str
        ip:
          description: The NIC's IP address.
          returned: when assigned
          type: str
        mac:
          description: The NIC's MAC address.
          returned: always
          type: str
        netmask:
          description: The netmask of the IP address.
          returned: when assigned
          type: str
        gateway:
          description: The gateway of the NIC's network.
          returned: when known
          type: str
        l3NetworkUuid:
          description: The L3 network of the NIC.
          returned: always
          type: str
        deviceId:
          description: The NIC's device index in the VM.
          returned: always
          type: int
    allVolumes:
      description: The VM's volumes (volume inventories).
      returned: always
      type: list
      elements: dict
'''

from ansible_collections.zstack.cloud.plugins.module_utils._module import query_gather, query_spec, run_read_module
from ansible_collections.zstack.cloud.plugins.module_utils._resources import VMS_PATH


#: the options and the body of this read module (the role's steps run them in the controller's process too)
ARGUMENT_SPEC = query_spec(dict(
    zone_uuid=dict(type='str'),
    cluster_uuid=dict(type='str'),
    host_uuid=dict(type='str'),
    state=dict(type='list', elements='str'),
))
gather = query_gather(
    VMS_PATH, 'vm_instances',
    filters=(('zone_uuid', 'zoneUuid'), ('cluster_uuid', 'clusterUuid'), ('host_uuid', 'hostUuid')),
    list_filters=(('state', 'state'),),
    uuid_options=('zone_uuid', 'cluster_uuid', 'host_uuid'),
)


def main():
    run_read_module(ARGUMENT_SPEC, gather)


if __name__ == '__main__':
    main()
