#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: zstack_virtualizer_info
short_description: Gather the qemu-kvm version facts of ZStack hosts and VMs
version_added: 1.0.0
description:
  - Calls ZStack's GetVirtualizerInfo API (C(GET /zstack/v1/vm-instances/virtualizer-info)) and returns, for each
    host or VM UUID, which qemu-kvm version it runs (C(currentVersion)), which it should run (C(expectVersion)) and
    whether they match (C(matchState)).
  - A host is compared with the version the management node expects for its OS release and architecture.
    A VM is compared with the qemu-kvm installed on its current host, so a VM still running an old qemu process
    after a host upgrade is C(Unmatched).
  - Any number of UUIDs can be given in one call. They are de-duplicated, sent in batches of O(batch_size),
    several batches at a time over one session.
  - ZStack fails a whole call when one UUID is not an existing host or VM. This module finds out which UUIDs those
    are, reports them in RV(not_found), and still answers for all the others.
  - ZStack leaves out every resource it holds no version record for (a stopped VM, a host that never connected).
    Each such UUID still comes back, with RV(virtualizer_info.reason) taken from its state.
author:
  - zstack.cloud contributors (@zstack-cloud)
extends_documentation_fragment:
  - zstack.cloud.zstack
attributes:
  check_mode:
    description: Can run in check mode and return a changed status prediction without modifying the target.
    support: full
    details: The module only reads; it behaves the same in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: none
options:
  uuids:
    description:
      - UUIDs of hosts and VMs, in any mix. Each is 32 lower-case hexadecimal characters without dashes.
      - Duplicates are removed. An empty list makes no API call and returns empty results.
      - A malformed UUID fails the module before any API call, with a message naming each bad item.
    type: list
    elements: str
    required: true
  system_tags:
    description:
      - System tags passed through to the API. ZStack currently ignores them for this call.
    type: list
    elements: str
  user_tags:
    description:
      - User tags passed through to the API. ZStack currently ignores them for this call.
    type: list
    elements: str
  batch_size:
    description:
      - UUIDs per request. A management node limits the request line to about 8 KB; the default keeps each request
        near 4 KB. A batch the server still finds too long (HTTP 414) is split in two and retried.
    type: int
    default: 100
  workers:
    description:
      - How many batches are in flight at once over the one session.
    type: int
    default: 4
  output:
    description:
      - How much the module returns. Every UUID that went in is in RV(verdicts) and RV(summary) whatever is chosen.
      - V(full) returns every RV(virtualizer_info) entry and the API's raw RV(inventories).
      - V(facts) returns every RV(virtualizer_info) entry without its RV(virtualizer_info.info_list), and no
        RV(inventories). Each entry keeps the versions of its qemu-kvm hypervisor and the verdict over all of its
        hypervisors. The result is about a third as large as with V(full), and as much faster to handle.
      - V(verdicts) returns RV(verdicts) for every UUID, but RV(virtualizer_info) entries only for the UUIDs that are
        not V(Matched) (with their versions and reason), and no RV(inventories). For compliance checks of large
        fleets, where a Matched resource needs no more than its verdict. See the Performance section of the README
        for what each choice costs at 10,000 and 100,000 UUIDs.
    type: str
    choices: [full, facts, verdicts]
    default: full
    version_added: 1.1.0
  on_batch_error:
    description:
      - What happens when a batch keeps failing after its retries (a read timeout, a connection reset, a 5xx from the
        management node or a proxy, a bad answer, a ZStack error such as C(SYS.1000)).
      - V(fail) fails the whole module with that error, so no result is ever partial. This is the default.
      - V(report), for fleet runs, still returns every UUID that went in. The UUIDs of each failing batch get the
        verdict V(Error), with RV(virtualizer_info.reason) saying that they were not read and why; the other UUIDs
        come back as read. RV(summary.error) counts them and the module warns. Treat V(Error) as "not known", never
        as compliant.
      - Errors that concern the whole run fail the module whatever is chosen, since every batch would fail alike -
        bad options, credentials, sessions or permissions (C(ID.*) codes), TLS problems, a management node that
        cannot be reached at all, or one without GetVirtualizerInfo.
      - A UUID that ZStack holds no record for is asked about again with QueryHost / QueryVmInstance; when that
        query keeps failing under V(report), the UUID gets V(Error) too.
    type: str
    choices: [fail, report]
    default: fail
    version_added: 2.0.0
notes:
  - GetVirtualizerInfo is part of ZStack Cloud (the premium C(mevoco) module), version 4.6.21 or later.
    Against a build without it the module fails with a message saying so.
  - ZStack refreshes versions only on certain events. A host's version is read when it connects or reconnects;
    a VM's when it starts, reboots or migrates. After upgrading qemu-kvm outside ZStack, reconnect the host.
seealso:
  - name: GetVirtualizerInfo API reference
    description: The ZStack Cloud API this module calls.
    link: https://www.zstack.io/help/en/dev_manual/
'''

EXAMPLES = r'''
- name: Gather virtualizer facts for two hosts and a VM
  zstack.cloud.zstack_virtualizer_info:
    api_url: http://zstack.example.com:8080
    account_name: admin
    password: "{{ zstack_admin_password }}"
    uuids:
      - 3ce46fb7eb2e369c88d5fd671d1c1694
      - 5c10fab3f649380e9dce16bb22ffd572
      - 78a8b78906233d57bce710e89b24ebc0
  register: virt

- name: Show the verdict of one host
  ansible.builtin.debug:
    msg: "{{ virt.virtualizer_info['3ce46fb7eb2e369c88d5fd671d1c1694'].match_state }}"

- name: Fail when anything runs a mismatched qemu-kvm
  ansible.builtin.assert:
    that: virt.summary.unmatched == 0
    fail_msg: "{{ virt.virtualizer_info | dict2items | selectattr('value.match_state', 'equalto', 'Unmatched')
                  | map(attribute='key') | list }} run a mismatched qemu-kvm"

- name: Use connection settings from module_defaults and an AccessKey from the environment
  module_defaults:
    group/zstack.cloud.zstack:
      api_url: https://zstack.example.com:8443
      ca_path: /etc/pki/zstack-ca.pem
  environment:
    ZSTACK_ACCESS_KEY_ID: "{{ vault_zstack_access_key_id }}"
    ZSTACK_ACCESS_KEY_SECRET: "{{ vault_zstack_access_key_secret }}"
  block:
    - name: Facts for every host UUID of the inventory
      zstack.cloud.zstack_virtualizer_info:
        uuids: "{{ groups['zstack_hosts'] | map('extract', hostvars, 'zstack_uuid') | list }}"
      register: fleet

- name: Check a fleet of 100,000 hosts and VMs, keeping only what is not Matched in detail
  zstack.cloud.zstack_virtualizer_info:
    uuids: "{{ fleet_uuids }}"
    output: verdicts
  register: fleet_verdicts

- name: In a fleet run, return every UUID even when some batch keeps failing (verdict Error)
  zstack.cloud.zstack_virtualizer_info:
    uuids: "{{ fleet_uuids }}"
    output: verdicts
    on_batch_error: report
  register: fleet_verdicts

- name: Say why each resource that is not Matched is not
  ansible.builtin.debug:
    msg: "{{ item.key }}: {{ item.value.verdict }}, {{ item.value.reason }}"
  loop: "{{ fleet_verdicts.virtualizer_info | dict2items }}"
  loop_control:
    label: "{{ item.key }}"
'''

RETURN = r'''
verdicts:
  description:
    - The verdict of every requested UUID (after de-duplication), keyed by UUID, in input order, whatever O(output) is.
    - Each is RV(virtualizer_info.verdict) of that UUID, one of V(Matched), V(Unmatched), V(Unknown), V(NoRecord), V(NotFound),
      or, only with O(on_batch_error=report), V(Error).
  returned: always
  type: dict
  sample:
    3ce46fb7eb2e369c88d5fd671d1c1694: Matched
    5c10fab3f649380e9dce16bb22ffd572: Unmatched
  version_added: 1.1.0
virtualizer_info:
  description:
    - One entry per requested UUID (after de-duplication), keyed by UUID, in input order.
    - Every UUID that went in is here, as a verdict, a missing record with its reason, or not found (or, with
      O(on_batch_error=report), not read because its batch kept failing, verdict V(Error)).
    - With O(output=verdicts), only the UUIDs whose verdict is not V(Matched) are here; RV(verdicts) has them all.
  returned: always
  type: dict
  sample:
    3ce46fb7eb2e369c88d5fd671d1c1694:
      uuid: 3ce46fb7eb2e369c88d5fd671d1c1694
      resource_type: HostVO
      hypervisor: qemu-kvm
      current_version: 4.2.0-632.g6a6222b.el7
      expect_version: 4.2.0-632.g6a6222b.el7
      match_state: Matched
      verdict: Matched
      info_list:
        - hypervisor: qemu-kvm
          current_version: 4.2.0-632.g6a6222b.el7
          expect_version: 4.2.0-632.g6a6222b.el7
          match_state: Matched
      reason: null
  contains:
    uuid:
      description: The UUID.
      returned: always
      type: str
    resource_type:
      description:
        - V(HostVO) or V(VmInstanceVO), as ZStack names them.
        - V(null) for a UUID that is no existing host or VM, or was not read (verdict V(Error)).
      returned: always
      type: str
    hypervisor:
      description: The hypervisor, V(qemu-kvm). V(null) when ZStack holds no record.
      returned: always
      type: str
    current_version:
      description:
        - For a host, the installed qemu-kvm version; for a VM, the version of its running qemu process.
        - V(null) when ZStack does not know it or holds no record.
      returned: always
      type: str
    expect_version:
      description:
        - For a host, the version the management node expects for its OS release and architecture;
          for a VM, the qemu-kvm version recorded for its current host.
        - V(null) when ZStack does not know it or holds no record.
      returned: always
      type: str
    match_state:
      description:
        - V(Matched), V(Unmatched) or V(Unknown), as ZStack reports it.
        - V(null) when ZStack holds no version record for the resource, the UUID was not found, or it was not read
          (verdict V(Error)).
      returned: always
      type: str
      choices: [Matched, Unmatched, Unknown]
    verdict:
      description:
        - RV(virtualizer_info.match_state) extended with V(NoRecord) (an existing host or VM ZStack holds no version record for)
          and V(NotFound) (no host or VM has this UUID), so that every entry has one.
        - V(Error) only with O(on_batch_error=report), when the UUID was not read, because its batch kept failing after its
          retries; RV(virtualizer_info.reason) gives the error. Its state is not known, so never count it as compliant.
      returned: always
      type: str
      choices: [Matched, Unmatched, Unknown, NoRecord, NotFound, Error]
    info_list:
      description: ZStack's C(infoList) entries in snake_case. Empty when ZStack holds no record.
      returned: unless O(output=facts)
      type: list
      elements: dict
      contains:
        hypervisor:
          description: The hypervisor, V(qemu-kvm).
          returned: always
          type: str
        current_version:
          description: The current version; V(null) when unknown.
          returned: always
          type: str
        expect_version:
          description: The expected version; V(null) when unknown.
          returned: always
          type: str
        match_state:
          description: V(Matched), V(Unmatched) or V(Unknown).
          returned: always
          type: str
    reason:
      description:
        - Why the resource is V(Unmatched), V(Unknown), has no record, or was not found, in words an operator can act on.
        - For V(Error), which call kept failing and its error (method, path, HTTP status or ZStack code, remedy).
        - V(null) when it is V(Matched).
      returned: always
      type: str
inventories:
  description:
    - The API's own inventories, merged over all batches, unchanged (camelCase, as ZStack returns them).
    - Resources ZStack holds no record for are absent here, as in the API.
  returned: when O(output=full)
  type: list
  elements: dict
  contains:
    uuid:
      description: The resource UUID.
      returned: always
      type: str
    resourceType:
      description: V(HostVO) or V(VmInstanceVO).
      returned: always
      type: str
    infoList:
      description: The hypervisor entries.
      returned: always
      type: list
      elements: dict
      contains:
        hypervisor:
          description: The hypervisor, V(qemu-kvm).
          returned: always
          type: str
        currentVersion:
          description: The current version. Absent when unknown.
          returned: when known
          type: str
        expectVersion:
          description: The expected version. Absent when unknown.
          returned: when known
          type: str
        matchState:
          description: V(Matched), V(Unmatched) or V(Unknown).
          returned: always
          type: str
not_found:
  description: The requested UUIDs that are no existing host or VM, in input order.
  returned: always
  type: list
  elements: str
  sample: [0123456789abcdef0123456789abcdef]
summary:
  description: Counts over RV(virtualizer_info).
  returned: always
  type: dict
  sample: {total: 3, matched: 1, unmatched: 1, unknown: 0, no_record: 1, not_found: 0, error: 0}
  contains:
    total:
      description: Number of distinct UUIDs requested.
      returned: always
      type: int
    matched:
      description: Resources whose state is V(Matched).
      returned: always
      type: int
    unmatched:
      description: Resources whose state is V(Unmatched).
      returned: always
      type: int
    unknown:
      description: Resources whose state is V(Unknown).
      returned: always
      type: int
    no_record:
      description: Existing hosts and VMs ZStack holds no version record for (stopped VMs, hosts that never connected).
      returned: always
      type: int
    not_found:
      description: UUIDs that are no existing host or VM.
      returned: always
      type: int
    error:
      description: UUIDs not read because their batch kept failing (verdict V(Error)); always V(0) with O(on_batch_error=fail).
      returned: always
      type: int
      version_added: 2.0.0
'''

from ansible_collections.zstack.cloud.plugins.module_utils._module import new_module, run_module
from ansible_collections.zstack.cloud.plugins.module_utils._virtualizer import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_WORKERS,
    ON_BATCH_ERROR,
    OUTPUTS,
    VirtualizerInfoFetcher,
)


def gather(module, client):
    fetcher = VirtualizerInfoFetcher(
        client,
        batch_size=module.params['batch_size'],
        workers=module.params['workers'],
        system_tags=module.params['system_tags'],
        user_tags=module.params['user_tags'],
    )
    result = fetcher.fetch(module.params['uuids'], output=module.params['output'],
                           on_batch_error=module.params['on_batch_error'])
    if fetcher.batch_errors:
        failed = sum(len(uuids) for uuids, _message in fetcher.batch_errors)
        module.warn('%d of %d UUIDs have the verdict Error: %d batch(es) kept failing after their retries, so they were '
                    'not read (the first: %s); run again for them, and never count Error as compliant'
                    % (failed, result['summary']['total'], len(fetcher.batch_errors), fetcher.batch_errors[0][1]))
    result['changed'] = False
    return result


def main():
    module = new_module(
        argument_spec=dict(
            uuids=dict(type='list', elements='str', required=True),
            system_tags=dict(type='list', elements='str'),
            user_tags=dict(type='list', elements='str'),
            batch_size=dict(type='int', default=DEFAULT_BATCH_SIZE),
            workers=dict(type='int', default=DEFAULT_WORKERS),
            output=dict(type='str', default='full', choices=list(OUTPUTS)),
            on_batch_error=dict(type='str', default='fail', choices=list(ON_BATCH_ERROR)),
        ),
        supports_check_mode=True,
    )
    run_module(module, gather)


if __name__ == '__main__':
    main()
