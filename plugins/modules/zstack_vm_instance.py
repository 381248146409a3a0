#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: zstack_vm_instance
short_description: Start, stop or reboot a ZStack VM instance
version_added: 1.0.0
description:
  - Starts, stops or reboots an existing ZStack VM with ZStack's StartVmInstance, StopVmInstance and
    RebootVmInstance APIs (C(PUT /zstack/v1/vm-instances/{uuid}/actions)).
  - V(running) and V(stopped) act only when the VM is not in that state already; V(rebooted) always reboots.
  - Each call is an async ZStack job; the module waits for it to finish and reports its job UUID in RV(actions).
  - On KVM a ZStack reboot stops and starts the qemu process, so the VM then runs the qemu-kvm installed on its host.
author:
  - zstack.cloud contributors (@zstack-cloud)
extends_documentation_fragment:
  - zstack.cloud.zstack
  - zstack.cloud.zstack.wait
attributes:
  check_mode:
    description: Can run in check mode and return a changed status prediction without modifying the target.
    support: full
    details: The module reads the VM and reports what it would do, without any changing call.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: full
    details: The diff shows the VM state before and after.
options:
  uuid:
    description: UUID of the VM, 32 lower-case hexadecimal characters.
    type: str
    required: true
  state:
    description:
      - V(running) starts the VM unless it is C(Running).
      - V(stopped) stops the VM unless it is C(Stopped).
      - V(rebooted) reboots the VM; it must be C(Running), otherwise the module fails before any change.
      - When omitted, the module only reads the VM.
      - ZStack refuses these operations in transitional states (for example C(Migrating)); the module reports
        ZStack's error then.
    type: str
    choices: [running, stopped, rebooted]
  stop_type:
    description:
      - How to stop the VM for O(state=stopped). V(grace) asks the guest to shut down; V(cold) powers it off.
    type: str
    choices: [grace, cold]
    default: grace
  host_uuid:
    description:
      - The host to start the VM on, for O(state=running). ZStack picks one when omitted.
      - It is not used when the VM is already running; move a running VM with M(zstack.cloud.zstack_vm_migration).
    type: str
  wait_timeout:
    description:
      - Seconds to wait for the ZStack job to finish.
      - A positive number; V(0) or a negative value fails the module before any API call.
    type: int
    default: 3600
notes:
  - Once a change was submitted, a failure (the wait timed out, the job failed, the answer was lost) still reports
    C(changed=true), and the message says that the resource may be in its old state, its new one or still changing.
  - A job that does not finish within O(wait_timeout) fails the module, but may still run on the management node.
seealso:
  - module: zstack.cloud.zstack_vm_instance_info
  - module: zstack.cloud.zstack_vm_migration
'''

EXAMPLES = r'''
- name: Reboot a VM so it runs the host's current qemu-kvm
  zstack.cloud.zstack_vm_instance:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    uuid: 5c10fab3f649380e9dce16bb22ffd572
    state: rebooted

- name: Power a VM off
  zstack.cloud.zstack_vm_instance:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    uuid: 5c10fab3f649380e9dce16bb22ffd572
    state: stopped
    stop_type: cold

- name: Start it on a chosen host
  zstack.cloud.zstack_vm_instance:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    uuid: 5c10fab3f649380e9dce16bb22ffd572
    state: running
    host_uuid: 3ce46fb7eb2e369c88d5fd671d1c1694
'''

RETURN = r'''
vm_instance:
  description:
    - The VM inventory as ZStack returns it (camelCase), after the action (in check mode, as read).
    - See M(zstack.cloud.zstack_vm_instance_info) for all its fields.
  returned: always
  type: dict
  sample:
    uuid: 5c10fab3f649380e9dce16bb22ffd572
    name: vm-1
    state: Running
    hostUuid: 3ce46fb7eb2e369c88d5fd671d1c1694
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
      description: The VM state, for example V(Running) or V(Stopped).
      returned: always
      type: str
    hostUuid:
      description: The host the VM is on now. Absent when it is stopped.
      returned: when the VM is on a host
      type: str
    lastHostUuid:
      description: The host the VM ran on last.
      returned: when the VM has run
      type: str
previous_state:
  description: The VM state before the module ran.
  returned: always
  type: str
  sample: Stopped
actions:
  description:
    - The ZStack actions the module ran; empty when nothing was to be done.
    - In check mode, the action it would run, with RV(actions[].job_uuid) V(null).
  returned: always
  type: list
  elements: dict
  sample:
    - action: rebootVmInstance
      job_uuid: 0a1b2c3d4e5f40718293a4b5c6d7e8f9
      seconds: 12.1
  contains:
    action:
      description: The ZStack action, V(startVmInstance), V(stopVmInstance) or V(rebootVmInstance).
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
from ansible_collections.zstack.cloud.plugins.module_utils._virtualizer import validate_uuid

RESULT_STATE = {'startVmInstance': 'Running', 'stopVmInstance': 'Stopped', 'rebootVmInstance': 'Running'}


def plan(vm, state, stop_type, host_uuid):
    """The (action, params) to run, or None; raises ZStackStateError for a reboot of a VM that is not running."""
    current = vm.get('state')
    if state == 'running' and current != 'Running':
        return 'startVmInstance', ({'hostUuid': host_uuid} if host_uuid else {})
    if state == 'stopped' and current != 'Stopped':
        return 'stopVmInstance', {'type': stop_type}
    if state == 'rebooted':
        if current != 'Running':
            raise ZStackStateError(
                'VM %s (%s) is %s; ZStack reboots only a Running VM; nothing was changed' % (vm.get('name'), vm.get('uuid'), current),
                remedy='Use state=running to start it')
        return 'rebootVmInstance', {}
    return None


def manage(module, client):
    params = module.params
    validate_uuid(params['uuid'], 'uuid')
    validate_uuid(params['host_uuid'], 'host_uuid')
    check_timeout(params['wait_timeout'])
    vm = get_inventory(client, VMS_PATH, params['uuid'], 'VM')
    previous = vm.get('state')
    step = plan(vm, params['state'], params['stop_type'], params['host_uuid'])
    if params['host_uuid'] and params['state'] == 'running' and step is None and vm.get('hostUuid') != params['host_uuid']:
        module.warn('VM %s already runs on host %s; host_uuid is used only to start a VM. '
                    'Move it with zstack.cloud.zstack_vm_migration.' % (params['uuid'], vm.get('hostUuid')))
    actions = []
    if step and module.check_mode:
        actions.append(action_record(step[0]))
    elif step:
        begin_wait(client, '%s of %s' % (step[0], subject('VM', vm.get('name'), params['uuid'])), params['wait_timeout'])
        inventory, record = run_action(client, VMS_PATH, params['uuid'], step[0], step[1], timeout=params['wait_timeout'])
        vm = inventory or vm
        actions.append(record)
    result = {'changed': step is not None, 'vm_instance': vm, 'previous_state': previous, 'actions': actions}
    if module._diff:
        after = RESULT_STATE[step[0]] if step and module.check_mode else vm.get('state')
        result['diff'] = {'before': {'state': previous}, 'after': {'state': after}}
    return result


def main():
    module = new_module(
        argument_spec=dict(
            uuid=dict(type='str', required=True),
            state=dict(type='str', choices=['running', 'stopped', 'rebooted']),
            stop_type=dict(type='str', choices=['grace', 'cold'], default='grace'),
            host_uuid=dict(type='str'),
            wait_timeout=dict(type='int', default=3600),
            **WAIT_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    run_module(module, manage)


if __name__ == '__main__':
    main()
