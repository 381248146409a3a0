#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: zstack_host
short_description: Enable, disable, maintain or reconnect a ZStack host
version_added: 1.0.0
description:
  - Puts a ZStack host into the administrative state O(state) with ZStack's ChangeHostState API
    (C(PUT /zstack/v1/hosts/{uuid}/actions) with C(changeHostState)), only when the host is not in it already.
  - Reconnects the host with ZStack's ReconnectHost API when O(reconnect=true); ZStack then reads the host's
    facts again, among them its installed qemu-kvm version.
  - When both are asked for, the state change runs first, then the reconnect.
  - Each call is an async ZStack job; the module waits for it to finish and reports its job UUID in RV(actions).
author:
  - zstack.cloud contributors (@zstack-cloud)
extends_documentation_fragment:
  - zstack.cloud.zstack
  - zstack.cloud.zstack.wait
attributes:
  check_mode:
    description: Can run in check mode and return a changed status prediction without modifying the target.
    support: full
    details: The module reads the host and reports what it would do, without any changing call.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: full
    details: The diff shows the host's administrative state before and after.
options:
  uuid:
    description: UUID of the host, 32 lower-case hexadecimal characters.
    type: str
    required: true
  state:
    description:
      - The administrative state the host should be in.
      - V(enabled) and V(disabled) compare with the host's C(Enabled) and C(Disabled) states.
      - V(maintenance) is met by C(Maintenance) and by C(PreMaintenance) (the host is entering maintenance);
        otherwise ZStack's C(maintain) event is sent. ZStack then migrates the host's VMs away before the host
        reaches C(Maintenance). Under ZStack's default maintenance policy C(StopVmOnMigrationFailure)
        a VM that fails to migrate is B(stopped); read the policy with M(zstack.cloud.zstack_global_config_info)
        (category C(host), name C(host.maintenance.policy)) before maintaining hosts with running VMs.
      - ZStack refuses to maintain a host that is not C(Connected); the module fails before any change then.
      - When omitted, the state is left as it is.
    type: str
    choices: [enabled, disabled, maintenance]
  reconnect:
    description:
      - Reconnect the host (ZStack's ReconnectHost). This always reports a change.
      - ZStack refuses to reconnect a host in C(Maintenance) or C(PreMaintenance); the module fails before any
        change when the host is, or is about to be put, in maintenance. Enable the host first.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for each ZStack job (state change, reconnect) to finish.
      - A positive number; V(0) or a negative value fails the module before any API call.
    type: int
    default: 3600
notes:
  - Once a change was submitted, a failure (the wait timed out, the job failed, the answer was lost) still reports
    C(changed=true), and the message says that the resource may be in its old state, its new one or still changing.
  - A job that does not finish within O(wait_timeout) fails the module, but may still run on the management node.
  - When the reconnect fails after the state change succeeded, the failure message names the job of the state change.
seealso:
  - module: zstack.cloud.zstack_host_info
  - module: zstack.cloud.zstack_global_config_info
'''

EXAMPLES = r'''
- name: Put a host into maintenance (its VMs are migrated away by ZStack)
  zstack.cloud.zstack_host:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    uuid: 3ce46fb7eb2e369c88d5fd671d1c1694
    state: maintenance
    wait_timeout: 7200
  register: maintained

- name: Enable the host again and reconnect it so ZStack reads its new qemu-kvm version
  zstack.cloud.zstack_host:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    uuid: 3ce46fb7eb2e369c88d5fd671d1c1694
    state: enabled
    reconnect: true
  register: back

- name: Show the ZStack jobs that ran
  ansible.builtin.debug:
    msg: "{{ back.actions | map(attribute='job_uuid') | list }}"
'''

RETURN = r'''
host:
  description:
    - The host inventory as ZStack returns it (camelCase), after the last action (in check mode, as read).
    - See M(zstack.cloud.zstack_host_info) for all its fields.
  returned: always
  type: dict
  sample:
    uuid: 3ce46fb7eb2e369c88d5fd671d1c1694
    name: kvm-1
    managementIp: 10.0.1.11
    state: Maintenance
    status: Connected
  contains:
    uuid:
      description: The host UUID.
      returned: always
      type: str
    name:
      description: The host name.
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
previous_state:
  description: The host's administrative state before the module ran.
  returned: always
  type: str
  sample: Enabled
actions:
  description:
    - The ZStack actions the module ran, in order; empty when nothing was to be done.
    - In check mode, the actions it would run, with RV(actions[].job_uuid) V(null).
  returned: always
  type: list
  elements: dict
  sample:
    - action: changeHostState
      job_uuid: 0a1b2c3d4e5f40718293a4b5c6d7e8f9
      seconds: 42.5
  contains:
    action:
      description: The ZStack action, V(changeHostState) or V(reconnectHost).
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

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackError
from ansible_collections.zstack.cloud.plugins.module_utils._module import WAIT_ARGUMENT_SPEC, begin_wait, new_module, run_module
from ansible_collections.zstack.cloud.plugins.module_utils._progress import subject
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackStateError
from ansible_collections.zstack.cloud.plugins.module_utils._resources import (
    HOSTS_PATH,
    action_record,
    check_timeout,
    get_inventory,
    run_action,
)

TARGET_STATE = {'enabled': 'Enabled', 'disabled': 'Disabled', 'maintenance': 'Maintenance'}
STATE_EVENT = {'enabled': 'enable', 'disabled': 'disable', 'maintenance': 'maintain'}
MAINTENANCE_STATES = ('PreMaintenance', 'Maintenance')


def in_state(current, state):
    """Whether a host in ZStack state ``current`` already meets the module's ``state``."""
    if state == 'maintenance':
        return current in MAINTENANCE_STATES
    return current == TARGET_STATE[state]


def plan(host, state, reconnect):
    """The (action, params) pairs to run, in order; raises ZStackStateError for a plan ZStack would refuse."""
    steps = []
    final_state = host.get('state')
    if state is not None and not in_state(final_state, state):
        if state == 'maintenance' and host.get('status') != 'Connected':
            raise ZStackStateError(
                'host %s (%s) is %s, and ZStack maintains only a Connected host; nothing was changed'
                % (host.get('name'), host.get('uuid'), host.get('status')),
                remedy='Reconnect the host first (reconnect=true)')
        steps.append(('changeHostState', {'stateEvent': STATE_EVENT[state]}))
        final_state = TARGET_STATE[state]
    if reconnect:
        if final_state in MAINTENANCE_STATES:
            raise ZStackStateError(
                'host %s (%s) would be in state %s, and ZStack refuses to reconnect a host in maintenance; nothing was changed'
                % (host.get('name'), host.get('uuid'), final_state),
                remedy='Reconnect after enabling the host (state=enabled, reconnect=true)')
        steps.append(('reconnectHost', {}))
    return steps, final_state


def manage(module, client):
    params = module.params
    check_timeout(params['wait_timeout'])
    host = get_inventory(client, HOSTS_PATH, params['uuid'], 'host')
    previous = host.get('state')
    steps, final_state = plan(host, params['state'], params['reconnect'])
    actions = []
    for action, action_params in steps:
        if module.check_mode:
            actions.append(action_record(action))
            continue
        label = action + (' (%s)' % action_params['stateEvent'] if 'stateEvent' in action_params else '')
        begin_wait(client, '%s of %s' % (label, subject('host', host.get('name'), params['uuid'])), params['wait_timeout'])
        try:
            inventory, record = run_action(client, HOSTS_PATH, params['uuid'], action, action_params, timeout=params['wait_timeout'])
        except ZStackError as exc:
            if actions:  # say what already changed, so a re-run is understood
                exc.changed = True
                exc.message += ' (%s)' % '; '.join('%s already done in job %s' % (a['action'], a['job_uuid']) for a in actions)
            raise
        host = inventory or host
        actions.append(record)
    result = {'changed': bool(steps), 'host': host, 'previous_state': previous, 'actions': actions}
    if module._diff:
        after = final_state if module.check_mode else host.get('state')
        result['diff'] = {'before': {'state': previous}, 'after': {'state': after}}
    return result


def main():
    module = new_module(
        argument_spec=dict(
            uuid=dict(type='str', required=True),
            state=dict(type='str', choices=list(TARGET_STATE)),
            reconnect=dict(type='bool', default=False),
            wait_timeout=dict(type='int', default=3600),
            **WAIT_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    run_module(module, manage)


if __name__ == '__main__':
    main()
