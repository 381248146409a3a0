# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet specs: the built-in fleets (seed-page, demo, empty), the generator and the loader.

The JSON format is documented in tests/simulator/README.md.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import random

V632 = "4.2.0-632.g6a6222b.el7"
V627 = "4.2.0-627.g36ee592.el7"
QEMU_IMG = "4.2.0"
LIBVIRT = "4.9.0"
BASE_EPOCH = 1727773200  # Oct 1, 2024 09:00 UTC: createDate of seeded resources

GLOBAL_CONFIG_DEFAULTS = (
    # category, name, default value, description
    ("host", "host.maintenance.policy", "StopVmOnMigrationFailure",
     "The policy of host maintenance mode: JustMigrate or StopVmOnMigrationFailure"),
    ("cluster", "update.os.parallelismDegree", "2", "the max number of hosts of a cluster which update their OS at the same time"),
    ("host", "update.os.parallelismDegree", "2", "The maximum count of host that can update operating system at the same time"),
    ("identity", "session.timeout", "7200", "the session timeout in seconds"),
    ("identity", "session.maxConcurrent", "500", "the max number of concurrent sessions of a user"),
    ("kvm", "checkHostCpuModelName", "false", "check the CPU model name of the destination host when migrating a VM"),
    ("mevoco", "host.hypervisor.version.alarm.interval.in.seconds", "86400", "interval of the hypervisor version mismatch alarm"),
)


def fixed_uuid(*parts: str) -> str:
    """Deterministic 32-hex uuid derived from a name."""
    return hashlib.md5(":".join(parts).encode("utf-8")).hexdigest()  # nosec - not for security


def install_default_configs(backend) -> None:
    for category, name, value, desc in GLOBAL_CONFIG_DEFAULTS:
        backend.global_configs[(category, name)] = {"category": category, "name": name, "value": value,
                                                    "defaultValue": value, "description": desc}


# ---------------------------------------------------------------- built-in fleets
def seed_page_fleet() -> dict:
    """Reproduces the response example of the GetVirtualizerInfo documentation page exactly."""
    zone, cluster = fixed_uuid("seed-page", "zone"), fixed_uuid("seed-page", "cluster")
    host = "3ce46fb7eb2e369c88d5fd671d1c1694"
    return {
        "order_seed": 4,  # a database order that happens to be the page's: host, VM-1, VM-2
        "zones": [{"uuid": zone, "name": "ZONE-1"}],
        "clusters": [{"uuid": cluster, "name": "CLUSTER-1", "zoneUuid": zone}],
        "os_categories": [{"architecture": "x86_64", "osRelease": "centos 7.9.2009", "qemuVersion": V632}],
        "hosts": [{"uuid": host, "name": "HOST-1", "clusterUuid": cluster, "managementIp": "172.20.0.11",
                   "osDistribution": "centos", "osVersion": "7.9.2009", "qemuVersion": V632}],
        "vms": [
            {"uuid": "5c10fab3f649380e9dce16bb22ffd572", "name": "VM-1", "hostUuid": host, "qemuVersion": V632},
            {"uuid": "78a8b78906233d57bce710e89b24ebc0", "name": "VM-2", "hostUuid": host, "qemuVersion": V632},
        ],
    }


def demo_fleet() -> dict:  # pylint: disable=too-many-locals
    """A small realistic fleet; see README.md for the table of what each resource shows."""
    def u(name: str) -> str:
        return fixed_uuid("demo", name)

    zones = [{"uuid": u("zone-1"), "name": "zone-1"}, {"uuid": u("zone-2"), "name": "zone-2"}]
    clusters = [
        {"uuid": u("cluster-1a"), "name": "cluster-1a", "zoneUuid": u("zone-1")},
        {"uuid": u("cluster-1b"), "name": "cluster-1b", "zoneUuid": u("zone-1")},
        {"uuid": u("cluster-2a"), "name": "cluster-2a", "zoneUuid": u("zone-2"), "architecture": "aarch64"},
    ]
    cats = [
        {"architecture": "x86_64", "osRelease": "centos 7.9.2009", "qemuVersion": V632},
        {"architecture": "x86_64", "osRelease": "centos 7.6.1810", "qemuVersion": V632},
    ]
    c79 = {"osDistribution": "centos", "osVersion": "7.9.2009", "architecture": "x86_64"}
    kylin = {"osDistribution": "kylin", "osVersion": "10", "architecture": "aarch64",
             "qemuImgVersion": "6.2.0", "libvirtVersion": "6.0.0"}
    hosts = [
        # Matched host
        {"name": "kvm-1", "cluster": "cluster-1a", "ip": "10.0.1.11", "qemuVersion": V632, **c79},
        # Matched host (already upgraded) that still runs an old VM process
        {"name": "kvm-2", "cluster": "cluster-1a", "ip": "10.0.1.12", "qemuVersion": V632, **c79},
        # Unmatched host: installed 627, MN expects 632; its VMs are Matched against it
        {"name": "kvm-3", "cluster": "cluster-1b", "ip": "10.0.1.13", "qemuVersion": V627, **c79},
        # Matched host on centos 7.6
        {"name": "kvm-4", "cluster": "cluster-1b", "ip": "10.0.1.14", "qemuVersion": V632,
         "osDistribution": "centos", "osVersion": "7.6.1810", "architecture": "x86_64"},
        # Unknown host: no OS category for aarch64 "kylin 10"
        {"name": "kvm-5", "cluster": "cluster-2a", "ip": "10.0.2.11", "qemuVersion": "6.2.0-53.ky10", **kylin},
        # Never connected: no version record at all (omitted by GetVirtualizerInfo)
        {"name": "kvm-6", "cluster": "cluster-2a", "ip": "10.0.2.12", "qemuVersion": "6.2.0-53.ky10", "status": "Disconnected", **kylin},
    ]
    vms = [
        ("vm-1", "kvm-1", "Running", V632), ("vm-2", "kvm-1", "Running", V632), ("vm-3", "kvm-1", "Stopped", None),
        ("vm-4", "kvm-2", "Running", V627), ("vm-5", "kvm-2", "Running", V632), ("vm-6", "kvm-3", "Running", V627),
        ("vm-7", "kvm-3", "Running", V627), ("vm-8", "kvm-3", "Stopped", None), ("vm-9", "kvm-4", "Running", V632),
        ("vm-10", "kvm-4", "Running", V627), ("vm-11", "kvm-5", "Running", "6.2.0-53.ky10"), ("vm-12", "kvm-1", "Running", V632),
        ("vm-13", "kvm-2", "Running", V627), ("vm-14", "kvm-4", "Stopped", None), ("vm-15", "kvm-5", "Running", "6.2.0-53.ky10"),
    ]
    spec_hosts = []
    for h in hosts:
        entry = {k: v for k, v in h.items() if k not in ("cluster", "ip")}
        entry.update({"uuid": u(h["name"]), "clusterUuid": u(h["cluster"]), "managementIp": h["ip"]})
        spec_hosts.append(entry)
    spec_vms = []
    for i, (name, host, state, version) in enumerate(vms):
        spec_vms.append({"uuid": u(name), "name": name, "hostUuid": u(host), "state": state, "qemuVersion": version,
                         "nics": [{"ip": f"192.168.10.{100 + i}", "l3NetworkUuid": u("l3-flat")}]})
    return {
        "zones": zones, "clusters": clusters, "os_categories": cats, "hosts": spec_hosts, "vms": spec_vms,
        "other_resources": [{"uuid": u("volume-1"), "resourceType": "VolumeVO"}, {"uuid": u("l3-flat"), "resourceType": "L3NetworkVO"}],
        "access_keys": [{"id": "demoAccessKeyId0000000", "secret": "demoAccessKeySecret000000000000000000000", "accountName": "admin"}],
    }


BUILTIN = {"seed-page": seed_page_fleet, "demo": demo_fleet, "empty": dict}


#: resource types that have inventories (a spec's hosts, vms, zones and clusters), never in ``other_resources``
INVENTORY_TYPES = ("HostVO", "VmInstanceVO", "ZoneVO", "ClusterVO")


def check_other_resources(resources) -> None:
    """Refuse an ``other_resources`` entry of a type with an inventory: GetVirtualizerInfo and the queries find
    hosts, VMs, zones and clusters by their inventories, so one declared without it would be half a resource."""
    for entry in resources or ():
        if isinstance(entry, dict) and entry.get("resourceType") in INVENTORY_TYPES:
            raise ValueError(f"other_resources: {entry.get('uuid')} is a {entry['resourceType']}; "
                             "give it in the spec's hosts, vms, zones or clusters")


def resolve(spec) -> dict:
    """A spec may be None, a built-in name, a path to a JSON file, {"fleet": name} or a spec dict.

    What can be checked before anything is seeded is checked here, so that a bad spec fails before a reset
    wipes the state."""
    resolved = _resolve(spec)
    check_other_resources(resolved.get("other_resources"))
    return resolved


def _resolve(spec) -> dict:
    if spec is None:
        return {}
    if isinstance(spec, str):
        if spec in BUILTIN:
            return BUILTIN[spec]()
        if os.path.exists(spec):
            with open(spec, encoding="utf-8") as fobj:
                return _resolve(json.load(fobj))
        raise ValueError(f"unknown fleet {spec!r}; built-ins: {', '.join(sorted(BUILTIN))}")
    if not isinstance(spec, dict):
        raise ValueError("a fleet spec must be a JSON object")
    if "fleet" in spec:
        base = _resolve(spec["fleet"])
        extra = {k: v for k, v in spec.items() if k != "fleet"}
        for key, value in extra.items():
            if isinstance(value, list):
                base[key] = list(base.get(key, [])) + value
            else:
                base[key] = value
        return base
    return spec


# ---------------------------------------------------------------- generator
def generate(gen: dict) -> dict:  # pylint: disable=too-many-locals
    """Deterministic large fleet.  Everything x86_64 centos 7.9.2009, expected V632."""
    rng = random.Random(gen.get("seed", 42))

    def rid() -> str:
        return f"{rng.getrandbits(128):032x}"

    n_zones = int(gen.get("zones", 1))
    per_zone = int(gen.get("clusters_per_zone", 1))
    n_hosts = int(gen.get("hosts", 10))
    per_host = int(gen.get("vms_per_host", 10))
    r_uh, r_uv, r_sv = (float(gen.get(k, 0.0)) for k in ("unmatched_host_ratio", "unmatched_vm_ratio", "stopped_vm_ratio"))
    zones = [{"uuid": rid(), "name": f"zone-{z + 1}"} for z in range(n_zones)]
    clusters = [{"uuid": rid(), "name": f"cluster-{z + 1}-{c + 1}", "zoneUuid": zones[z]["uuid"]} for z in range(n_zones) for c in range(per_zone)]
    hosts, vms = [], []
    for h in range(n_hosts):
        cluster = clusters[h % len(clusters)]
        unmatched = rng.random() < r_uh
        host = {"uuid": rid(), "name": f"host-{h + 1}", "clusterUuid": cluster["uuid"], "zoneUuid": cluster["zoneUuid"],
                "managementIp": f"10.{(h >> 16) & 255}.{(h >> 8) & 255}.{h & 255}", "osDistribution": "centos", "osVersion": "7.9.2009",
                "architecture": "x86_64", "qemuVersion": V627 if unmatched else V632}
        hosts.append(host)
        for v in range(per_host):
            roll = rng.random()
            if roll < r_sv:
                state, version = "Stopped", None
            elif roll < r_sv + r_uv and not unmatched:
                state, version = "Running", V627
            else:
                state, version = "Running", host["qemuVersion"]
            idx = h * per_host + v
            vms.append({"uuid": rid(), "name": f"vm-{idx + 1}", "hostUuid": host["uuid"], "state": state, "qemuVersion": version,
                        "nics": [{"ip": f"172.{16 + ((idx >> 16) & 15)}.{(idx >> 8) & 255}.{idx & 255}"}]})
    return {"zones": zones, "clusters": clusters, "hosts": hosts, "vms": vms,
            "os_categories": [{"architecture": "x86_64", "osRelease": "centos 7.9.2009", "qemuVersion": V632}]}


# ---------------------------------------------------------------- loader
def _host_inventory(h: dict, cluster: dict | None, created: str) -> dict:
    return {
        "uuid": h["uuid"], "name": h.get("name", "host-" + h["uuid"][:8]), "description": h.get("description"),
        "zoneUuid": h.get("zoneUuid") or (cluster or {}).get("zoneUuid"), "clusterUuid": h.get("clusterUuid"),
        "managementIp": h.get("managementIp", "127.0.0.1"), "hypervisorType": "KVM",
        "state": h.get("state", "Enabled"), "status": h.get("status", "Connected"),
        "totalCpuCapacity": h.get("totalCpuCapacity", 128), "availableCpuCapacity": h.get("availableCpuCapacity", 96),
        "cpuSockets": h.get("cpuSockets", 2), "totalMemoryCapacity": h.get("totalMemoryCapacity", 270582939648),
        "availableMemoryCapacity": h.get("availableMemoryCapacity", 202937204736), "cpuNum": h.get("cpuNum", 32),
        "architecture": h.get("architecture", "x86_64"), "createDate": created, "lastOpDate": created,
        "username": h.get("username", "root"), "sshPort": h.get("sshPort", 22),
        "osDistribution": h.get("osDistribution", "centos"), "osRelease": h.get("osRelease", "Core"), "osVersion": h.get("osVersion", "7.9.2009"),
    }


IMAGE_UUID = fixed_uuid("image", "centos7")
OFFERING_UUID = fixed_uuid("offering", "small")


def _vm_inventory(v: dict, host: dict | None, created: str, index: int) -> dict:
    running = v.get("state", "Running") in ("Running", "Unknown", "Paused", "Migrating", "Rebooting", "Stopping")
    host_uuid = v.get("hostUuid")
    digest = fixed_uuid("vm-children", v["uuid"])  # one hash per VM: nic, mac and root volume derive from it
    l3 = None
    nics = []
    for n, nic in enumerate(v.get("nics", [])):
        l3 = l3 or nic.get("l3NetworkUuid")
        nics.append({
            "uuid": nic.get("uuid") or f"{digest[:30]}{n:02x}", "vmInstanceUuid": v["uuid"],
            "l3NetworkUuid": nic.get("l3NetworkUuid"), "ip": nic.get("ip"),
            "mac": nic.get("mac") or f"fa:{digest[0:2]}:{digest[2:4]}:{digest[4:6]}:{digest[6:8]}:{n:02x}",
            "netmask": nic.get("netmask", "255.255.255.0"), "gateway": nic.get("gateway"), "deviceId": nic.get("deviceId", n),
            "type": "VNIC", "hypervisorType": "KVM", "createDate": created, "lastOpDate": created,
        })
    host = host or {}
    return {
        "uuid": v["uuid"], "name": v.get("name", "vm-" + v["uuid"][:8]), "description": v.get("description"),
        "zoneUuid": host.get("zoneUuid"), "clusterUuid": host.get("clusterUuid"),
        "hostUuid": host_uuid if running else None, "lastHostUuid": v.get("lastHostUuid", host_uuid),
        "imageUuid": v.get("imageUuid") or IMAGE_UUID, "instanceOfferingUuid": OFFERING_UUID,
        "rootVolumeUuid": digest[16:] + digest[:16], "platform": "Linux", "architecture": host.get("architecture", "x86_64"),
        "defaultL3NetworkUuid": l3, "type": "UserVm", "hypervisorType": "KVM", "memorySize": v.get("memorySize", 2147483648),
        "cpuNum": v.get("cpuNum", 2), "cpuSpeed": 0, "allocatorStrategy": "LastHostPreferAllocatorStrategy",
        "createDate": created, "lastOpDate": created, "internalId": index, "vmNics": nics, "allVolumes": [], "vmCdRoms": [],
        "guestOsType": "Linux", "state": v.get("state", "Running"),
    }


def apply(backend, spec: dict) -> None:
    """Add a resolved spec to the backend (reset() clears first, seed() does not)."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # building 100k+ small dicts: the cyclic GC would dominate
    try:
        _apply(backend, spec)
    finally:
        if gc_was_enabled:
            gc.enable()


def _apply(backend, spec: dict) -> None:  # pylint: disable=too-many-branches,too-many-locals
    if "generate" in spec:
        gen = generate(spec["generate"])
        spec = {**{k: v for k, v in spec.items() if k != "generate"}, **{k: list(spec.get(k, [])) + v for k, v in gen.items()}}
    if "premium" in spec:
        backend.premium = bool(spec["premium"])
    if "max_request_line" in spec:
        backend.max_request_line = int(spec["max_request_line"])
    if "order_seed" in spec:
        backend.order_seed = spec["order_seed"]
        backend._db_keys.clear()  # pylint: disable=protected-access
    if "serve_root" in spec:
        backend.serve_root = bool(spec["serve_root"])
    for acc in spec.get("accounts", []):
        backend.add_account(acc["name"] if "name" in acc else acc["accountName"], acc.get("password", "password"), uuid=acc.get("uuid"))
    for user in spec.get("users", []):
        backend.add_user(user["accountName"], user["userName"], user.get("password", "password"), uuid=user.get("uuid"))
    for key in spec.get("access_keys", []):
        backend.add_access_key(key["id"], key["secret"], key.get("accountName", "admin"))
    for cfg in spec.get("global_configs", []):
        entry = backend.global_configs.setdefault((cfg["category"], cfg["name"]), {
            "category": cfg["category"], "name": cfg["name"], "defaultValue": cfg["value"], "description": cfg.get("description", "")})
        entry["value"] = str(cfg["value"])
    for name, version in spec.get("upgrade_versions", {}).items():
        backend.upgrade_versions[name] = version
    for cat in spec.get("os_categories", []):
        backend.os_categories[(cat["architecture"], cat["osRelease"])] = cat.get("qemuVersion")
    created = None
    for z in spec.get("zones", []):
        created = created or _stamp()
        backend.add_zone({"uuid": z["uuid"], "name": z.get("name", "zone"), "description": z.get("description"), "state": z.get("state", "Enabled"),
                          "type": "zstack", "isDefault": False, "createDate": created, "lastOpDate": created})
    for c in spec.get("clusters", []):
        created = created or _stamp()
        backend.add_cluster({"uuid": c["uuid"], "name": c.get("name", "cluster"), "description": c.get("description"),
                             "state": c.get("state", "Enabled"), "hypervisorType": "KVM", "zoneUuid": c["zoneUuid"], "type": "zstack",
                             "architecture": c.get("architecture", "x86_64"), "createDate": created, "lastOpDate": created})
    for h in spec.get("hosts", []):
        created = created or _stamp()
        inv = _host_inventory(h, backend.clusters.get(h.get("clusterUuid")), created)
        software = {"qemuVersion": h.get("qemuVersion"), "qemuImgVersion": h.get("qemuImgVersion", QEMU_IMG),
                    "libvirtVersion": h.get("libvirtVersion", LIBVIRT), "reachable": h.get("reachable", True)}
        backend.add_host(inv, software, h.get("hasRecord", inv["status"] == "Connected"))
    owners = {a["uuid"]: a["uuid"] for a in backend.accounts.values()}
    for i, v in enumerate(spec.get("vms", [])):
        created = created or _stamp()
        inv = _vm_inventory(v, backend.hosts.get(v.get("hostUuid")), created, len(backend.vms) + i + 1)
        running_version = v.get("qemuVersion") if inv["hostUuid"] else None
        owner = backend.accounts[v["accountName"]]["uuid"] if v.get("accountName") else owners.get(v.get("accountUuid"), backend.accounts["admin"]["uuid"])
        backend.add_vm(inv, running_version, v.get("hasRecord", inv["state"] == "Running"), owner=owner, record_version=v.get("qemuVersion"))
    for r in spec.get("other_resources", []):
        backend.add_other_resource(r["uuid"], r["resourceType"])


def _stamp() -> str:
    from .timefmt import gson_date  # pylint: disable=import-outside-toplevel
    return gson_date(BASE_EPOCH)
