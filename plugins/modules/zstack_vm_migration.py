#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: zstack_vm_migration
short_description: Live-migrate a ZStack VM instance to another host
version_added: 1.0.0
description:
  - Live-migrates a running VM with ZStack's MigrateVm API (C(PUT /zstack/v1/vm-instances/{uuid}/actions)
    with C(migrateVm)) and waits for the job to finish.
  - With O(host_uuid), migrates to that host; when the VM is already there nothing is done.
  - Without O(host_uuid), asks ZStack for the hosts the VM can move to (GetVmMigrationCandidateHosts,
    C(GET /zstack/v1/vm-instances/{uuid}/migration-target-hosts)), keeps those that run the qemu-kvm version
    O(require_version) when it is given, and picks the one with the most available memory (ties go to the lowest
    UUID, so the choice is repeatable). The VM is then always migrated.
  - When no candidate is left, the module fails before any change, naming the VM, every candidate and why each
    was rejected.
  - A live migration starts a new qemu process on the destination, so the VM then runs the qemu-kvm installed there.
author:
  - zstack.cloud contributors (@zstack-cloud)
extends_documentation_fragment:
  - zstack.cloud.zstack
  - zstack.cloud.zstack.wait
attributes:
  check_mode:
    description: Can run in check mode and return a changed status prediction without modifying the target.
    support: full
    details: The module reads the VM and the candidates, chooses the destination and reports it, without migrating.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: none
options:
  uuid:
    description: UUID of the VM, 32 lower-case hexadecimal characters.
    type: str
    required: true
  host_uuid:
    description:
      - The destination host. When omitted, the module chooses one as described above.
    type: str
  strategy:
    description:
      - ZStack's migration strategy, passed as given, for example V(auto-converge). ZStack's default when omitted.
    type: str
  require_version:
    description:
      - Only migrate to a host whose installed qemu-kvm (C(currentVersion) from ZStack's GetVirtualizerInfo, as
        M(zstack.cloud.zstack_virtualizer_info) reads it) is exactly this version, for example
        V(4.2.0-632.g6a6222b.el7).
      - With O(host_uuid), that host is checked and the module fails before any change when it differs.
      - Needs GetVirtualizerInfo, that is ZStack Cloud with the premium C(mevoco) module.
    type: str
  wait_timeout:
    description:
      - Seconds to wait for the migration job to finish.
      - A positive number; V(0) or a negative value fails the module before any API call.
    type: int
    default: 3600
notes:
  - Once a change was submitted, a failure (the wait timed out, the job failed, the answer was lost) still reports
    C(changed=true), and the message says that the resource may be in its old state, its new one or still changing.
  - ZStack's candidate list already leaves out hosts whose libvirt or upstream qemu version differs from the source
    host's, so during a rolling upgrade that changes those versions a VM may have no candidate at all.
seealso:
  - module: zstack.cloud.zstack_virtualizer_info
  - module: zstack.cloud.zstack_vm_instance
'''

EXAMPLES = r'''
- name: Move a VM to any host that runs the expected qemu-kvm
  zstack.cloud.zstack_vm_migration:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    uuid: 5c10fab3f649380e9dce16bb22ffd572
    require_version: 4.2.0-632.g6a6222b.el7
  register: moved

- name: Show where it went and what was considered
  ansible.builtin.debug:
    msg: "{{ moved.destination_host_uuid }}: {{ moved.candidates | map(attribute='rejected_reason') | list }}"

- name: Move a VM to a given host with auto-converge
  zstack.cloud.zstack_vm_migration:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    uuid: 5c10fab3f649380e9dce16bb22ffd572
    host_uuid: 3ce46fb7eb2e369c88d5fd671d1c1694
    strategy: auto-converge
'''

RETURN = r'''
vm_instance:
  description:
    - The VM inventory as ZStack returns it (camelCase), after the migration (in check mode, as read).
    - See M(zstack.cloud.zstack_vm_instance_info) for all its fields.
  returned: always
  type: dict
  contains:
    uuid:
      description: The VM UUID.
      returned: always
      type: str
    name:
      description: The VM name.
      returned: always
      type: str
    state:
      description: The VM state, V(Running) after a migration.
      returned: always
      type: str
    hostUuid:
      description: The host the VM is on now.
      returned: when the VM is on a host
      type: str
source_host_uuid:
  description: The host the VM was on before the module ran.
  returned: always
  type: str
  sample: 3ce46fb7eb2e369c88d5fd671d1c1694
destination_host_uuid:
  description: The host the VM was (in check mode, would be) migrated to; the current host when nothing was done.
  returned: always
  type: str
  sample: 5d3b1f0c9a8e4d7cb6a5f4e3d2c1b0a9
candidates:
  description:
    - The hosts ZStack offered as destinations, sorted as they were ranked (the selected one first).
    - Empty when O(host_uuid) is given (no candidates are asked for then).
  returned: always
  type: list
  elements: dict
  sample:
    - uuid: 5d3b1f0c9a8e4d7cb6a5f4e3d2c1b0a9
      name: kvm-4
      current_version: 4.2.0-632.g6a6222b.el7
      available_memory: 202937204736
      selected: true
      rejected_reason: null
    - uuid: 7a6b5c4d3e2f41a0b9c8d7e6f5a4b3c2
      name: kvm-3
      current_version: 4.2.0-627.g36ee592.el7
      available_memory: 202937204736
      selected: false
      rejected_reason: runs qemu-kvm 4.2.0-627.g36ee592.el7, not the required 4.2.0-632.g6a6222b.el7
  contains:
    uuid:
      description: The host UUID.
      returned: always
      type: str
    name:
      description: The host name.
      returned: always
      type: str
    current_version:
      description:
        - The host's installed qemu-kvm version as ZStack records it.
        - V(null) when O(require_version) is not given (versions are not read then) or ZStack holds none.
      returned: always
      type: str
    available_memory:
      description: The host's available memory in bytes (ZStack's C(availableMemoryCapacity)), the ranking key.
      returned: always
      type: int
    selected:
      description: Whether this host is the destination.
      returned: always
      type: bool
    rejected_reason:
      description:
        - Why the host could not be chosen; V(null) for the selected host and for eligible hosts with less
          available memory than it.
      returned: always
      type: str
actions:
  description:
    - The ZStack actions the module ran; empty when nothing was to be done.
    - In check mode, the migration it would run, with RV(actions[].job_uuid) V(null).
  returned: always
  type: list
  elements: dict
  contains:
    action:
      description: The ZStack action, V(migrateVm).
      returned: always
      type: str
    job_uuid:
      description: The UUID of the ZStack job that ran it; V(null) in check mode.
      returned: always
      type: str
    seconds:
      description: How long the job took, in seconds; V(0) in check mode.
      returned: always
      type: float
'''

from ansible_collections.zstack.cloud.plugins.module_utils._client import inventories_of
from ansible_collections.zstack.cloud.plugins.module_utils._module import WAIT_ARGUMENT_SPEC, begin_wait, new_module, run_module
from ansible_collections.zstack.cloud.plugins.module_utils._progress import subject
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackStateError
from ansible_collections.zstack.cloud.plugins.module_utils._resources import (
    VMS_PATH,
    action_record,
    check_timeout,
    get_inventory,
    run_action,
)
from ansible_collections.zstack.cloud.plugins.module_utils._virtualizer import VirtualizerInfoFetcher, validate_uuid

MIGRATABLE_STATES = ('Running', 'Unknown')


def rejection(host, source_uuid, info, require_version):
    """Why a candidate host cannot be the destination, or None."""
    if host.get('uuid') == source_uuid:
        return "it is the VM's current host"
    if require_version is None:
        return None
    version = (info or {}).get('current_version')
    if version is None:
        why = (info or {}).get('reason') or 'ZStack returned no version information for it'
        return 'its qemu-kvm version is not known (%s)' % why
    if version != require_version:
        return 'runs qemu-kvm %s, not the required %s' % (version, require_version)
    return None


def rank_candidates(hosts, source_uuid, versions, require_version):
    """Candidate entries, eligible ones first by most available memory then UUID; the first eligible is selected."""
    entries = []
    for host in hosts:
        info = versions.get(host.get('uuid')) if versions else None
        entries.append({
            'uuid': host.get('uuid'),
            'name': host.get('name'),
            'current_version': (info or {}).get('current_version'),
            'available_memory': host.get('availableMemoryCapacity') or 0,
            'selected': False,
            'rejected_reason': rejection(host, source_uuid, info, require_version),
        })
    entries.sort(key=lambda e: (e['rejected_reason'] is not None, -e['available_memory'], e['uuid'] or ''))
    if entries and entries[0]['rejected_reason'] is None:
        entries[0]['selected'] = True
    return entries


def host_versions(client, uuids):
    """uuid -> virtualizer_info entry (current_version, reason, ...) for the given hosts."""
    if not uuids:
        return {}
    return VirtualizerInfoFetcher(client).fetch(uuids, output='facts')['virtualizer_info']


def no_destination(vm, candidates, require_version):
    label = '%s (%s)' % (vm.get('name'), vm.get('uuid'))
    if not candidates:
        return ZStackStateError(
            'no destination host for VM %s: ZStack offered no migration candidate; nothing was changed' % label,
            remedy='Check the other hosts of the cluster are Enabled and Connected, with the same libvirt and qemu versions as the source')
    seen = '; '.join('%s (%s) %s' % (c['name'], c['uuid'], c['rejected_reason']) for c in candidates)
    return ZStackStateError(
        'no destination host for VM %s: ZStack offered %d candidate(s), all rejected: %s; nothing was changed'
        % (label, len(candidates), seen),
        remedy=('Upgrade and reconnect a candidate host so it runs qemu-kvm %s' % require_version) if require_version else None)


def check_destination(client, vm, host_uuid, require_version):
    """With an explicit destination and require_version: fail before any change when its version differs."""
    info = host_versions(client, [host_uuid]).get(host_uuid)
    reason = rejection({'uuid': host_uuid}, vm.get('hostUuid'), info, require_version)
    if reason:
        raise ZStackStateError('host %s cannot take VM %s (%s): %s; nothing was changed'
                               % (host_uuid, vm.get('name'), vm.get('uuid'), reason))


def migrate(module, client):
    params = module.params
    host_uuid, require_version = params['host_uuid'], params['require_version']
    validate_uuid(params['uuid'], 'uuid')
    validate_uuid(host_uuid, 'host_uuid')
    check_timeout(params['wait_timeout'])
    vm = get_inventory(client, VMS_PATH, params['uuid'], 'VM')
    source = vm.get('hostUuid')
    result = {'changed': False, 'vm_instance': vm, 'source_host_uuid': source, 'destination_host_uuid': source,
              'candidates': [], 'actions': []}
    if host_uuid and host_uuid == source:
        return result
    if vm.get('state') not in MIGRATABLE_STATES:
        raise ZStackStateError('VM %s (%s) is %s; ZStack live-migrates only a Running VM; nothing was changed'
                               % (vm.get('name'), vm.get('uuid'), vm.get('state')))
    if host_uuid:
        if require_version is not None:
            check_destination(client, vm, host_uuid, require_version)
        destination, destination_name = host_uuid, None
    else:
        path = '%s/%s/migration-target-hosts' % (VMS_PATH, params['uuid'])
        hosts = inventories_of(client.get(path), 'GET', '/v1' + path, mask=client.mask)
        versions = host_versions(client, [h['uuid'] for h in hosts]) if require_version is not None else {}
        result['candidates'] = rank_candidates(hosts, source, versions, require_version)
        chosen = [c for c in result['candidates'] if c['selected']]
        if not chosen:
            raise no_destination(vm, result['candidates'], require_version)
        destination = chosen[0]['uuid']
        destination_name = chosen[0]['name']
    result.update(changed=True, destination_host_uuid=destination)
    body = {'hostUuid': destination}
    if params['strategy']:
        body['strategy'] = params['strategy']
    if module.check_mode:
        result['actions'] = [action_record('migrateVm')]
        return result
    begin_wait(client, 'migrateVm of %s from host %s to %s' % (subject('VM', vm.get('name'), params['uuid']), source,
                                                               subject('host', destination_name, destination)),
               params['wait_timeout'])
    inventory, record = run_action(client, VMS_PATH, params['uuid'], 'migrateVm', body, timeout=params['wait_timeout'])
    result.update(vm_instance=inventory or vm, actions=[record])
    return result


def main():
    module = new_module(
        argument_spec=dict(
            uuid=dict(type='str', required=True),
            host_uuid=dict(type='str'),
            strategy=dict(type='str'),
            require_version=dict(type='str'),
            wait_timeout=dict(type='int', default=3600),
            **WAIT_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    run_module(module, migrate)


if __name__ == '__main__':
    main()
