"""Check `ansible-inventory --list` of the demo fleet (tests/simulator README has its table)."""
import json
import sys

NEW = '4.2.0-632.g6a6222b.el7'
OLD = '4.2.0-627.g36ee592.el7'


def unwrap(value):
    """ansible-inventory writes a value marked unsafe as {"__ansible_unsafe": value}."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return value['__ansible_unsafe']
        return dict((k, unwrap(v)) for k, v in value.items())
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


inventory = json.load(open(sys.argv[1]))
raw_kvm3 = inventory['_meta']['hostvars']['kvm-3']
inventory = unwrap(inventory)
hostvars = inventory['_meta']['hostvars']


def members(group):
    return sorted(inventory.get(group, {}).get('hosts', []))


def check(condition, message):
    if not condition:
        sys.exit('FAIL: %s' % message)


check(members('zstack_hosts') == ['kvm-1', 'kvm-2', 'kvm-3', 'kvm-4', 'kvm-5', 'kvm-6'], members('zstack_hosts'))
check(len(members('zstack_vms')) == 12, 'running VMs: %s' % members('zstack_vms'))
check(members('zstack_unmatched') == ['kvm-3', 'vm-10', 'vm-13', 'vm-4'], members('zstack_unmatched'))
check(members('zstack_unknown') == ['kvm-5'], members('zstack_unknown'))
check(members('zstack_no_record') == ['kvm-6'], members('zstack_no_record'))
check('kvm-1' in members('zstack_matched') and 'vm-1' in members('zstack_matched'), members('zstack_matched'))
check(members('zstack_zone_zone_2') == ['kvm-5', 'kvm-6', 'vm-11', 'vm-15'], members('zstack_zone_zone_2'))
check(members('zstack_cluster_cluster_1a') == ['kvm-1', 'kvm-2', 'vm-1', 'vm-12', 'vm-13', 'vm-2', 'vm-4', 'vm-5'],
      members('zstack_cluster_cluster_1a'))
check(members('needs_qemu_upgrade') == ['kvm-3'], members('needs_qemu_upgrade'))
check(members('on_host_kvm_2') == ['vm-13', 'vm-4', 'vm-5'], members('on_host_kvm_2'))

# every value from ZStack is marked unsafe (never templated)
check(raw_kvm3['zstack_name'] == {'__ansible_unsafe': 'kvm-3'}, raw_kvm3['zstack_name'])
check(raw_kvm3['zstack_virtualizer_reason'].get('__ansible_unsafe'), raw_kvm3['zstack_virtualizer_reason'])
kvm3 = hostvars['kvm-3']
check(kvm3['ansible_host'] == '10.0.1.13', kvm3)
check(kvm3['zstack_resource_type'] == 'HostVO', kvm3)
check(kvm3['zstack_management_ip'] == '10.0.1.13', kvm3)
check((kvm3['zstack_current_version'], kvm3['zstack_expect_version']) == (OLD, NEW), kvm3)
check(kvm3['zstack_os_distribution'] == 'centos' and kvm3['zstack_status'] == 'Connected', kvm3)
vm4 = hostvars['vm-4']
check(vm4['zstack_resource_type'] == 'VmInstanceVO' and vm4['zstack_host_name'] == 'kvm-2', vm4)
check(vm4['ansible_host'] == vm4['zstack_vm_nics'][0]['ip'], vm4)
check(vm4['zstack_match_state'] == 'Unmatched' and vm4['zstack_verdict'] == 'Unmatched', vm4)
check('Disconnected' in hostvars['kvm-6']['zstack_virtualizer_reason'], hostvars['kvm-6'])
print('ok: %d hosts, %d groups' % (len(hostvars), len(inventory) - 1))
