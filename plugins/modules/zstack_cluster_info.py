#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: zstack_cluster_info
short_description: List ZStack clusters
version_added: 2.0.0
description:
  - Calls ZStack's QueryCluster API (C(GET /zstack/v1/clusters)) and returns the inventories of every matching
    cluster, exactly as ZStack returns them (camelCase keys).
  - All given filters are ANDed. Without any filter every cluster the account may see is returned.
  - Pages through the result with O(page_size) clusters a request; a long O(uuids) list is split into
    several requests so that no request line exceeds what a management node accepts.
  - The usual use is a name (and the zone) for each cluster UUID that other results carry (C(clusterUuid) of hosts and VMs).
author:
  - zstack.cloud contributors (@zstack-cloud)
extends_documentation_fragment:
  - zstack.cloud.zstack
  - zstack.cloud.zstack.info_module
  - zstack.cloud.zstack.query
  - zstack.cloud.zstack.query_fields
options:
  zone_uuid:
    description: Only clusters of this zone.
    type: str
  state:
    description: Only clusters in this state.
    type: str
    choices: [Enabled, Disabled]
  hypervisor_type:
    description: Only clusters of this hypervisor type, for example V(KVM).
    type: str
seealso:
  - module: zstack.cloud.zstack_zone_info
  - module: zstack.cloud.zstack_host_info
  - module: zstack.cloud.zstack_cluster_os_update
'''

EXAMPLES = r'''
- name: List the clusters of a zone
  zstack.cloud.zstack_cluster_info:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    zone_uuid: 0c5f3e3ad8a548a8a5b0b3a9d4e6f7a1
  register: zone_clusters

- name: Name the clusters of some hosts, with their zones (a cluster deleted meanwhile is simply not in the result)
  zstack.cloud.zstack_cluster_info:
    uuids: "{{ found_hosts.hosts | map(attribute='clusterUuid') | unique }}"
    fields: [uuid, name, zoneUuid]
  register: host_clusters

- name: Find the enabled aarch64 clusters, with a raw condition
  zstack.cloud.zstack_cluster_info:
    state: Enabled
    conditions:
      - architecture=aarch64
  register: arm_clusters
'''

RETURN = r'''
clusters:
  description:
    - The matching cluster inventories as ZStack returns them (camelCase), sorted by UUID.
    - Fields without a value (for example an unset C(description)) are absent.
    - With O(fields), each inventory has only those fields (and C(uuid)).
  returned: always
  type: list
  elements: dict
  sample:
    - uuid: 8f5a1e7c0d6b4b2a9c3e4f5a6b7c8d9e
      name: cluster-1a
      zoneUuid: 0c5f3e3ad8a548a8a5b0b3a9d4e6f7a1
      state: Enabled
      hypervisorType: KVM
      type: zstack
      architecture: x86_64
      createDate: Oct 1, 2024 9:00:00 AM
      lastOpDate: Oct 1, 2024 9:00:00 AM
  contains:
    uuid:
      description: The cluster UUID.
      returned: always
      type: str
    name:
      description: The cluster name.
      returned: always
      type: str
    description:
      description: The cluster description.
      returned: when set
      type: str
    zoneUuid:
      description: The UUID of the cluster's zone.
      returned: always
      type: str
    state:
      description: The cluster state.
      returned: always
      type: str
      choices: [Enabled, Disabled]
    hypervisorType:
      description: The hypervisor type of the cluster's hosts, V(KVM).
      returned: always
      type: str
    type:
      description: The cluster type, V(zstack).
      returned: always
      type: str
    architecture:
      description: The CPU architecture of the cluster's hosts, for example V(x86_64) or V(aarch64).
      returned: when known
      type: str
    createDate:
      description: When the cluster was created, in the management node's local time (for example V(Oct 1, 2024 9:00:00 AM)).
      returned: always
      type: str
    lastOpDate:
      description: When the cluster record last changed, in the same format.
      returned: always
      type: str
'''

from ansible_collections.zstack.cloud.plugins.module_utils._module import query_gather, query_spec, run_read_module
from ansible_collections.zstack.cloud.plugins.module_utils._resources import CLUSTERS_PATH


#: the options and the body of this read module (the role's steps run them in the controller's process too)
ARGUMENT_SPEC = query_spec(dict(
    zone_uuid=dict(type='str'),
    state=dict(type='str', choices=['Enabled', 'Disabled']),
    hypervisor_type=dict(type='str'),
))
gather = query_gather(
    CLUSTERS_PATH, 'clusters',
    filters=(('zone_uuid', 'zoneUuid'), ('state', 'state'), ('hypervisor_type', 'hypervisorType')),
    uuid_options=('zone_uuid',),
)


def main():
    run_read_module(ARGUMENT_SPEC, gather)


if __name__ == '__main__':
    main()
