#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: compliance_stage
short_description: Run one step of the virtualizer compliance logic on fleet-sized variables, on the controller
version_added: 1.1.0
description:
  - Runs one step of the logic behind the C(zstack.cloud.compliance_*) filters (scope, policy, plan, result, reports)
    on the controller and sets its output as a variable, as M(ansible.builtin.set_fact) would.
  - The difference from a filter in M(ansible.builtin.set_fact) is how the big inputs arrive. The inputs named in
    O(vars) (registered module results, the output of an earlier step) are read as they are stored, instead of
    through a template. From ansible-core 2.19 on, a template hands a filter each value of a dict or list through
    a lazy wrapper, several microseconds a value; for a fleet of 11,000 resources that is about a second per
    input and per step. The C(zstack.cloud.virtualizer_compliance) role runs its fleet-sized steps with this module.
  - Nothing is read from or changed in ZStack.
author:
  - zstack.cloud contributors (@zstack-cloud)
attributes:
  check_mode:
    description: Can run in check mode and return a changed status prediction without modifying the target.
    support: full
    details: It only computes; it behaves the same in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: none
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
  async:
    description: Supports being used with the C(async) keyword.
    support: none
  become:
    description: Is usable alongside C(become) keywords.
    support: none
  bypass_host_loop:
    description: Forces a 'global' task that does not execute per host.
    support: none
  connection:
    description: Uses the target's configured connection information to execute code on it.
    support: none
  delegation:
    description: Can be used in conjunction with C(delegate_to) and related keywords.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: all
options:
  step:
    description:
      - V(scope) is P(zstack.cloud.compliance_scope#filter) and takes C(hosts), C(vms), C(uuids), C(vm_states).
      - V(evaluate) is P(zstack.cloud.compliance_evaluate#filter) and takes C(virtualizer_info), C(scope),
        C(unknown), C(no_record).
      - V(plan) is P(zstack.cloud.compliance_plan#filter) and takes C(evaluation), C(options), C(phase),
        C(actions_taken).
      - V(result) is P(zstack.cloud.compliance_result#filter) and takes C(before), C(after), C(plan), C(actions),
        C(check_mode), C(remediate), C(started_at), C(finished_at), C(reports).
      - V(report) is P(zstack.cloud.compliance_report#filter) and takes C(result) and C(fmt); for a list of formats
        its output is a dict from format to report text.
      - Each input is described with its filter and named as there. An input the filter requires (its first) must
        be given.
    type: str
    required: true
    choices: [scope, evaluate, plan, result, report]
  vars:
    description:
      - Inputs read from variables, as C(input name -> variable). A variable is named as in a template, with dots
        for keys (V(found_hosts.hosts)); a key followed by V([]) takes the rest of the path from every item of a list
        and joins the lists it finds (V(host_vms.results[].vm_instances) for a registered loop).
      - A list of variables joins their lists, leaving out the missing ones, for example a skipped task's result.
      - Only for stored data (registered results, facts); a variable defined by a template is refused, pass it in
        O(args).
      - A variable that is not defined fails the task, naming it.
    type: dict
    default: {}
  args:
    description:
      - Inputs given as values, templated as usual. For the small ones, such as options and policies.
      - An input may be given in O(vars) or in O(args), not in both.
    type: dict
    default: {}
  fact:
    description:
      - The name of the variable to set to the step's output, with the precedence of M(ansible.builtin.set_fact).
      - On ansible-core before 2.21 it is set as a host fact, the only way an action plugin can set a variable there.
        A M(ansible.builtin.set_fact) of the same name overrides it, and ansible-core 2.20 warns that top-level facts
        are deprecated when it is read. The C(zstack.cloud.virtualizer_compliance) role uses this module only on
        ansible-core 2.21 and later.
    type: str
    required: true
notes:
  - The logic is the same as the filters'; the filters stay the way to call it from templates.
seealso:
  - module: ansible.builtin.set_fact
  - plugin: zstack.cloud.compliance_evaluate
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Discover the running VMs of the fleet
  zstack.cloud.zstack_vm_instance_info:
    state: [Running]
    fields: [uuid, name, hostUuid, state]
  register: found_vms

- name: Discover the hosts
  zstack.cloud.zstack_host_info:
    fields: [uuid, name, zoneUuid, clusterUuid, managementIp, state, status]
  register: found_hosts

- name: Build the scope from the registered results, as they are stored
  zstack.cloud.compliance_stage:
    step: scope
    vars:
      hosts: found_hosts.hosts
      vms: found_vms.vm_instances
    fact: scope

- name: Read every verdict
  zstack.cloud.zstack_virtualizer_info:
    uuids: "{{ scope.uuids }}"
    output: facts
  register: info

- name: Apply the policy; Unknown only warns
  zstack.cloud.compliance_stage:
    step: evaluate
    vars:
      virtualizer_info: info.virtualizer_info
      scope: scope
    args:
      unknown: warn
    fact: evaluation

- name: Show the outcome
  ansible.builtin.debug:
    msg: "{{ evaluation.summary.failing }} of {{ evaluation.summary.total }} resources fail"
'''

RETURN = r'''
# The step's output is set as the variable named by the fact option; the task result holds nothing else.
'''
