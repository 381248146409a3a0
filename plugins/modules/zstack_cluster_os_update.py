#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: zstack_cluster_os_update
short_description: Update the operating system packages of a ZStack cluster's hosts
version_added: 1.0.0
description:
  - Submits ZStack's UpdateClusterOS API (C(PUT /zstack/v1/clusters/{uuid}/actions) with C(updateClusterOS)),
    which updates the packages of every host of the cluster, or of one host, from the management node's repository.
  - ZStack runs the update as a long job and answers as soon as it is submitted. With O(wait=true) the module
    follows the long job (QueryLongJob, C(GET /zstack/v1/longjobs/{uuid})) until it is C(Succeeded), and fails
    when it ends C(Failed) or C(Canceled) or O(wait_timeout) passes, with the long job's result text.
  - Every run submits an update, so the module always reports a change; ZStack cannot tell beforehand whether
    any package would change.
  - After a qemu-kvm update, reconnect the hosts (M(zstack.cloud.zstack_host) with O(zstack.cloud.zstack_host#module:reconnect=true))
    so ZStack reads the new version, then reboot or migrate their VMs.
author:
  - zstack.cloud contributors (@zstack-cloud)
extends_documentation_fragment:
  - zstack.cloud.zstack
  - zstack.cloud.zstack.wait
attributes:
  check_mode:
    description: Can run in check mode and return a changed status prediction without modifying the target.
    support: full
    details: The module reads the cluster (and the host) and reports the request it would send, without sending it.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: none
options:
  cluster_uuid:
    description: UUID of the cluster, 32 lower-case hexadecimal characters.
    type: str
    required: true
  host_uuid:
    description: Update only this host of the cluster. All hosts of the cluster when omitted.
    type: str
  update_packages:
    description: Update only these packages, for example V([qemu-kvm]). All packages when omitted.
    type: list
    elements: str
  exclude_packages:
    description: Leave these packages out of the update.
    type: list
    elements: str
  release_version:
    description: The release of the management node's repository to update to, for example V(c76).
    type: str
  force:
    description: ZStack's C(force) flag of UpdateClusterOS.
    type: bool
    default: false
  wait:
    description: Wait for the long job to finish. When V(false) the module returns once the update is submitted.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait in all, for the submission and, with O(wait=true), for the long job to finish.
      - A positive number; V(0) or a negative value fails the module before any API call.
    type: int
    default: 7200
notes:
  - Once a change was submitted, a failure (the wait timed out, the job failed, the answer was lost) still reports
    C(changed=true), and the message says that the resource may be in its old state, its new one or still changing.
  - When O(wait_timeout) passes, the long job keeps running on the management node; follow it with its UUID
    (RV(long_job.uuid)) in QueryLongJob.
seealso:
  - module: zstack.cloud.zstack_host
  - module: zstack.cloud.zstack_virtualizer_info
'''

EXAMPLES = r'''
- name: Update qemu-kvm on one host of a cluster and wait for it
  zstack.cloud.zstack_cluster_os_update:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    cluster_uuid: 8f5a1e7c0d6b4b2a9c3e4f5a6b7c8d9e
    host_uuid: 3ce46fb7eb2e369c88d5fd671d1c1694
    update_packages: [qemu-kvm]
  register: update

- name: Submit a whole-cluster update and return at once
  zstack.cloud.zstack_cluster_os_update:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    cluster_uuid: 8f5a1e7c0d6b4b2a9c3e4f5a6b7c8d9e
    exclude_packages: [kernel]
    wait: false
  register: submitted
'''

RETURN = r'''
long_job:
  description:
    - The long job inventory as ZStack returns it (camelCase); in its final state with O(wait=true),
      as submitted otherwise.
    - In check mode, V({}).
  returned: always
  type: dict
  sample:
    uuid: 2e4b6d8f0a1c43e5b7d9f1a3c5e7b9d1
    name: update cluster os
    jobName: APIUpdateClusterOSMsg
    state: Succeeded
    targetResourceUuid: 8f5a1e7c0d6b4b2a9c3e4f5a6b7c8d9e
  contains:
    uuid:
      description: The long job UUID.
      returned: when submitted
      type: str
    name:
      description: The long job name.
      returned: when submitted
      type: str
    jobName:
      description: The API message the long job runs.
      returned: when submitted
      type: str
    apiId:
      description: The ID of the API call that created the long job.
      returned: when submitted
      type: str
    jobData:
      description: The request data of the long job (JSON text).
      returned: when submitted
      type: str
    jobResult:
      description: The result text of the long job; on failure the error.
      returned: when finished
      type: str
    state:
      description: The long job state.
      returned: when submitted
      type: str
      choices: [Waiting, Suspended, Running, Succeeded, Canceling, Canceled, Failed]
    targetResourceUuid:
      description: The cluster the long job works on.
      returned: when submitted
      type: str
    executeTime:
      description: How long the long job ran, in seconds.
      returned: when finished
      type: int
    createDate:
      description: When the long job was created, in the management node's local time.
      returned: when submitted
      type: str
    lastOpDate:
      description: When the long job last changed, in the same format.
      returned: when submitted
      type: str
job_uuid:
  description: The UUID of the ZStack API job that submitted the update; V(null) in check mode.
  returned: always
  type: str
  sample: 0a1b2c3d4e5f40718293a4b5c6d7e8f9
request:
  description: The body of the UpdateClusterOS call, sent or (in check mode) that would be sent.
  returned: always
  type: dict
  sample: {updateClusterOS: {hostUuid: 3ce46fb7eb2e369c88d5fd671d1c1694, updatePackages: [qemu-kvm], force: false}}
  contains:
    updateClusterOS:
      description: The parameters, with ZStack's names.
      returned: always
      type: dict
      contains:
        hostUuid:
          description: The one host to update.
          returned: when O(host_uuid) is given
          type: str
        updatePackages:
          description: The packages to update.
          returned: when O(update_packages) is given
          type: list
          elements: str
        excludePackages:
          description: The packages to leave out.
          returned: when O(exclude_packages) is given
          type: list
          elements: str
        releaseVersion:
          description: The repository release to update to.
          returned: when O(release_version) is given
          type: str
        force:
          description: ZStack's C(force) flag.
          returned: always
          type: bool
'''

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackError, ZStackJobError
from ansible_collections.zstack.cloud.plugins.module_utils._module import WAIT_ARGUMENT_SPEC, begin_wait, new_module, run_module
from ansible_collections.zstack.cloud.plugins.module_utils._progress import subject
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackStateError
from ansible_collections.zstack.cloud.plugins.module_utils._resources import (
    CLUSTERS_PATH,
    HOSTS_PATH,
    check_timeout,
    get_inventory,
    run_action,
    wait_long_job,
)
from ansible_collections.zstack.cloud.plugins.module_utils._virtualizer import validate_uuid

ACTION = 'updateClusterOS'
PARAMS = (('host_uuid', 'hostUuid'), ('update_packages', 'updatePackages'),
          ('exclude_packages', 'excludePackages'), ('release_version', 'releaseVersion'))


def build_request(params):
    """The updateClusterOS parameters from the module's options (only those given)."""
    body = dict((field, params[option]) for option, field in PARAMS if params.get(option) is not None)
    body['force'] = params['force']
    return body


def update(module, client):
    params = module.params
    validate_uuid(params['cluster_uuid'], 'cluster_uuid')
    validate_uuid(params['host_uuid'], 'host_uuid')
    check_timeout(params['wait_timeout'])
    cluster = get_inventory(client, CLUSTERS_PATH, params['cluster_uuid'], 'cluster', option='cluster_uuid')
    what = 'updateClusterOS of %s' % subject('cluster', cluster.get('name'), params['cluster_uuid'])
    if params['host_uuid']:
        host = get_inventory(client, HOSTS_PATH, params['host_uuid'], 'host', option='host_uuid')
        if host.get('clusterUuid') != cluster.get('uuid'):
            raise ZStackStateError('host %s (%s) is in cluster %s, not in %s (%s); nothing was submitted'
                                   % (host.get('name'), host.get('uuid'), host.get('clusterUuid'), cluster.get('name'), cluster.get('uuid')))
        what += ', %s' % subject('host', host.get('name'), params['host_uuid'])
    body = build_request(params)
    result = {'changed': True, 'long_job': {}, 'job_uuid': None, 'request': {ACTION: body}}
    if module.check_mode:
        return result
    begin_wait(client, what, params['wait_timeout'])
    long_job, record = run_action(client, CLUSTERS_PATH, params['cluster_uuid'], ACTION, body, timeout=params['wait_timeout'])
    result.update(long_job=long_job, job_uuid=record['job_uuid'])
    if params['wait']:
        try:
            if not long_job.get('uuid'):
                raise ZStackJobError('UpdateClusterOS answered without a long job inventory, so there is nothing to wait for',
                                     method='PUT', path='/v1%s/%s/actions' % (CLUSTERS_PATH, params['cluster_uuid']),
                                     job_uuid=record['job_uuid'])
            remaining = max(params['wait_timeout'] - record['seconds'], 0)
            begin_wait(client, what, remaining)
            result['long_job'] = wait_long_job(client, long_job['uuid'], remaining, max_interval=params['poll_interval'])
        except ZStackError as exc:
            exc.changed = True  # the upgrade was submitted: the cluster's hosts may be upgraded, or upgrading
            exc.message += ('; the update of cluster %s was submitted (job %s): its hosts may be upgraded, upgrading or as '
                            'they were; check the long job and the hosts before running again' % (params['cluster_uuid'], record['job_uuid']))
            raise
    return result


def main():
    module = new_module(
        argument_spec=dict(
            cluster_uuid=dict(type='str', required=True),
            host_uuid=dict(type='str'),
            update_packages=dict(type='list', elements='str'),
            exclude_packages=dict(type='list', elements='str'),
            release_version=dict(type='str'),
            force=dict(type='bool', default=False),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='int', default=7200),
            **WAIT_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    run_module(module, update)


if __name__ == '__main__':
    main()
