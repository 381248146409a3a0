# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""QueryHost / QueryVmInstance / zones / clusters: conditions, paging, count, sort, fields, schema."""

from __future__ import annotations

from zstack_simulator import errors
from zstack_simulator.fleet import fixed_uuid


def d(name: str) -> str:
    return fixed_uuid("demo", name)


def _q(sim, path, *conds, **params):
    items = [("q", c) for c in conds] + list(params.items())
    rsp = sim.get(path, params=items)
    assert rsp.status_code == 200, rsp.text
    return rsp.json()


def _names(body) -> list[str]:
    return [inv["name"] for inv in body["inventories"]]


def test_query_hosts_all_and_schema(sim):
    body = _q(sim, "/hosts")
    assert len(body["inventories"]) == 6
    assert "total" not in body
    assert body["schema"]["inventories[0]"] == "org.zstack.kvm.KVMHostInventory"
    host = {inv["name"]: inv for inv in body["inventories"]}["kvm-1"]
    for key in ("uuid", "name", "zoneUuid", "clusterUuid", "managementIp", "hypervisorType", "state", "status",
                "osDistribution", "osVersion", "architecture", "createDate", "lastOpDate"):
        assert key in host
    assert (host["state"], host["status"], host["hypervisorType"]) == ("Enabled", "Connected", "KVM")
    assert host["zoneUuid"] == d("zone-1") and host["clusterUuid"] == d("cluster-1a")


def test_query_host_by_path_uuid_and_missing(sim):
    body = _q(sim, f"/hosts/{d('kvm-3')}")
    assert _names(body) == ["kvm-3"]
    assert _q(sim, "/hosts/" + "0" * 32) == {"inventories": [], "schema": {}}


def test_equal_and_not_equal(sim):
    assert _names(_q(sim, "/hosts", "status=Disconnected")) == ["kvm-6"]
    assert "kvm-6" not in _names(_q(sim, "/hosts", "status!=Disconnected"))
    assert _names(_q(sim, "/hosts", "osVersion=7.6.1810", "status=Connected")) == ["kvm-4"]


def test_equal_compares_a_number_or_a_boolean_as_its_type(sim):
    """``=`` compares a text field as text and a number or a boolean field as its type (``cpuNum=2`` as 2)."""
    vms = list(sim.backend.vms.values())
    assert any(vm.get("cpuNum") == 2 for vm in vms)
    expected = sorted(vm["name"] for vm in vms if vm.get("cpuNum") == 2)
    assert sorted(_names(_q(sim, "/vm-instances", "cpuNum=2"))) == expected
    assert sorted(_names(_q(sim, "/vm-instances", "cpuNum=2.5"))) == []  # not a number of the field's type: no match
    assert sorted(_names(_q(sim, "/vm-instances", "name=vm-1"))) == ["vm-1"]


def test_in_and_not_in(sim):
    body = _q(sim, "/hosts", f"uuid?={d('kvm-1')},{d('kvm-2')}")
    assert sorted(_names(body)) == ["kvm-1", "kvm-2"]
    body = _q(sim, "/hosts", f"uuid!?={d('kvm-1')},{d('kvm-2')}")
    assert sorted(_names(body)) == ["kvm-3", "kvm-4", "kvm-5", "kvm-6"]


def test_like(sim):
    assert sorted(_names(_q(sim, "/vm-instances", "name~=vm-1%"))) == sorted(["vm-1", "vm-10", "vm-11", "vm-12", "vm-13", "vm-14", "vm-15"])
    assert _names(_q(sim, "/hosts", "managementIp~=10.0.2.1_")) == ["kvm-5", "kvm-6"]


def test_is_null_and_not_null(sim):
    stopped = sorted(_names(_q(sim, "/vm-instances", "hostUuid is null")))
    assert stopped == ["vm-14", "vm-3", "vm-8"]
    running = _q(sim, "/vm-instances", "hostUuid not null")
    assert len(running["inventories"]) == 12
    vm = {i["name"]: i for i in _q(sim, "/vm-instances", "state=Stopped")["inventories"]}["vm-3"]
    assert "hostUuid" not in vm and vm["lastHostUuid"] == d("kvm-1")


def test_operator_precedence_is_fixed_order(sim):
    # "!=" is checked before "=", wherever it occurs: "name=a!=b" splits at "!=" into field "name=a"
    rsp = sim.get("/hosts", params={"q": "name=a!=b"})
    assert rsp.status_code == 503
    assert "condition name[name=a]" in rsp.json()["error"]["details"]
    # ">=" before "=": numeric comparison on cpuNum
    assert len(_q(sim, "/hosts", "cpuNum>=32")["inventories"]) == 6
    assert _q(sim, "/hosts", "cpuNum>32")["inventories"] == []


def test_nested_field(sim):
    body = _q(sim, "/vm-instances", "vmNics.ip=192.168.10.100")
    assert _names(body) == ["vm-1"]
    vm = body["inventories"][0]
    nic = vm["vmNics"][0]
    for key in ("uuid", "ip", "l3NetworkUuid", "mac", "deviceId", "vmInstanceUuid"):
        assert key in nic
    assert body["schema"]["inventories[0].vmNics[0]"] == "org.zstack.header.vm.VmNicInventory"
    assert body["schema"]["inventories[0]"] == "org.zstack.header.vm.VmInstanceInventory"


def test_vm_inventory_fields(sim):
    vm = _q(sim, f"/vm-instances/{d('vm-4')}")["inventories"][0]
    assert (vm["hostUuid"], vm["lastHostUuid"], vm["state"]) == (d("kvm-2"), d("kvm-2"), "Running")
    assert (vm["clusterUuid"], vm["zoneUuid"]) == (d("cluster-1a"), d("zone-1"))


def test_limit_start_sort(sim):
    body = _q(sim, "/vm-instances", sort="+name", limit="3", start="2")
    assert _names(body) == ["vm-11", "vm-12", "vm-13"]
    body = _q(sim, "/hosts", sort="-name", limit="2")
    assert _names(body) == ["kvm-6", "kvm-5"]
    # '+' not URL-encoded decodes to a space: trimmed, ascending
    rsp = sim.get("/hosts?sort=+name&limit=1")
    assert _names(rsp.json()) == ["kvm-1"]


def test_count_and_reply_with_count(sim):
    assert _q(sim, "/vm-instances", "state=Running", count="true") == {"total": 12, "schema": {}}
    body = _q(sim, "/vm-instances", "state=Running", replyWithCount="True", limit="5")
    assert body["total"] == 12 and len(body["inventories"]) == 5


def test_fields_projection(sim):
    body = _q(sim, "/hosts", "name=kvm-1", fields="uuid,name,status")
    assert body["inventories"] == [{"uuid": d("kvm-1"), "name": "kvm-1", "status": "Connected"}]


def test_default_limit_is_1000(sim):
    sim.reset({"generate": {"hosts": 120, "vms_per_host": 10, "seed": 7}})
    body = _q(sim, "/vm-instances", replyWithCount="true")
    assert body["total"] == 1200
    assert len(body["inventories"]) == 1000


def test_limit_not_integer_is_plain_400(sim):
    rsp = sim.get("/hosts", params={"limit": "ten"})
    assert (rsp.status_code, rsp.text) == (400, "Invalid query parameter. 'limit' must be an integer")
    rsp = sim.get("/hosts", params={"start": "x"})
    assert (rsp.status_code, rsp.text) == (400, "Invalid query parameter. 'start' must be an integer")


def test_condition_without_operator_is_plain_400(sim):
    rsp = sim.get("/hosts", params={"q": "status"})
    assert rsp.status_code == 400
    assert rsp.text.startswith("Invalid query parameter. The 'status' in the parameter[q] doesn't contain any query operator.")


def test_unknown_condition_field_is_sys_1007(sim):
    rsp = sim.get("/hosts", params={"q": "colour=red"})
    assert rsp.status_code == 503
    assert rsp.json()["error"]["details"] == errors.QUERY_BAD_FIELD.format(field="colour", cls="org.zstack.kvm.KVMHostInventory")


def test_zones_and_clusters(sim):
    assert sorted(_names(_q(sim, "/zones"))) == ["zone-1", "zone-2"]
    body = _q(sim, "/clusters", f"zoneUuid={d('zone-1')}")
    assert sorted(_names(body)) == ["cluster-1a", "cluster-1b"]
    assert body["schema"]["inventories[0]"] == "org.zstack.header.cluster.ClusterInventory"


def test_query_needs_session(sim):
    rsp = sim.get("/hosts", headers={"Authorization": "OAuth " + "1" * 32})
    assert rsp.status_code == 503 and rsp.json()["error"]["code"] == "ID.1001"
