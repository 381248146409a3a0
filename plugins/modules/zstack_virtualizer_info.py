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
    Each such UUID still comes back, with a reason (RV(groups[].reason)) taken from its state.
author:
  - zstack.cloud contributors (@zstack-cloud)
extends_documentation_fragment:
  - zstack.cloud.zstack
  - zstack.cloud.zstack.info_module
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
      - How much the module returns. Every output returns RV(groups), RV(not_found) and RV(summary), which answer for every
        UUID that went in (its verdict, current and expected version and reason).
      - V(grouped) returns no more than that. The UUIDs that share verdict, resource type, versions and reason are one entry of
        RV(groups), so the result holds about one value per UUID, which is what Ansible's cost of storing a registered
        result grows with. At 100,000 UUIDs the whole C(ansible-playbook) run stays under 250 MB in every process.
      - V(verdicts) adds RV(verdicts) (the verdict of every UUID, keyed by UUID) and RV(virtualizer_info) entries for the UUIDs
        that are not V(Matched). About twice the values of V(grouped).
      - V(facts) adds RV(verdicts) and a RV(virtualizer_info) entry for every UUID, without its RV(virtualizer_info.info_list).
        About ten values per UUID (at 100,000 UUIDs some 15 s and 290 MB in the controller).
      - V(full) adds RV(verdicts), every RV(virtualizer_info) entry with its RV(virtualizer_info.info_list) and the API's raw
        RV(inventories), the whole detail, about 25 values per UUID (at 100,000 UUIDs about 40 s and 800 MB in the controller).
        Ask for it for a few UUIDs, or when the raw answer is needed.
      - The default was V(full) before version 2.0.0 of the collection. A playbook that reads RV(virtualizer_info) or
        RV(verdicts) sets O(output) (see the porting guide, and the Performance section of the README for what each costs).
    type: str
    choices: [grouped, verdicts, facts, full]
    default: grouped
    version_added: 2.0.0
  on_batch_error:
    description:
      - What happens when a batch keeps failing after its retries (a read timeout, a connection reset, a 5xx from the
        management node or a proxy, a bad answer, a ZStack error such as C(SYS.1000)).
      - V(fail) fails the whole module with that error, so no result is ever partial. This is the default.
      - V(report), for fleet runs, still returns every UUID that went in. The UUIDs of each failing batch get the
        verdict V(Error), with a reason (RV(groups[].reason)) saying that they were not read and why; the other UUIDs
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
  - Changed in 2.0.0 (a breaking change), the default O(output) is V(grouped), which returns RV(groups) instead of
    RV(virtualizer_info), RV(verdicts) and RV(inventories). O(output=full) returns the 1.x result unchanged (with
    RV(groups) in addition).
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

- name: Fail when anything runs a mismatched qemu-kvm, naming what and why
  ansible.builtin.assert:
    that: virt.summary.unmatched == 0
    fail_msg: >-
      {{ virt.groups | selectattr('verdict', 'equalto', 'Unmatched')
         | map(attribute='uuids') | flatten }} run a mismatched qemu-kvm

- name: Say what each resource that is not Matched runs, what it should run and why
  ansible.builtin.debug:
    msg: "{{ item.1 }}: {{ item.0.verdict }} (runs {{ item.0.current_version }}, expected {{ item.0.expect_version }}): {{ item.0.reason }}"
  loop: "{{ virt.groups | rejectattr('verdict', 'equalto', 'Matched') | subelements('uuids') }}"
  loop_control:
    label: "{{ item.1 }}"

- name: Show the verdict and versions of one host
  vars:
    host_group: "{{ virt.groups | selectattr('uuids', 'contains', '3ce46fb7eb2e369c88d5fd671d1c1694') | first }}"
  ansible.builtin.debug:
    msg: "{{ host_group.verdict }}: runs {{ host_group.current_version }}, expected {{ host_group.expect_version }}"

- name: Act only when the VM is Unmatched
  ansible.builtin.debug:
    msg: the VM needs a new qemu process
  when: "'78a8b78906233d57bce710e89b24ebc0' in (virt.groups | selectattr('verdict', 'equalto', 'Unmatched') | map(attribute='uuids') | flatten)"

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

- name: The whole detail (one entry per UUID with its info_list, and the API's raw answer) for a few UUIDs
  zstack.cloud.zstack_virtualizer_info:
    uuids: [3ce46fb7eb2e369c88d5fd671d1c1694]
    output: full
  register: detail

- name: Read the detail keyed by UUID
  ansible.builtin.debug:
    msg: "{{ detail.virtualizer_info['3ce46fb7eb2e369c88d5fd671d1c1694'].info_list }}"

- name: In a fleet run, return every UUID even when some batch keeps failing (verdict Error)
  zstack.cloud.zstack_virtualizer_info:
    uuids: "{{ fleet_uuids }}"
    on_batch_error: report
  register: fleet_verdicts

- name: Fail when any UUID was not read, saying why
  ansible.builtin.assert:
    that: fleet_verdicts.summary.error == 0
    fail_msg: >-
      {{ fleet_verdicts.groups | selectattr('verdict', 'equalto', 'Error')
         | map(attribute='reason') | unique | list }}
'''

RETURN = r'''
groups:
  description:
    - Every requested UUID (after de-duplication), grouped by what it shares with others, whatever O(output) is.
    - One entry per distinct verdict, resource type, current version, expected version and reason, holding the UUIDs
      that share them in RV(groups[].uuids) (in input order). Each UUID that went in is in exactly one entry.
    - Entries come in the order V(Matched), V(Unmatched), V(Unknown), V(NoRecord), V(NotFound), V(Error),
      and within a verdict in the order their first UUID came in.
    - A fleet has a handful of entries, so this answers for every UUID at the cost of about one value per UUID.
  returned: always
  type: list
  elements: dict
  version_added: 2.0.0
  sample:
    - verdict: Matched
      resource_type: HostVO
      current_version: 4.2.0-632.g6a6222b.el7
      expect_version: 4.2.0-632.g6a6222b.el7
      reason: null
      count: 2
      uuids: [3ce46fb7eb2e369c88d5fd671d1c1694, 9a1f0fd0a29a3b8fa8bb0f3a6f0e1b51]
    - verdict: Unmatched
      resource_type: VmInstanceVO
      current_version: 4.2.0-627.g36ee592.el7
      expect_version: 4.2.0-632.g6a6222b.el7
      reason: the VM runs a qemu process older or newer than the qemu-kvm installed on its host
      count: 1
      uuids: [78a8b78906233d57bce710e89b24ebc0]
  contains:
    verdict:
      description:
        - The verdict of these UUIDs, as RV(virtualizer_info.verdict).
        - V(Error) only with O(on_batch_error=report), for UUIDs that were not read because their batch kept failing;
          RV(groups[].reason) gives the error. Their state is not known, so never count them as compliant.
      returned: always
      type: str
      choices: [Matched, Unmatched, Unknown, NoRecord, NotFound, Error]
    resource_type:
      description: V(HostVO) or V(VmInstanceVO); V(null) for UUIDs that are no existing host or VM.
      returned: always
      type: str
    current_version:
      description:
        - For hosts, the installed qemu-kvm version; for VMs, the version of their running qemu process.
        - V(null) when ZStack does not know it or holds no record.
      returned: always
      type: str
    expect_version:
      description:
        - For hosts, the version the management node expects for their OS release and architecture; for VMs, the
          qemu-kvm version recorded for their current host.
        - V(null) when ZStack does not know it or holds no record.
      returned: always
      type: str
    reason:
      description:
        - Why these resources are V(Unmatched), V(Unknown), have no record, or were not found, in words an operator can
          act on.
        - For V(Error), which call kept failing and its error (method, path, HTTP status or ZStack code, remedy).
        - V(null) when they are V(Matched).
      returned: always
      type: str
    count:
      description: How many UUIDs RV(groups[].uuids) holds.
      returned: always
      type: int
    uuids:
      description: The UUIDs of this entry, in input order.
      returned: always
      type: list
      elements: str
verdicts:
  description:
    - The verdict of every requested UUID (after de-duplication), keyed by UUID, in input order.
    - Each is RV(virtualizer_info.verdict) of that UUID, one of V(Matched), V(Unmatched), V(Unknown), V(NoRecord), V(NotFound),
      or, only with O(on_batch_error=report), V(Error).
    - Not returned with the default O(output=grouped) (RV(groups) has every verdict).
  returned: unless O(output=grouped)
  type: dict
  sample:
    3ce46fb7eb2e369c88d5fd671d1c1694: Matched
    5c10fab3f649380e9dce16bb22ffd572: Unmatched
  version_added: 2.0.0
virtualizer_info:
  description:
    - One entry per requested UUID (after de-duplication), keyed by UUID, in input order.
    - Every UUID that went in is here, as a verdict, a missing record with its reason, or not found (or, with
      O(on_batch_error=report), not read because its batch kept failing, verdict V(Error)).
    - With O(output=verdicts), only the UUIDs whose verdict is not V(Matched) are here; RV(verdicts) has them all.
    - Returned always before 2.0.0; from 2.0.0 on, not with the default O(output=grouped) (RV(groups) has every UUID).
  returned: unless O(output=grouped)
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
      returned: when O(output=full) or O(output=verdicts)
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
  description: Counts of the requested UUIDs by verdict (the sums of RV(groups[].count)).
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

from ansible_collections.zstack.cloud.plugins.module_utils._module import run_read_module
from ansible_collections.zstack.cloud.plugins.module_utils._virtualizer import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_OUTPUT,
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


#: the options of this read module (the role's steps run it, and gather, in the controller's process too)
ARGUMENT_SPEC = dict(
    uuids=dict(type='list', elements='str', required=True),
    system_tags=dict(type='list', elements='str'),
    user_tags=dict(type='list', elements='str'),
    batch_size=dict(type='int', default=DEFAULT_BATCH_SIZE),
    workers=dict(type='int', default=DEFAULT_WORKERS),
    output=dict(type='str', default=DEFAULT_OUTPUT, choices=list(OUTPUTS)),
    on_batch_error=dict(type='str', default='fail', choices=list(ON_BATCH_ERROR)),
)


def main():
    run_read_module(ARGUMENT_SPEC, gather)


if __name__ == '__main__':
    main()
