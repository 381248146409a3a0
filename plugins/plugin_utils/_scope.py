# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The compliance scope: which hosts and VMs one run checks.

Private to this collection: not a public API, may change without notice.

:func:`build_scope` merges the discovered host and VM inventories with the UUIDs
the user named into one ordered UUID list for one verdict call.  :func:`check_scope`
refuses a scope that resolves to nothing, and a zone or cluster narrowing that
matched no host (it does not exist, is given by name, or is empty): a compliance
check of nothing is not a pass.  :func:`resource_names` and :func:`unnamed` say which
names a scope has and which zones, clusters and hosts it refers to without one.
"""

from __future__ import annotations

from ansible_collections.zstack.cloud.plugins.plugin_utils._common import (
    HOST,
    VM,
    ComplianceError,
    as_list,
    option,
    sort_key,
)


#: the inventory fields the compliance logic reads (_slim_host / _slim_vm): discovery asks ZStack for these only,
#: which keeps a fleet of 10,000 VMs small in every later step
HOST_FIELDS = ('uuid', 'name', 'zoneUuid', 'clusterUuid', 'managementIp', 'state', 'status')
VM_FIELDS = ('uuid', 'name', 'zoneUuid', 'clusterUuid', 'hostUuid', 'state')
#: a discovered VM's zone and cluster are those of its host, which the same discovery finds
DISCOVERED_VM_FIELDS = ('uuid', 'name', 'hostUuid', 'state')


def _slim_host(inv):
    return {
        'uuid': inv.get('uuid'),
        'name': inv.get('name'),
        'resource_type': HOST,
        'zone_uuid': inv.get('zoneUuid'),
        'cluster_uuid': inv.get('clusterUuid'),
        'host_uuid': None,
        'management_ip': inv.get('managementIp'),
        'state': inv.get('state'),
        'status': inv.get('status'),
    }


def _slim_vm(inv):
    return {
        'uuid': inv.get('uuid'),
        'name': inv.get('name'),
        'resource_type': VM,
        'zone_uuid': inv.get('zoneUuid'),
        'cluster_uuid': inv.get('clusterUuid'),
        'host_uuid': inv.get('hostUuid'),
        'management_ip': None,
        'state': inv.get('state'),
        'status': None,
    }


def build_scope(hosts=None, vms=None, uuids=None, vm_states=('Running',)):
    """One ordered scope from discovered inventories and explicit UUIDs.

    ``hosts`` and ``vms`` are ZStack inventories (camelCase, as the info modules
    return them); ``uuids`` are the UUIDs the user named (hosts or VMs, any mix).
    VMs whose state is not in ``vm_states`` are dropped from discovery, but an
    explicitly named VM is always kept.  Returns ``{uuids, resources,
    host_uuids, vm_uuids, explicit_unresolved}``; ``uuids`` lists hosts first.
    """
    explicit = list(dict.fromkeys(as_list(uuids, 'uuids')))
    explicit_set = set(explicit)
    resources = {}
    for inv in as_list(hosts, 'hosts'):
        if inv.get('uuid'):
            resources[inv['uuid']] = _slim_host(inv)
    for inv in as_list(vms, 'vms'):
        uuid = inv.get('uuid')
        if not uuid or uuid in resources:
            continue
        if vm_states and inv.get('state') not in vm_states and uuid not in explicit_set:
            continue
        resources[uuid] = _slim_vm(inv)
    # fill in zone/cluster of VMs from their host when the VM inventory lacks it
    for entry in resources.values():
        if entry['resource_type'] == VM and entry['host_uuid'] in resources:
            host = resources[entry['host_uuid']]
            entry['zone_uuid'] = entry['zone_uuid'] or host['zone_uuid']
            entry['cluster_uuid'] = entry['cluster_uuid'] or host['cluster_uuid']
    host_list = sorted((e for e in resources.values() if e['resource_type'] == HOST), key=sort_key)
    vm_list = sorted((e for e in resources.values() if e['resource_type'] == VM), key=sort_key)
    unresolved = [u for u in explicit if u not in resources]
    ordered = [e['uuid'] for e in host_list] + [e['uuid'] for e in vm_list] + unresolved
    return {
        'uuids': ordered,
        'resources': resources,
        'host_uuids': [e['uuid'] for e in host_list],
        'vm_uuids': [e['uuid'] for e in vm_list],
        'explicit_unresolved': unresolved,
    }


def resource_names(scope):
    """``{uuid: name}`` of the hosts and VMs of a scope (the discovery read their names)."""
    resources = (scope or {}).get('resources') or {}
    return dict((uuid, entry['name']) for uuid, entry in resources.items() if entry.get('name'))


def unnamed(scope, names, zone_uuids=(), cluster_uuids=()):
    """The UUIDs a scope refers to that ``names`` has no name for, by kind: ``{cluster, zone, host: [uuid...]}``.

    Zones and clusters are those of the scope's resources and of the narrowing (``zone_uuids``,
    ``cluster_uuids``); hosts are those the scope's VMs run on that are not in the scope.
    Each list is sorted, without duplicates.
    """
    resources = (scope or {}).get('resources') or {}
    wanted = {'cluster': set(as_list(cluster_uuids, option('cluster_uuids'))),
              'zone': set(as_list(zone_uuids, option('zone_uuids'))), 'host': set()}
    for entry in resources.values():
        wanted['cluster'].add(entry.get('cluster_uuid'))
        wanted['zone'].add(entry.get('zone_uuid'))
        if entry.get('resource_type') == VM:
            wanted['host'].add(entry.get('host_uuid'))
    return dict((kind, sorted(u for u in uuids if u and u not in names)) for kind, uuids in wanted.items())


def check_scope(scope, zone_uuids=(), cluster_uuids=(), discovered_hosts=None, allow_empty=False):
    """Raise ComplianceError when the scope resolves to nothing or a narrowing matched no host.

    ``discovered_hosts`` are the host inventories the zone / cluster discovery found
    (None when there was no discovery).  ``allow_empty`` (the role's
    ``virtualizer_compliance_allow_empty_scope``) lets both pass.
    """
    if allow_empty:
        return scope
    problems = []
    if discovered_hosts is not None:
        seen_zones = set(h.get('zoneUuid') for h in as_list(discovered_hosts, 'hosts'))
        seen_clusters = set(h.get('clusterUuid') for h in as_list(discovered_hosts, 'hosts'))
        for name, wanted, seen in (('zone_uuids', zone_uuids, seen_zones), ('cluster_uuids', cluster_uuids, seen_clusters)):
            missing = [u for u in as_list(wanted, option(name)) if u not in seen]
            if missing:
                kind = name.split('_', maxsplit=1)[0]
                problems.append('%s: no host found in %s %s: it does not exist, is not a %s UUID, or has no hosts' % (
                    option(name), kind, ', '.join(missing), kind))
    if not scope.get('uuids'):
        problems.append('the scope is empty: no host or running VM matched the discovery and no UUID was named')
    if problems:
        raise ComplianceError('%s. A compliance check of nothing is not a pass: check the UUIDs (QueryZone / QueryCluster '
                              'list them), or set %s=true if an empty scope is fine'
                              % ('; '.join(problems), option('allow_empty_scope')))
    return scope
