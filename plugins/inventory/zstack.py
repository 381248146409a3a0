# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: zstack
short_description: ZStack hosts and VMs as inventory, grouped by zone, cluster and qemu-kvm match state
version_added: 1.0.0
description:
  - Reads KVM hosts (QueryHost) and, with O(include_vms), VM instances (QueryVmInstance) from a ZStack management
    node and adds them to the inventory.
  - Each resource gets its ZStack fields as host variables, prefixed C(zstack_) and in snake case
    (C(managementIp) becomes C(zstack_management_ip), nested keys too), plus C(zstack_resource_type)
    (V(HostVO) or V(VmInstanceVO)), C(zstack_zone_name), C(zstack_cluster_name) and, for a VM, C(zstack_host_name).
  - With O(virtualizer_info), each resource also gets its qemu-kvm verdict from GetVirtualizerInfo,
    C(zstack_match_state) (V(Matched), V(Unmatched), V(Unknown), or V(null) when ZStack holds no version record),
    C(zstack_current_version), C(zstack_expect_version), C(zstack_verdict) (the match state, or V(NoRecord) for a
    stopped VM or a host that never connected, or V(NotFound) for a resource deleted while the inventory was read)
    and C(zstack_virtualizer_reason) (why it is not V(Matched), in words).
  - C(ansible_host) is a host's management IP, and a VM's NIC IP as O(vm_address) and O(vm_l3_network_uuids) say.
  - The verdicts of the whole inventory are fetched together, in batches of O(batch_size) UUIDs, several batches at a
    time over one session; one host or VM never costs a call of its own.
  - "Default groups: C(zstack_hosts), C(zstack_vms), C(zstack_zone_<zone name>), C(zstack_cluster_<cluster name>) and,
    by verdict, C(zstack_matched), C(zstack_unmatched), C(zstack_unknown), C(zstack_no_record) and C(zstack_not_found).
    Characters that are not valid in a group name become C(_)."
  - The source file must be named C(zstack.yml) or C(zstack.yaml), or end with C(.zstack.yml) or C(.zstack.yaml).
  - When the plugin logs in itself (O(account_name) and O(password)) it logs out at the end of every run.
author:
  - zstack.cloud contributors (@zstack-cloud)
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - zstack.cloud.zstack.inventory
options:
  plugin:
    description: The name of this plugin. It must be V(zstack.cloud.zstack) for the file to be read by it.
    type: str
    required: true
    choices: [zstack.cloud.zstack]
  include_hosts:
    description: Whether to add the KVM hosts.
    type: bool
    default: true
  include_vms:
    description: Whether to add the VM instances.
    type: bool
    default: false
  zones:
    description:
      - Only hosts and VMs in these zones, given by name or UUID. Empty means every zone.
      - A name matches every zone of that name. A value that matches no zone is reported with a warning.
    type: list
    elements: str
    default: []
  clusters:
    description:
      - Only hosts and VMs in these clusters, given by name or UUID. Empty means every cluster.
      - A name matches every cluster of that name. A value that matches no cluster is reported with a warning.
    type: list
    elements: str
    default: []
  host_states:
    description: Only hosts in one of these states (V(Enabled), V(Disabled), V(PreMaintenance), V(Maintenance)). Empty means any.
    type: list
    elements: str
    default: []
  host_statuses:
    description: Only hosts with one of these statuses (V(Connecting), V(Connected), V(Disconnected)). Empty means any.
    type: list
    elements: str
    default: []
  vm_states:
    description:
      - Only VMs in one of these states. Empty means any state.
      - ZStack keeps a qemu version record only for running VMs, so a VM in another state lands in C(zstack_no_record).
    type: list
    elements: str
    default: [Running]
  host_filters:
    description:
      - More conditions for the host query, in ZStack's C(q) syntax (C(field=value), C(field?=a,b), C(field~=%pattern%),
        C(field!=value), C(field is null) ...). All conditions must hold.
      - For example V(architecture=x86_64) or V(name~=kvm-%).
    type: list
    elements: str
    default: []
  vm_filters:
    description:
      - More conditions for the VM query, in ZStack's C(q) syntax. All conditions must hold.
      - For example V(type=UserVm) to leave out appliance VMs (virtual routers), or V(vmNics.ip~=10.0.%).
    type: list
    elements: str
    default: []
  hostnames:
    description:
      - How each resource is named in the inventory, in order of preference; the first one that gives a non-empty
        value is used, and the UUID when none does.
      - Each entry names a host variable of this plugin without its C(zstack_) prefix, for example V(name), V(uuid),
        V(management_ip), V(zone_name), or V(ansible_host) for the address chosen by O(vm_address).
      - "When several resources get the same name, every one of them is named C(<name>_<uuid>) instead, so no
        resource takes over another's name and the result does not depend on the order ZStack returns them in."
    type: list
    elements: str
    default: [name]
  vm_address:
    description:
      - Which address becomes C(ansible_host) of a VM. Hosts always get their management IP.
      - V(first_nic_ip) is the IP of the NIC with the lowest device ID that has one.
      - V(default_l3_nic_ip) is the IP of the NIC on the VM's default L3 network, else the first NIC's.
      - V(none) sets no C(ansible_host); the inventory hostname is then the address Ansible connects to.
      - O(vm_l3_network_uuids) is tried before this choice.
    type: str
    choices: [first_nic_ip, default_l3_nic_ip, none]
    default: first_nic_ip
  vm_l3_network_uuids:
    description:
      - L3 network UUIDs whose NIC IP becomes C(ansible_host) of a VM, in order of preference.
      - A VM with no NIC on any of them falls back to O(vm_address).
    type: list
    elements: str
    default: []
  virtualizer_info:
    description:
      - Whether to fetch the qemu-kvm verdicts (GetVirtualizerInfo) and create the verdict groups.
      - Turn it off against a ZStack without the premium module, or when only the resources are needed.
    type: bool
    default: true
  batch_size:
    description: UUIDs per GetVirtualizerInfo request (the management node limits a request line to about 8 KB).
    type: int
    default: 100
  workers:
    description: How many GetVirtualizerInfo batches are in flight at once over the one session.
    type: int
    default: 4
  page_size:
    description: Inventories per query page (C(limit)); queries follow C(start) until a page comes back short.
    type: int
    default: 1000
notes:
  - All values that come from ZStack are marked unsafe, so a name such as C({{ lookup('pipe', 'id') }}) is never
    templated.
  - "With O(cache), the data fetched from ZStack (resources, zone and cluster names, verdicts) is cached, never a
    password, session or key. The cache key covers the source file, O(api_url), the identity used and every option that
    changes what is fetched, so editing a filter does not return stale data. C(meta: refresh_inventory) and
    C(ansible-inventory --flush-cache) fetch again and refresh the cache."
  - Group names use ZStack names, which need not be unique; two zones whose names sanitise to the same text share one
    group. Use O(keyed_groups) with C(zstack_zone_uuid) for groups by UUID.
seealso:
  - module: zstack.cloud.zstack_virtualizer_info
'''

EXAMPLES = r'''
# file: inventory/prod.zstack.yml
# Every Enabled, Connected host of two zones and their running user VMs, with
# the password from the environment (ZSTACK_PASSWORD), cached for ten minutes.
plugin: zstack.cloud.zstack
api_url: https://zstack.example.com:8443
ca_path: /etc/pki/zstack-ca.pem
account_name: admin
zones: [zone-beijing, zone-shanghai]
host_states: [Enabled]
host_statuses: [Connected]
include_vms: true
vm_filters:
  - type=UserVm
vm_l3_network_uuids:
  - 6a1c0d5b1d7f4e0a9a3e4b5c6d7e8f90
hostnames: [name, uuid]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible/zstack
cache_timeout: 600
compose:
  ansible_user: "'root'"
  ansible_port: zstack_ssh_port | default(22)
groups:
  needs_qemu_upgrade: zstack_resource_type == 'HostVO' and zstack_match_state == 'Unmatched'
  needs_qemu_refresh: zstack_resource_type == 'VmInstanceVO' and zstack_match_state == 'Unmatched'
keyed_groups:
  - key: zstack_os_distribution ~ '_' ~ zstack_os_version
    prefix: os
  - key: zstack_host_name
    prefix: on_host

---
# file: hosts-only.zstack.yaml
# Hosts only, no verdicts, access key from the environment
# (ZSTACK_API_URL, ZSTACK_ACCESS_KEY_ID, ZSTACK_ACCESS_KEY_SECRET).
plugin: zstack.cloud.zstack
virtualizer_info: false
clusters: [cluster-gpu]
'''

import hashlib
import json
import os
import re

from ansible.errors import AnsibleParserError
from ansible.inventory.group import to_safe_group_name
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.zstack.cloud.plugins.module_utils._client import scrub
from ansible_collections.zstack.cloud.plugins.module_utils._connection import ENV_VARS, client_from_params, secrets_of
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackError
from ansible_collections.zstack.cloud.plugins.module_utils._virtualizer import (
    HOST_TYPE,
    MATCHED,
    NO_RECORD,
    NOT_FOUND,
    UNKNOWN,
    UNMATCHED,
    VM_TYPE,
    VirtualizerInfoFetcher,
    validate_uuids,
)

ZONES_PATH = '/zones'
CLUSTERS_PATH = '/clusters'
HOSTS_PATH = '/hosts'
VMS_PATH = '/vm-instances'

#: bump when the cached data changes shape, so an old cache entry is fetched again
CACHE_FORMAT = 1
PREFIX = 'zstack_'
HOSTS_GROUP = 'zstack_hosts'
VMS_GROUP = 'zstack_vms'
VERDICT_GROUPS = {
    MATCHED: 'zstack_matched',
    UNMATCHED: 'zstack_unmatched',
    UNKNOWN: 'zstack_unknown',
    NO_RECORD: 'zstack_no_record',
    NOT_FOUND: 'zstack_not_found',
}
#: options whose values change what is fetched (the cache key covers them; never a secret)
FETCH_OPTIONS = ('api_url', 'account_name', 'user_name', 'access_key_id', 'include_hosts', 'include_vms',
                 'zones', 'clusters', 'host_states', 'host_statuses', 'vm_states', 'host_filters', 'vm_filters',
                 'virtualizer_info')

_CAMEL_1 = re.compile(r'([A-Z]+)([A-Z][a-z])')
_CAMEL_2 = re.compile(r'([a-z0-9])([A-Z])')


_SNAKE = {}


def snake(name):
    """ZStack's camelCase field names in snake case: managementIp -> management_ip, l3NetworkUuid -> l3_network_uuid."""
    try:
        return _SNAKE[name]
    except KeyError:
        result = _SNAKE[name] = _CAMEL_2.sub(r'\1_\2', _CAMEL_1.sub(r'\1_\2', name)).lower()
        return result


def unsafe(value):
    """A (nested) value from ZStack with every dict key in snake case and every string marked unsafe.

    wrap_var is applied to the strings only; it would give the same result on the whole
    value, at twice the cost on a fleet of thousands of resources.
    """
    if isinstance(value, str):
        return wrap_var(value)
    if isinstance(value, dict):
        return dict((wrap_var(snake(k)), unsafe(v)) for k, v in value.items())
    if isinstance(value, list):
        return [unsafe(v) for v in value]
    return value


def safe_group(name):
    """A valid group name: every character that is not a letter, digit or _ becomes _."""
    return to_safe_group_name(name, force=True, silent=True)


def nic_ip(vm, l3_uuids, mode):
    """The address of a VM: an IP on a preferred L3 network, else as ``mode`` says."""
    nics = sorted((n for n in vm.get('vmNics') or [] if n.get('ip')),
                  key=lambda n: (n.get('deviceId') is None, n.get('deviceId') or 0))
    for l3 in l3_uuids:
        for nic in nics:
            if nic.get('l3NetworkUuid') == l3:
                return nic['ip']
    if mode == 'none' or not nics:
        return None
    if mode == 'default_l3_nic_ip':
        for nic in nics:
            if nic.get('l3NetworkUuid') and nic.get('l3NetworkUuid') == vm.get('defaultL3NetworkUuid'):
                return nic['ip']
    return nics[0]['ip']


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """ZStack hosts and VMs as inventory: fetch (or read the cache), then build hosts, vars and groups."""

    NAME = 'zstack.cloud.zstack'

    # keyed_groups and groups get the same sanitising as the default groups
    _sanitize_group_name = staticmethod(safe_group)

    def verify_file(self, path):
        if not super(InventoryModule, self).verify_file(path):
            return False
        name = os.path.basename(path)
        if name in ('zstack.yml', 'zstack.yaml') or name.endswith(('.zstack.yml', '.zstack.yaml')):
            return True
        self.display.vvv('Skipping %s: the zstack.cloud.zstack inventory reads only files named '
                         'zstack.yml, zstack.yaml, *.zstack.yml or *.zstack.yaml' % path)
        return False

    # ------------------------------------------------------------------ seams
    def _connection_options(self):
        return dict((name, self.get_option(name)) for name in ENV_VARS)

    def _create_client(self, options):
        """The ZStack client; unit tests override this to drive the plugin with a fake."""
        return client_from_params(options)

    # ------------------------------------------------------------------ parse
    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        options = self._connection_options()
        secrets = secrets_of(options)

        use_cache = self.get_option('cache')
        cache_key = self._cache_key(path)
        data = None
        if use_cache and cache:
            data = self._cached(cache_key)
        if data is None:
            try:
                validate_uuids(self.get_option('vm_l3_network_uuids'), option='vm_l3_network_uuids')
                data = self._fetch(options)
            except ZStackError as exc:
                raise AnsibleParserError('zstack.cloud.zstack inventory %s: %s' % (path, scrub(str(exc), secrets))) from None
            if use_cache:
                self._cache[cache_key] = data
        self._populate(data)

    def _cache_key(self, path):
        chosen = dict((name, self.get_option(name)) for name in FETCH_OPTIONS)
        digest = hashlib.sha256(json.dumps(chosen, sort_keys=True, default=str).encode('utf-8')).hexdigest()[:12]
        return '%s_%s' % (self.get_cache_key(path), digest)

    def _cached(self, cache_key):
        try:
            data = self._cache[cache_key]
        except KeyError:
            return None
        if not isinstance(data, dict) or data.get('format') != CACHE_FORMAT:
            return None
        return data

    # ------------------------------------------------------------------ fetch
    def _fetch(self, options):
        """Everything the inventory is built from, as plain JSON-able data (this is what the cache holds)."""
        client = self._create_client(options)
        try:
            return self._fetch_with(client)
        finally:
            client.close()  # logs out when the client logged in itself
            for warning in getattr(client, 'warnings', None) or []:
                self.display.warning('zstack.cloud.zstack: %s' % scrub(warning, getattr(client, 'secrets', None)))

    def _fetch_with(self, client):
        page_size = self.get_option('page_size')
        zones = client.query_all(ZONES_PATH, [], fields=['uuid', 'name'], page_size=page_size)
        clusters = client.query_all(CLUSTERS_PATH, [], fields=['uuid', 'name', 'zoneUuid'], page_size=page_size)
        data = {
            'format': CACHE_FORMAT,
            'zones': dict((z.get('uuid'), z.get('name')) for z in zones),
            'clusters': dict((c.get('uuid'), c.get('name')) for c in clusters),
            'hosts': [],
            'vms': [],
            'verdicts': None,
        }
        scope = []
        for option, path, found in (('zones', ZONES_PATH, zones), ('clusters', CLUSTERS_PATH, clusters)):
            wanted = self.get_option(option)
            if not wanted:
                continue
            uuids = self._resolve(option, wanted, found)
            if not uuids:
                return data  # nothing can match: never query without the filter
            field = 'zoneUuid' if option == 'zones' else 'clusterUuid'
            scope.append('%s?=%s' % (field, ','.join(uuids)))

        if self.get_option('include_hosts'):
            conditions = scope + self._one_of('state', 'host_states') + self._one_of('status', 'host_statuses')
            conditions += list(self.get_option('host_filters'))
            data['hosts'] = client.query_all(HOSTS_PATH, conditions, page_size=page_size)
        if self.get_option('include_vms'):
            conditions = scope + self._one_of('state', 'vm_states') + list(self.get_option('vm_filters'))
            data['vms'] = client.query_all(VMS_PATH, conditions, page_size=page_size)

        if self.get_option('virtualizer_info'):
            uuids = [r['uuid'] for r in data['hosts'] + data['vms'] if r.get('uuid')]
            fetcher = VirtualizerInfoFetcher(client, batch_size=self.get_option('batch_size'),
                                             workers=self.get_option('workers'))
            data['verdicts'] = fetcher.fetch(uuids, output='facts')['virtualizer_info']
        return data

    def _one_of(self, field, option):
        values = self.get_option(option)
        return ['%s?=%s' % (field, ','.join(values))] if values else []

    def _resolve(self, option, wanted, found):
        """Zone or cluster names and UUIDs -> UUIDs, in order, warning about the ones that match nothing."""
        uuids = []
        for value in wanted:
            matches = [r.get('uuid') for r in found if r.get('uuid') == value or r.get('name') == value]
            if not matches:
                kind = 'zone' if option == 'zones' else 'cluster'
                self.display.warning('zstack.cloud.zstack: no %s is named %r or has that UUID; %s ignores it'
                                     % (kind, value, option))
            uuids.extend(m for m in matches if m not in uuids)
        return uuids

    # ------------------------------------------------------------------ populate
    def _populate(self, data):
        resources = [(HOST_TYPE, h) for h in data.get('hosts') or []] + [(VM_TYPE, v) for v in data.get('vms') or []]
        verdicts = data.get('verdicts')
        host_names = dict((h.get('uuid'), h.get('name')) for h in data.get('hosts') or [])
        prepared = [self._host_vars(kind, res, data, verdicts, host_names) for kind, res in resources]
        names = self._hostnames(prepared)

        if self.get_option('include_hosts'):
            self.inventory.add_group(HOSTS_GROUP)
        if self.get_option('include_vms'):
            self.inventory.add_group(VMS_GROUP)
        if verdicts is not None:
            for group in VERDICT_GROUPS.values():
                self.inventory.add_group(group)

        strict = self.get_option('strict')
        for hostname, hostvars in zip(names, prepared):
            self.inventory.add_host(hostname)
            for key, value in hostvars.items():
                self.inventory.set_variable(hostname, key, value)
            for group in self._default_groups(hostvars, verdicts is not None):
                self.inventory.add_child(self.inventory.add_group(group), hostname)
            self._set_composite_vars(self.get_option('compose'), hostvars, hostname, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), hostvars, hostname, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), hostvars, hostname, strict=strict)

    def _host_vars(self, kind, resource, data, verdicts, host_names):
        """The host variables of one resource, every value from ZStack marked unsafe."""
        hostvars = dict((PREFIX + snake(k), v) for k, v in resource.items())
        for field in ('uuid', 'name', 'description', 'zone_uuid', 'cluster_uuid', 'state'):
            hostvars.setdefault(PREFIX + field, None)
        hostvars[PREFIX + 'resource_type'] = kind
        hostvars[PREFIX + 'zone_name'] = data['zones'].get(resource.get('zoneUuid'))
        hostvars[PREFIX + 'cluster_name'] = data['clusters'].get(resource.get('clusterUuid'))
        if kind == HOST_TYPE:
            hostvars.setdefault(PREFIX + 'status', None)
            hostvars.setdefault(PREFIX + 'management_ip', None)
            address = resource.get('managementIp')
        else:
            hostvars.setdefault(PREFIX + 'host_uuid', None)
            hostvars[PREFIX + 'host_name'] = host_names.get(resource.get('hostUuid'))
            address = nic_ip(resource, self.get_option('vm_l3_network_uuids'), self.get_option('vm_address'))
        if verdicts is not None:
            verdict = verdicts.get(resource.get('uuid')) or {}
            hostvars.update({
                PREFIX + 'verdict': verdict.get('verdict'),
                PREFIX + 'match_state': verdict.get('match_state'),
                PREFIX + 'current_version': verdict.get('current_version'),
                PREFIX + 'expect_version': verdict.get('expect_version'),
                PREFIX + 'virtualizer_reason': verdict.get('reason'),
            })
        if address:
            hostvars['ansible_host'] = address
        return dict((key, unsafe(value)) for key, value in hostvars.items())

    def _hostnames(self, prepared):
        """Inventory hostnames by preference, UUID as the fallback, colliding names made unique with the UUID."""
        preferences = self.get_option('hostnames') or ['name']
        wanted = []
        for hostvars in prepared:
            name = None
            for preference in preferences:
                key = preference if preference == 'ansible_host' else PREFIX + snake(preference)
                value = hostvars.get(key)
                if value not in (None, '') and not isinstance(value, (dict, list)):
                    name = str(value)
                    break
            wanted.append(name or hostvars[PREFIX + 'uuid'])
        counts = {}
        for name in wanted:
            counts[name] = counts.get(name, 0) + 1
        taken = set(name for name in wanted if counts[name] == 1)
        result, renamed = [], []
        for name, hostvars in zip(wanted, prepared):
            if counts[name] > 1:
                renamed.append(name)
                unique = '%s_%s' % (name, hostvars[PREFIX + 'uuid'])
                name = unique if unique not in taken else hostvars[PREFIX + 'uuid']
                taken.add(name)
            result.append(wrap_var(name))
        if renamed:
            self.display.vv('zstack.cloud.zstack: %d resources shared an inventory hostname (%s); each got its UUID '
                            'as a suffix' % (len(renamed), ', '.join(sorted(set(renamed))[:10])))
        return result

    @staticmethod
    def _default_groups(hostvars, with_verdicts):
        kind = hostvars[PREFIX + 'resource_type']
        groups = [HOSTS_GROUP if kind == HOST_TYPE else VMS_GROUP]
        for scope in ('zone', 'cluster'):
            label = hostvars.get(PREFIX + scope + '_name') or hostvars.get(PREFIX + scope + '_uuid')
            if label:
                groups.append(safe_group('%s%s_%s' % (PREFIX, scope, label)))
        if with_verdicts:
            group = VERDICT_GROUPS.get(hostvars.get(PREFIX + 'verdict'))
            if group:
                groups.append(group)
        return groups
