# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the zstack.cloud.zstack inventory plugin.

Most tests drive parse() with a fake client (through the plugin's _create_client
seam); the last ones run the plugin against the simulator over HTTP.
"""

from __future__ import annotations

import hashlib
import json
import os

import pytest
import yaml

from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader
from ansible.template import Templar

from ansible_collections.zstack.cloud.plugins.doc_fragments.zstack import ModuleDocFragment
from ansible_collections.zstack.cloud.plugins.module_utils._client import ZStackClient
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackAuthError, ZStackHTTPError
from ansible_collections.zstack.cloud.plugins.module_utils._connection import ENV_VARS
from ansible_collections.zstack.cloud.plugins.module_utils import _virtualizer

NEW = '4.2.0-632.g6a6222b.el7'
OLD = '4.2.0-627.g36ee592.el7'
PASSWORD = 's3cret-Passw0rd'
SESSION = 'feedfacefeedfacefeedfacefeedface'


def u(name):
    return hashlib.md5(name.encode()).hexdigest()


Z1, Z2, C1, C2 = u('zone-1'), u('zone-2'), u('cluster-a'), u('cluster-b')
H1, H2, H3, H4 = u('kvm-1'), u('kvm-2'), u('kvm-3'), u('kvm-4')
V1, V2, V3 = u('vm-1'), u('vm-2'), u('vm-3')
L1, L2 = u('l3-mgmt'), u('l3-public')


def host(uuid, name, cluster, zone, ip, status='Connected', **extra):
    inv = {'uuid': uuid, 'name': name, 'zoneUuid': zone, 'clusterUuid': cluster, 'managementIp': ip,
           'state': 'Enabled', 'status': status, 'hypervisorType': 'KVM', 'architecture': 'x86_64',
           'osDistribution': 'centos', 'osVersion': '7.9.2009', 'cpuNum': 32}
    inv.update(extra)
    return inv


def vm(uuid, name, host_uuid, state='Running', nics=(), default_l3=None):
    return {'uuid': uuid, 'name': name, 'zoneUuid': Z1, 'clusterUuid': C1, 'hostUuid': host_uuid,
            'state': state, 'type': 'UserVm', 'defaultL3NetworkUuid': default_l3,
            'vmNics': [{'uuid': u(name + str(i)), 'ip': ip, 'l3NetworkUuid': l3, 'deviceId': dev}
                       for i, (dev, ip, l3) in enumerate(nics)]}


def record(uuid, kind, current, expect):
    entry = {'hypervisor': 'qemu-kvm', 'currentVersion': current}
    if expect is not None:
        entry['expectVersion'] = expect
    entry['matchState'] = 'Unknown' if expect is None else ('Matched' if current == expect else 'Unmatched')
    return {'uuid': uuid, 'resourceType': kind, 'infoList': [entry]}


def matches(item, condition):
    for op in ('?=', '='):
        if op in condition:
            field, value = condition.split(op, 1)
            actual = item
            for part in field.split('.'):
                actual = actual.get(part) if isinstance(actual, dict) else None
            return str(actual) in value.split(',') if op == '?=' else str(actual) == value
    raise AssertionError('the fake client does not know the condition %r' % condition)


class FakeClient:
    """What the plugin needs of a ZStackClient: query_all, query (verdict isolation), get (verdicts), close."""

    def __init__(self, zones=None, clusters=None, hosts=None, vms=None, records=None, error=None):
        self.tables = {
            '/zones': zones if zones is not None else [{'uuid': Z1, 'name': 'zone-1'}, {'uuid': Z2, 'name': 'zone 2'}],
            '/clusters': clusters if clusters is not None else [{'uuid': C1, 'name': 'cluster-a', 'zoneUuid': Z1},
                                                                {'uuid': C2, 'name': 'cluster/b', 'zoneUuid': Z2}],
            '/hosts': hosts if hosts is not None else [
                host(H1, 'kvm-1', C1, Z1, '10.0.1.11'),
                host(H2, 'kvm-2', C1, Z1, '10.0.1.12'),
                host(H3, 'kvm-3', C2, Z2, '10.0.2.11', osDistribution='kylin', osVersion='10'),
                host(H4, 'kvm-4', C2, Z2, '10.0.2.12', status='Disconnected'),
            ],
            '/vm-instances': vms if vms is not None else [
                vm(V1, 'vm-1', H1, nics=[(1, '192.168.0.11', L2), (0, '10.10.0.11', L1)], default_l3=L2),
                vm(V2, 'vm-2', H2, nics=[(0, '10.10.0.12', L1)]),
                vm(V3, 'vm-3', None, state='Stopped', nics=[(0, '10.10.0.13', L1)]),
            ],
        }
        self.records = records if records is not None else dict((r['uuid'], r) for r in [
            record(H1, 'HostVO', NEW, NEW), record(H2, 'HostVO', OLD, NEW), record(H3, 'HostVO', '6.2.0', None),
            record(V1, 'VmInstanceVO', NEW, NEW), record(V2, 'VmInstanceVO', NEW, OLD)])
        self.error = error
        self.queries = []
        self.info_calls = []
        self.closed = 0

    def query_all(self, path, conditions=None, fields=None, page_size=1000):
        self.queries.append((path, list(conditions or [])))
        if self.error:
            raise self.error
        return [dict(i) for i in self.tables[path] if all(matches(i, c) for c in conditions or [])]

    def query(self, path, conditions=None, limit=None, start=None, fields=None, sort=None, reply_with_count=False):
        return {'inventories': [dict(i) for i in self.tables[path] if all(matches(i, c) for c in conditions or [])]}

    @staticmethod
    def mask(text):  # ZStackClient.mask: these fakes hold no secrets
        return text

    def get(self, path, params=None):
        assert path == '/vm-instances/virtualizer-info'
        uuids = dict(params)['uuids']
        self.info_calls.append(list(uuids))
        return {'inventories': [self.records[x] for x in uuids if x in self.records]}

    def close(self):
        self.closed += 1

    def conditions(self, path):
        return [c for p, c in self.queries if p == path]


BASE = {'plugin': 'zstack.cloud.zstack', 'api_url': 'http://zstack.example.com:8080',
        'account_name': 'admin', 'password': PASSWORD}


def run(tmp_path, client=None, use_cache=True, name='test.zstack.yml', **options):
    """parse() a config file of BASE + options; returns (plugin, inventory, options the client was built from)."""
    config = dict(BASE)
    config.update(options)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config))
    plugin = inventory_loader.get('zstack.cloud.zstack')
    built = []

    def create_client(opts):
        built.append(opts)
        if client is None:
            raise AssertionError('the plugin asked for a client')
        return client

    plugin._create_client = create_client
    inventory = InventoryData()
    plugin.parse(inventory, DataLoader(), str(path), cache=use_cache)
    return plugin, inventory, built


def trusted(text):
    """A template text from a trusted source (ansible-core >= 2.19 templates only those)."""
    try:
        from ansible.template import trust_as_template
    except ImportError:  # pragma: no cover - ansible-core 2.18 trusts every plain string
        return text
    return trust_as_template(text)


def hostvars(inventory, name):
    return inventory.get_host(name).get_vars()


def members(inventory, group):
    return sorted(h.name for h in inventory.groups[group].get_hosts())


# ---------------------------------------------------------------- population
def test_hosts_with_their_vars_and_verdicts(tmp_path):
    client = FakeClient()
    _plugin, inventory, built = run(tmp_path, client)
    assert sorted(inventory.hosts) == ['kvm-1', 'kvm-2', 'kvm-3', 'kvm-4']
    hv = hostvars(inventory, 'kvm-2')
    assert hv['ansible_host'] == '10.0.1.12'
    assert hv['zstack_uuid'] == H2
    assert hv['zstack_name'] == 'kvm-2'
    assert hv['zstack_management_ip'] == '10.0.1.12'
    assert hv['zstack_os_distribution'] == 'centos'
    assert hv['zstack_cpu_num'] == 32
    assert hv['zstack_zone_uuid'] == Z1 and hv['zstack_zone_name'] == 'zone-1'
    assert hv['zstack_cluster_uuid'] == C1 and hv['zstack_cluster_name'] == 'cluster-a'
    assert hv['zstack_state'] == 'Enabled' and hv['zstack_status'] == 'Connected'
    assert hv['zstack_resource_type'] == 'HostVO'
    assert hv['zstack_description'] is None
    assert hv['zstack_match_state'] == 'Unmatched'
    assert hv['zstack_verdict'] == 'Unmatched'
    assert hv['zstack_current_version'] == OLD and hv['zstack_expect_version'] == NEW
    assert 'expects' in hv['zstack_virtualizer_reason']
    unknown = hostvars(inventory, 'kvm-3')
    assert unknown['zstack_match_state'] == 'Unknown' and unknown['zstack_expect_version'] is None
    no_record = hostvars(inventory, 'kvm-4')
    assert no_record['zstack_verdict'] == 'NoRecord' and no_record['zstack_match_state'] is None
    assert 'Disconnected' in no_record['zstack_virtualizer_reason']
    assert built[0]['password'] == PASSWORD and built[0]['account_name'] == 'admin'
    assert client.closed == 1
    assert client.conditions('/vm-instances') == []  # VMs only when asked


def test_vms_when_asked(tmp_path):
    client = FakeClient()
    _plugin, inventory, _built = run(tmp_path, client, include_vms=True)
    assert sorted(inventory.hosts) == ['kvm-1', 'kvm-2', 'kvm-3', 'kvm-4', 'vm-1', 'vm-2']
    assert client.conditions('/vm-instances') == [['state?=Running']]
    hv = hostvars(inventory, 'vm-1')
    assert hv['ansible_host'] == '10.10.0.11'  # the NIC with the lowest device ID
    assert hv['zstack_resource_type'] == 'VmInstanceVO'
    assert hv['zstack_host_uuid'] == H1 and hv['zstack_host_name'] == 'kvm-1'
    assert hv['zstack_vm_nics'][0]['l3_network_uuid'] == L2
    assert hv['zstack_default_l3_network_uuid'] == L2
    assert hostvars(inventory, 'vm-2')['zstack_match_state'] == 'Unmatched'


@pytest.mark.parametrize('options, expected', [
    ({}, '10.10.0.11'),
    ({'vm_address': 'default_l3_nic_ip'}, '192.168.0.11'),
    ({'vm_address': 'none'}, None),
    ({'vm_l3_network_uuids': [u('elsewhere'), L2]}, '192.168.0.11'),
    ({'vm_l3_network_uuids': [u('elsewhere')], 'vm_address': 'none'}, None),
])
def test_vm_address(tmp_path, options, expected):
    _plugin, inventory, _built = run(tmp_path, FakeClient(), include_vms=True, **options)
    assert hostvars(inventory, 'vm-1').get('ansible_host') == expected


def test_one_batched_verdict_fetch_for_the_whole_inventory(tmp_path, monkeypatch):
    fetches = []
    original = _virtualizer.VirtualizerInfoFetcher.fetch

    def counting_fetch(self, uuids, output=_virtualizer.DEFAULT_OUTPUT):
        fetches.append((list(uuids), output))
        return original(self, uuids, output=output)

    monkeypatch.setattr(_virtualizer.VirtualizerInfoFetcher, 'fetch', counting_fetch)
    client = FakeClient()
    run(tmp_path, client, include_vms=True, batch_size=2, workers=1)
    assert fetches == [([H1, H2, H3, H4, V1, V2], 'facts')]  # the host vars need no info_list nor raw inventories
    assert client.info_calls == [[H1, H2], [H3, H4], [V1, V2]]


def test_virtualizer_info_off(tmp_path):
    client = FakeClient()
    _plugin, inventory, _built = run(tmp_path, client, virtualizer_info=False)
    assert client.info_calls == []
    assert 'zstack_match_state' not in hostvars(inventory, 'kvm-1')
    assert 'zstack_unmatched' not in inventory.groups
    assert members(inventory, 'zstack_hosts') == ['kvm-1', 'kvm-2', 'kvm-3', 'kvm-4']


def test_vms_only(tmp_path):
    client = FakeClient()
    _plugin, inventory, _built = run(tmp_path, client, include_hosts=False, include_vms=True)
    assert sorted(inventory.hosts) == ['vm-1', 'vm-2']
    assert client.conditions('/hosts') == []
    assert 'zstack_hosts' not in inventory.groups


# ---------------------------------------------------------------- groups
def test_default_groups(tmp_path):
    _plugin, inventory, _built = run(tmp_path, FakeClient(), include_vms=True, vm_states=[])
    assert members(inventory, 'zstack_hosts') == ['kvm-1', 'kvm-2', 'kvm-3', 'kvm-4']
    assert members(inventory, 'zstack_vms') == ['vm-1', 'vm-2', 'vm-3']
    assert members(inventory, 'zstack_zone_zone_1') == ['kvm-1', 'kvm-2', 'vm-1', 'vm-2', 'vm-3']
    assert members(inventory, 'zstack_zone_zone_2') == ['kvm-3', 'kvm-4']  # "zone 2" sanitised
    assert members(inventory, 'zstack_cluster_cluster_a') == ['kvm-1', 'kvm-2', 'vm-1', 'vm-2', 'vm-3']
    assert members(inventory, 'zstack_cluster_cluster_b') == ['kvm-3', 'kvm-4']  # "cluster/b" sanitised
    assert members(inventory, 'zstack_matched') == ['kvm-1', 'vm-1']
    assert members(inventory, 'zstack_unmatched') == ['kvm-2', 'vm-2']
    assert members(inventory, 'zstack_unknown') == ['kvm-3']
    assert members(inventory, 'zstack_no_record') == ['kvm-4', 'vm-3']
    assert members(inventory, 'zstack_not_found') == []  # exists, so `hosts: zstack_not_found` never warns


def test_zone_without_a_known_name_groups_by_uuid(tmp_path):
    client = FakeClient(zones=[], clusters=[])
    _plugin, inventory, _built = run(tmp_path, client)
    assert members(inventory, 'zstack_zone_' + Z1) == ['kvm-1', 'kvm-2']
    assert hostvars(inventory, 'kvm-1')['zstack_zone_name'] is None


def test_constructed_options(tmp_path):
    _plugin, inventory, _built = run(
        tmp_path, FakeClient(), include_vms=True,
        compose={'ansible_user': "'root'", 'qemu': 'zstack_current_version'},
        groups={'needs_upgrade': "zstack_resource_type == 'HostVO' and zstack_match_state == 'Unmatched'"},
        keyed_groups=[{'key': 'zstack_os_distribution', 'prefix': 'os'},
                      {'key': 'zstack_host_name', 'prefix': '', 'separator': '_'}],
        leading_separator=False)
    assert hostvars(inventory, 'kvm-1')['ansible_user'] == 'root'
    assert hostvars(inventory, 'kvm-2')['qemu'] == OLD
    assert members(inventory, 'needs_upgrade') == ['kvm-2']
    assert members(inventory, 'os_kylin') == ['kvm-3']
    assert members(inventory, 'kvm_1') == ['vm-1']  # no leading separator, sanitised like the default groups


def test_strict_compose_error(tmp_path):
    with pytest.raises(Exception, match='nonexistent'):
        run(tmp_path, FakeClient(), compose={'x': 'nonexistent.attr'}, strict=True)


# ---------------------------------------------------------------- hostnames
def test_hostname_preferences(tmp_path):
    _plugin, inventory, _built = run(tmp_path, FakeClient(), hostnames=['management_ip'])
    assert sorted(inventory.hosts) == ['10.0.1.11', '10.0.1.12', '10.0.2.11', '10.0.2.12']
    _plugin, inventory, _built = run(tmp_path, FakeClient(), hostnames=['uuid'])
    assert sorted(inventory.hosts) == sorted([H1, H2, H3, H4])
    _plugin, inventory, _built = run(tmp_path, FakeClient(), include_vms=True, include_hosts=False,
                                     hostnames=['ansible_host'])
    assert sorted(inventory.hosts) == ['10.10.0.11', '10.10.0.12']


def test_hostname_falls_back_to_uuid(tmp_path):
    hosts = [host(H1, '', C1, Z1, '10.0.1.11'), host(H2, 'kvm-2', C1, Z1, '10.0.1.12')]
    _plugin, inventory, _built = run(tmp_path, FakeClient(hosts=hosts), hostnames=['description', 'name'])
    assert sorted(inventory.hosts) == sorted([H1, 'kvm-2'])


def test_colliding_names_all_get_their_uuid(tmp_path):
    hosts = [host(H1, 'kvm-1', C1, Z1, '10.0.1.11'), host(H2, 'kvm-1', C1, Z1, '10.0.1.12'),
             host(H3, 'kvm-3', C2, Z2, '10.0.2.11')]
    vms = [vm(V1, 'kvm-3', H1, nics=[(0, '10.10.0.11', L1)]), vm(V2, 'vm-2', H1)]
    _plugin, inventory, _built = run(tmp_path, FakeClient(hosts=hosts, vms=vms), include_vms=True)
    assert sorted(inventory.hosts) == sorted(['kvm-1_' + H1, 'kvm-1_' + H2, 'kvm-3_' + H3, 'kvm-3_' + V1, 'vm-2'])
    assert hostvars(inventory, 'kvm-1_' + H2)['ansible_host'] == '10.0.1.12'


# ---------------------------------------------------------------- filters
def test_filters_become_query_conditions(tmp_path):
    client = FakeClient()
    run(tmp_path, client, include_vms=True, zones=['zone-1', Z2], clusters=['cluster-a'],
        host_states=['Enabled', 'Disabled'], host_statuses=['Connected'], host_filters=['architecture=x86_64'],
        vm_states=['Running', 'Paused'], vm_filters=['type=UserVm'])
    scope = ['zoneUuid?=%s,%s' % (Z1, Z2), 'clusterUuid?=%s' % C1]
    assert client.conditions('/hosts') == [scope + ['state?=Enabled,Disabled', 'status?=Connected', 'architecture=x86_64']]
    assert client.conditions('/vm-instances') == [scope + ['state?=Running,Paused', 'type=UserVm']]


def test_filters_select_hosts(tmp_path):
    _plugin, inventory, _built = run(tmp_path, FakeClient(), clusters=['cluster/b'], host_statuses=['Connected'])
    assert sorted(inventory.hosts) == ['kvm-3']


def test_empty_vm_states_means_every_state(tmp_path):
    client = FakeClient()
    _plugin, inventory, _built = run(tmp_path, client, include_vms=True, vm_states=[])
    assert client.conditions('/vm-instances') == [[]]
    assert 'vm-3' in inventory.hosts


def test_unknown_zone_matches_nothing_and_warns(tmp_path, mocker):
    warning = mocker.patch('ansible.utils.display.Display.warning')
    client = FakeClient()
    _plugin, inventory, _built = run(tmp_path, client, include_vms=True, zones=['no-such-zone'])
    assert list(inventory.hosts) == []
    assert client.conditions('/hosts') == [] and client.conditions('/vm-instances') == []
    assert "'no-such-zone'" in warning.call_args[0][0]


# ---------------------------------------------------------------- unsafe
def test_api_data_is_never_templated(tmp_path):
    evil = "{{ lookup('pipe', 'echo pwned') }}"
    hosts = [host(H1, evil, C1, Z1, '10.0.1.11', description='{{ 7 * 6 }}')]
    _plugin, inventory, _built = run(tmp_path, FakeClient(hosts=hosts, vms=[]), hostnames=['uuid'],
                                     compose={'shown': 'zstack_name', 'described': 'zstack_description'})
    hv = hostvars(inventory, H1)
    assert hv['shown'] == evil
    assert hv['described'] == '{{ 7 * 6 }}'
    templar = Templar(loader=DataLoader(), variables=hv)
    assert templar.template(hv['zstack_description']) == '{{ 7 * 6 }}'
    try:
        from ansible.template import is_trusted_as_template  # ansible-core >= 2.19
    except ImportError:  # pragma: no cover - ansible-core 2.18
        from ansible.utils.unsafe_proxy import AnsibleUnsafe
        assert isinstance(hv['zstack_name'], AnsibleUnsafe)
    else:
        assert not is_trusted_as_template(hv['zstack_name'])


def test_cached_api_data_is_never_templated(tmp_path):
    evil = "{{ 'tem' ~ 'plated' }}"
    hosts = [host(H1, 'kvm-1', C1, Z1, '10.0.1.11', description=evil)]
    plugin, _inv, _built = run(tmp_path, FakeClient(hosts=hosts, vms=[]), **cache_options(tmp_path))
    plugin.update_cache_if_changed()
    _plugin, inventory, built = run(tmp_path, None, compose={'shown': 'zstack_description'}, **cache_options(tmp_path))
    assert built == []  # read back from the cache
    hv = hostvars(inventory, 'kvm-1')
    assert hv['shown'] == evil
    assert Templar(loader=DataLoader(), variables=hv).template(trusted('{{ zstack_description }}')) == evil


# ---------------------------------------------------------------- errors
def test_zstack_error_becomes_parser_error(tmp_path):
    error = ZStackAuthError({'code': 'ID.1000', 'description': 'Unable to authenticate a user',
                             'details': 'wrong account name or password'}, method='PUT', path='/v1/accounts/login', status=503)
    client = FakeClient(error=error)
    with pytest.raises(AnsibleParserError, match='ID.1000.*wrong account name or password') as info:
        run(tmp_path, client)
    assert 'Traceback' not in str(info.value)
    assert client.closed == 1


def test_secrets_are_scrubbed_from_errors(tmp_path):
    hashed = hashlib.sha512(PASSWORD.encode()).hexdigest()
    error = ZStackHTTPError('a proxy echoed %s and %s' % (PASSWORD, hashed), method='PUT', path='/v1/accounts/login', status=502)
    with pytest.raises(AnsibleParserError) as info:
        run(tmp_path, FakeClient(error=error))
    assert PASSWORD not in str(info.value) and hashed not in str(info.value)
    assert '********' in str(info.value)


def test_bad_configuration_is_a_parser_error(tmp_path):
    path = tmp_path / 'bad.zstack.yml'
    path.write_text(yaml.safe_dump({'plugin': 'zstack.cloud.zstack', 'api_url': 'zstack.example.com:8080',
                                    'account_name': 'admin', 'password': PASSWORD}))
    plugin = inventory_loader.get('zstack.cloud.zstack')  # the real _create_client
    with pytest.raises(AnsibleParserError, match='not an http'):
        plugin.parse(InventoryData(), DataLoader(), str(path), cache=False)


def test_missing_api_url_names_the_option_and_its_variable(tmp_path):
    path = tmp_path / 'no-url.zstack.yml'
    path.write_text(yaml.safe_dump({'plugin': 'zstack.cloud.zstack', 'account_name': 'admin', 'password': PASSWORD}))
    plugin = inventory_loader.get('zstack.cloud.zstack')
    with pytest.raises(AnsibleParserError) as info:
        plugin.parse(InventoryData(), DataLoader(), str(path), cache=False)
    assert 'api_url is required: set api_url or the ZSTACK_API_URL environment variable' in str(info.value)
    assert PASSWORD not in str(info.value)


def test_page_size_below_one_is_a_parser_error_before_any_request(tmp_path):
    path = tmp_path / 'page.zstack.yml'
    path.write_text(yaml.safe_dump(dict(BASE, api_url='http://127.0.0.1:9', page_size=0)))
    plugin = inventory_loader.get('zstack.cloud.zstack')  # the real client: a request would fail to connect
    with pytest.raises(AnsibleParserError, match='page_size must be a positive integer, got 0'):
        plugin.parse(InventoryData(), DataLoader(), str(path), cache=False)


def test_conflicting_credentials_are_a_parser_error(tmp_path):
    path = tmp_path / 'bad.zstack.yml'
    path.write_text(yaml.safe_dump(dict(BASE, session_uuid=SESSION)))
    plugin = inventory_loader.get('zstack.cloud.zstack')
    with pytest.raises(AnsibleParserError, match='conflicting credentials') as info:
        plugin.parse(InventoryData(), DataLoader(), str(path), cache=False)
    assert SESSION not in str(info.value) and PASSWORD not in str(info.value)


# ---------------------------------------------------------------- options and docs
def test_environment_variables_are_read(tmp_path, monkeypatch):
    env = {'ZSTACK_API_URL': 'http://mn.example.com:8080', 'ZSTACK_ACCOUNT_NAME': 'ops', 'ZSTACK_USER_NAME': 'alice',
           'ZSTACK_PASSWORD': PASSWORD, 'ZSTACK_VALIDATE_CERTS': 'false', 'ZSTACK_CA_PATH': '/etc/ca.pem',
           'ZSTACK_TIMEOUT': '7'}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    path = tmp_path / 'env.zstack.yml'
    path.write_text('plugin: zstack.cloud.zstack\n')
    plugin = inventory_loader.get('zstack.cloud.zstack')
    built = []
    plugin._create_client = lambda opts: built.append(opts) or FakeClient()
    plugin.parse(InventoryData(), DataLoader(), str(path), cache=False)
    assert built == [{'api_url': 'http://mn.example.com:8080', 'account_name': 'ops', 'user_name': 'alice',
                      'password': PASSWORD, 'session_uuid': None, 'access_key_id': None, 'access_key_secret': None,
                      'validate_certs': False, 'ca_path': '/etc/ca.pem', 'timeout': 7}]


def test_inventory_fragment_has_one_env_var_per_connection_option():
    options = yaml.safe_load(ModuleDocFragment.INVENTORY)['options']
    assert set(options) == set(ENV_VARS)
    assert dict((k, v['env'][0]['name']) for k, v in options.items()) == ENV_VARS
    module_options = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']
    assert set(module_options) == set(options)


def test_default_client_factory_builds_the_collection_client(tmp_path):
    plugin = inventory_loader.get('zstack.cloud.zstack')
    client = plugin._create_client({'api_url': 'http://mn.example.com:8080/zstack', 'account_name': 'admin',
                                    'password': PASSWORD, 'timeout': 12})
    try:
        assert isinstance(client, ZStackClient)
        assert client.base_url == 'http://mn.example.com:8080' and client.timeout == 12
        assert client.credentials.kind == 'account'
    finally:
        client.close()


@pytest.mark.parametrize('name, accepted', [
    ('zstack.yml', True), ('prod.zstack.yaml', True), ('prod.zstack.yml', True),
    ('inventory.yml', False), ('zstack.json', False), ('aws_ec2.yml', False), ('myzstack.yml', False),
])
def test_verify_file(tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text('plugin: zstack.cloud.zstack\n')
    assert inventory_loader.get('zstack.cloud.zstack').verify_file(str(path)) is accepted


# ---------------------------------------------------------------- cache
def cache_options(tmp_path):
    return {'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile', 'cache_connection': str(tmp_path / 'cache'),
            'cache_timeout': 3600}


def cached_text(tmp_path):
    texts = []
    for root, _dirs, files in os.walk(str(tmp_path / 'cache')):
        for name in files:
            with open(os.path.join(root, name)) as fobj:
                texts.append(fobj.read())
    return texts


def test_cache_is_used_refreshed_and_holds_no_secret(tmp_path):
    client = FakeClient()
    plugin, first, _built = run(tmp_path, client, include_vms=True, **cache_options(tmp_path))
    plugin.update_cache_if_changed()  # what the InventoryManager does after parse()
    texts = cached_text(tmp_path)
    assert len(texts) == 1
    data = json.loads(texts[0])
    if '__payload__' in data:  # ansible-core >= 2.19 wraps the JSON
        data = json.loads(data['__payload__'])
    assert sorted(h['name'] for h in data['hosts']) == ['kvm-1', 'kvm-2', 'kvm-3', 'kvm-4']
    hashed = hashlib.sha512(PASSWORD.encode()).hexdigest()
    assert PASSWORD not in texts[0] and hashed not in texts[0]

    # a second run reads the cache and never builds a client
    _plugin, second, built = run(tmp_path, None, include_vms=True, **cache_options(tmp_path))
    assert built == []
    assert sorted(second.hosts) == sorted(first.hosts)
    assert hostvars(second, 'vm-2')['zstack_match_state'] == 'Unmatched'
    assert members(second, 'zstack_unmatched') == ['kvm-2', 'vm-2']

    # refresh (meta: refresh_inventory, --flush-cache) fetches again and rewrites the cache
    fresh = FakeClient(hosts=[host(H1, 'kvm-1', C1, Z1, '10.0.1.11')], vms=[])
    plugin, third, built = run(tmp_path, fresh, use_cache=False, include_vms=True, **cache_options(tmp_path))
    assert len(built) == 1 and sorted(third.hosts) == ['kvm-1']
    plugin.update_cache_if_changed()
    _plugin, fourth, built = run(tmp_path, None, include_vms=True, **cache_options(tmp_path))
    assert built == [] and sorted(fourth.hosts) == ['kvm-1']


def test_cache_key_follows_the_fetch_options(tmp_path):
    plugin, _inv, _built = run(tmp_path, FakeClient(), **cache_options(tmp_path))
    plugin.update_cache_if_changed()
    _plugin, inventory, built = run(tmp_path, FakeClient(), host_statuses=['Connected'], **cache_options(tmp_path))
    assert len(built) == 1  # another filter, another cache entry: fetched again
    assert sorted(inventory.hosts) == ['kvm-1', 'kvm-2', 'kvm-3']
    # hostnames and constructed options shape the inventory from the same cached data
    _plugin, inventory, built = run(tmp_path, None, hostnames=['uuid'], **cache_options(tmp_path))
    assert built == [] and sorted(inventory.hosts) == sorted([H1, H2, H3, H4])


def test_session_secrets_never_reach_the_cache(tmp_path):
    options = dict(cache_options(tmp_path), session_uuid=SESSION, password=None, account_name=None)
    plugin, _inv, _built = run(tmp_path, FakeClient(), **options)
    plugin.update_cache_if_changed()
    assert all(SESSION not in text for text in cached_text(tmp_path))


# ---------------------------------------------------------------- against the simulator (HTTP)
@pytest.fixture(scope='module')
def simulator():
    server_module = pytest.importorskip('zstack_simulator.server')
    server = server_module.SimulatorServer(seed='demo').start()
    try:
        yield server
    finally:
        server.stop()


def sim_counters(simulator):
    import requests
    return requests.get(simulator.url + '/_sim/counters', timeout=10).json()


def sim_reset(simulator):
    import requests
    requests.post(simulator.url + '/_sim/reset', json={'fleet': 'demo'}, timeout=10).raise_for_status()


def sim_run(tmp_path, simulator, **options):
    config = dict(plugin='zstack.cloud.zstack', api_url=simulator.url, account_name='admin', password='password')
    config.update(options)
    path = tmp_path / 'sim.zstack.yml'
    path.write_text(yaml.safe_dump(config))
    inventory = InventoryData()
    inventory_loader.get('zstack.cloud.zstack').parse(inventory, DataLoader(), str(path), cache=False)
    return inventory


def test_simulator_demo_fleet(tmp_path, simulator):
    sim_reset(simulator)
    inventory = sim_run(tmp_path, simulator, include_vms=True)
    assert members(inventory, 'zstack_hosts') == ['kvm-1', 'kvm-2', 'kvm-3', 'kvm-4', 'kvm-5', 'kvm-6']
    assert len(members(inventory, 'zstack_vms')) == 12  # the running ones
    assert members(inventory, 'zstack_unmatched') == ['kvm-3', 'vm-10', 'vm-13', 'vm-4']
    assert members(inventory, 'zstack_unknown') == ['kvm-5']
    assert members(inventory, 'zstack_no_record') == ['kvm-6']
    assert members(inventory, 'zstack_zone_zone_2') == ['kvm-5', 'kvm-6', 'vm-11', 'vm-15']
    assert members(inventory, 'zstack_cluster_cluster_1b') == ['kvm-3', 'kvm-4', 'vm-10', 'vm-6', 'vm-7', 'vm-9']
    kvm3 = hostvars(inventory, 'kvm-3')
    assert kvm3['ansible_host'] == '10.0.1.13'
    assert kvm3['zstack_current_version'] == OLD and kvm3['zstack_expect_version'] == NEW
    vm4 = hostvars(inventory, 'vm-4')
    assert vm4['zstack_host_name'] == 'kvm-2' and vm4['ansible_host'].startswith('192.168.10.')
    counters = sim_counters(simulator)
    assert counters['requests'].get('GET /v1/vm-instances/virtualizer-info') == 1  # one batch for 18 resources
    assert counters['logins'] == 1 and counters['logouts'] == 1
    assert counters['active_sessions'] == 0
    assert counters['mutating_requests'] == 0


def test_simulator_filters_and_access_key(tmp_path, simulator):
    sim_reset(simulator)
    inventory = sim_run(tmp_path, simulator, account_name=None, password=None,
                        access_key_id='demoAccessKeyId0000000',
                        access_key_secret='demoAccessKeySecret000000000000000000000',
                        zones=['zone-1'], host_statuses=['Connected'], include_vms=True, vm_filters=['name=vm-4'])
    assert sorted(inventory.hosts) == ['kvm-1', 'kvm-2', 'kvm-3', 'kvm-4', 'vm-4']
    assert sim_counters(simulator)['logins'] == 0


def test_simulator_wrong_password(tmp_path, simulator):
    sim_reset(simulator)
    with pytest.raises(AnsibleParserError, match='ID.1000') as info:
        sim_run(tmp_path, simulator, password='wrong-' + PASSWORD)
    assert PASSWORD not in str(info.value)


@pytest.mark.parametrize('value', [L1 + '\n', L1 + '\r\n', '\t' + L1, L1[:8] + ' ' + L1[8:]])
def test_vm_l3_network_uuids_with_white_space_is_a_parser_error_before_any_call(tmp_path, value):
    """A UUID with a trailing line break never matched a NIC and fell back to another address, silently."""
    client = FakeClient()
    with pytest.raises(AnsibleParserError, match=r'vm_l3_network_uuids\[1\].*white space') as info:
        run(tmp_path, client, use_cache=False, vm_l3_network_uuids=[L2, value])
    assert 'lower-case hexadecimal' in str(info.value)
    assert client.queries == [] and client.info_calls == []


def test_a_failed_logout_is_a_warning(tmp_path, monkeypatch):
    client = FakeClient()
    client.warnings = ['logging out of the session this run opened failed (DELETE /v1/accounts/sessions/<session> HTTP 500)']
    client.secrets = []
    shown = []
    monkeypatch.setattr('ansible.utils.display.Display.warning', lambda self, msg, *a, **k: shown.append(msg))
    run(tmp_path, client, use_cache=False)
    assert any('logging out' in text and 'HTTP 500' in text for text in shown), shown
