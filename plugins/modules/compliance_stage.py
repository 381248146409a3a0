#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: compliance_stage
short_description: Run one step of the virtualizer_compliance role on fleet-sized variables, on the controller
version_added: 2.0.0
description:
  - Runs one step of the C(zstack.cloud.virtualizer_compliance) role on the controller and sets its outputs as
    variables, as M(ansible.builtin.set_fact) would. Every decision of the role is made by these steps, in Python, on
    every supported ansible-core; the role's tasks only say in which order they happen.
  - The inputs named in O(vars) (registered module results, the output of an earlier step) are read as they are
    stored, instead of through a template. From ansible-core 2.19 on, a template hands each value of a dict or list
    through a lazy wrapper, several microseconds a value; for a fleet of 11,000 resources that is about a second per
    input and per step.
  - The steps are the role's internals; their inputs may change between minor versions. In your own playbooks use
    the C(zstack.cloud.compliance_*) filters, which run the same logic, or the role itself.
  - Nothing is changed in ZStack. The V(assess), V(rescan), V(gate) and V(verify) steps read what they need by running
    the collection's info modules themselves (M(zstack.cloud.zstack_host_info), M(zstack.cloud.zstack_vm_instance_info),
    M(zstack.cloud.zstack_virtualizer_info), M(zstack.cloud.zstack_global_config_info), and
    M(zstack.cloud.zstack_vm_migration) in check mode), with the connection options of the task's C(module_defaults)
    (C(group/zstack.cloud.zstack)). What those modules return reaches the step as they returned it, never through a
    registered variable, which ansible-core would store and template value by value. Their warnings are the task's.
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
      - V(validate) checks the role's inputs (C(inputs), its variables without their prefix) before anything is read
        or changed, naming every wrong one; its output is what every later step takes as C(inputs). It also resets the
        action log (output C(actions)) and the remediation's variables (C(vm_plan), C(after)).
      - V(assess) finds the hosts and VMs in scope (discovery with the zone and cluster narrowing, the UUIDs named, the
        running VMs of the named hosts), reads every verdict in one M(zstack.cloud.zstack_virtualizer_info) call (with
        the role's C(on_batch_error)), applies the policy, reads C(host.maintenance.policy) when hosts enter
        maintenance, and plans (as V(plan)). Its output is the plan; it also has C(scope) and C(evaluation).
      - V(rescan) reads the hosts and VMs of C(scope) and their verdicts again and applies the policy (its output is the
        evaluation; also C(scope), read again); with C(plan_vms), it plans the VM phase from them (C(vm_plan)),
        spending what C(actions) left of the cap.
      - V(scope) builds the ordered scope from discovered and named hosts and VMs (C(hosts), C(vms),
        C(discovered_hosts)); an empty scope, or a zone or cluster that matched no host, fails unless the role allows an
        empty scope. With C(keep), the scope of an earlier step is read again and keeps all its UUIDs.
        The scope's C(names) maps UUIDs to names (its hosts and VMs, and the zones, clusters and hosts they refer to,
        read with M(zstack.cloud.zstack_cluster_info), M(zstack.cloud.zstack_zone_info) and
        M(zstack.cloud.zstack_host_info) (only C(uuid), C(name) and C(zoneUuid), one call a kind, only for what is not
        named yet, with the task's C(module_defaults)). A UUID ZStack no longer knows has no name, and a lookup that
        fails is a warning.
      - V(evaluate) applies the policy to C(virtualizer_info) (as M(zstack.cloud.zstack_virtualizer_info) returns it)
        over C(scope); its output carries the scope's C(names).
      - V(plan) orders the remediation of C(evaluation) (C(phase) V(all) or V(vms); C(maintenance) the registered
        result of reading C(host.maintenance.policy); C(actions) the records so far) and prints the summary and the plan.
      - V(gate) decides whether C(action) may run now (cap, failure budget, then the pre-flight, for which it reads the
        host again (host actions) or asks for the VM's migration candidates in check mode (VM migrations), unless
        C(host) or C(candidates) give those module results). A refused action is recorded as skipped (output C(actions)).
      - V(record) appends the record of C(action) to C(actions) (C(status), C(message), the ZStack jobs of its
        C(results), C(steps) and C(then) results, C(failure) and C(restore) of a rescue, the seconds since C(gate)).
      - V(verify) re-reads the remediated resources of C(actions) until each is V(Matched) against the version it
        needed, or the deadline, printing progress at least every 15 seconds; then, when something was remediated and
        C(scope) is given, reads and evaluates the whole scope again (output C(after), null otherwise).
      - V(result) builds the result (C(before), C(after), C(plan), C(vm_plan), C(actions)), writes the reports and
        prints the table; V(conclude) fails when the result is not compliant (or warns, as the role's input says).
    type: str
    required: true
    choices: [validate, assess, rescan, scope, evaluate, plan, gate, record, verify, result, conclude]
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
        A M(ansible.builtin.set_fact) of the same name overrides it; the role never sets these names otherwise.
    type: str
    required: true
  facts:
    description:
      - The step's other outputs, as C(output name -> variable name), set like O(fact).
      - V(validate) has C(actions), C(vm_plan) and C(after); V(assess) has C(scope) and C(evaluation); V(rescan) has
        C(scope) and C(vm_plan); V(gate) has C(actions); V(verify) has C(after).
    type: dict
    default: {}
notes:
  - The logic is the same as the filters'; the filters stay the way to call it from templates.
  - A step that fails (a wrong input, a non-compliant fleet in V(conclude)) fails the task with a message that names
    the cause; it never raises a traceback.
seealso:
  - module: ansible.builtin.set_fact
  - plugin: zstack.cloud.compliance_evaluate
    plugin_type: filter
'''

EXAMPLES = r'''
# The role's own flow, shortened: check the inputs, then find the scope, read the verdicts, apply the policy, plan.
- name: Check the inputs
  zstack.cloud.compliance_stage:
    step: validate
    args:
      inputs:
        discover: true
        report_dir: reports
        report_basename: fleet
        unknown_policy: warn
    fact: checked

- name: Find the hosts and VMs, read every verdict, apply the policy and plan (the modules run inside the step)
  zstack.cloud.compliance_stage:
    step: assess
    vars:
      inputs: checked
    fact: plan
    facts:
      evaluation: evaluation
  module_defaults:
    group/zstack.cloud.zstack:
      api_url: http://zstack.example.com:8080

- name: Show the outcome
  ansible.builtin.debug:
    msg: "{{ evaluation.summary.failing }} of {{ evaluation.summary.total }} resources fail; {{ plan.counts.total }} actions planned"

# A step also reads registered results, as they are stored: here the scope of a discovery of your own.
- name: Discover the hosts
  zstack.cloud.zstack_host_info:
    fields: [uuid, name, zoneUuid, clusterUuid, managementIp, state, status]
  register: found_hosts

- name: Build the scope from the registered result
  zstack.cloud.compliance_stage:
    step: scope
    vars:
      inputs: checked
      hosts: found_hosts.hosts
      discovered_hosts: found_hosts.hosts
    fact: scope
'''

RETURN = r'''
# The step's output is set as the variable named by the fact option; the task result holds nothing else.
'''
