# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GetVirtualizerInfo: list encoding, whole-call failures, omission, matchState and the seed page example."""

from __future__ import annotations

import json

import pytest

from zstack_simulator import errors
from zstack_simulator.fleet import V627, V632, fixed_uuid
from zstack_simulator.models import Backend

SEED_PAGE_EXAMPLE = json.loads("""
{ "inventories": [ { "uuid": "3ce46fb7eb2e369c88d5fd671d1c1694", "resourceType": "HostVO", "infoList": [ { "hypervisor": "qemu-kvm",
"currentVersion": "4.2.0-632.g6a6222b.el7", "expectVersion": "4.2.0-632.g6a6222b.el7", "matchState": "Matched" } ] },
{ "uuid": "5c10fab3f649380e9dce16bb22ffd572", "resourceType": "VmInstanceVO", "infoList": [ { "hypervisor": "qemu-kvm",
"currentVersion": "4.2.0-632.g6a6222b.el7", "expectVersion": "4.2.0-632.g6a6222b.el7", "matchState": "Matched" } ] },
{ "uuid": "78a8b78906233d57bce710e89b24ebc0", "resourceType": "VmInstanceVO", "infoList": [ { "hypervisor": "qemu-kvm",
"currentVersion": "4.2.0-632.g6a6222b.el7", "expectVersion": "4.2.0-632.g6a6222b.el7", "matchState": "Matched" } ] } ] }
""")
SEED_UUIDS = ["3ce46fb7eb2e369c88d5fd671d1c1694", "5c10fab3f649380e9dce16bb22ffd572", "78a8b78906233d57bce710e89b24ebc0"]


def d(name: str) -> str:
    return fixed_uuid("demo", name)


def _by_uuid(rsp) -> dict:
    assert rsp.status_code == 200, rsp.text
    return {inv["uuid"]: inv for inv in rsp.json()["inventories"]}


def _error(rsp) -> dict:
    assert rsp.status_code == 503, rsp.text
    return rsp.json()["error"]


def test_seed_page_example_reproduced_exactly(sim):
    sim.reset({"fleet": "seed-page"})
    rsp = sim.virtualizer_info(SEED_UUIDS)
    assert rsp.status_code == 200
    assert rsp.json() == SEED_PAGE_EXAMPLE
    # same key order as the documentation page
    inv = rsp.json()["inventories"][0]
    assert list(inv) == ["uuid", "resourceType", "infoList"]
    assert list(inv["infoList"][0]) == ["hypervisor", "currentVersion", "expectVersion", "matchState"]
    # the order is not the input order but stable
    assert sim.virtualizer_info(list(reversed(SEED_UUIDS))).json() == SEED_PAGE_EXAMPLE


def test_indexed_list_form(sim):
    sim.reset({"fleet": "seed-page"})
    params = [(f"uuids.{i}", u) for i, u in enumerate(SEED_UUIDS)]
    rsp = sim.get("/vm-instances/virtualizer-info", params=params)
    assert rsp.json() == SEED_PAGE_EXAMPLE


def test_comma_joined_uuids_are_one_element(sim):
    sim.reset({"fleet": "seed-page"})
    rsp = sim.get("/vm-instances/virtualizer-info", params={"uuids": ",".join(SEED_UUIDS)})
    assert _error(rsp) == {"code": "SYS.1007", "description": "One or more API argument is invalid", "details": errors.UUIDS_WRONG_TYPE}


def test_demo_match_states(sim):
    names = ["kvm-1", "kvm-2", "kvm-3", "kvm-4", "kvm-5", "vm-1", "vm-4", "vm-6", "vm-10", "vm-11"]
    infos = {u: inv["infoList"][0] for u, inv in _by_uuid(sim.virtualizer_info([d(n) for n in names])).items()}
    assert infos[d("kvm-1")] == {"hypervisor": "qemu-kvm", "currentVersion": V632, "expectVersion": V632, "matchState": "Matched"}
    assert infos[d("kvm-3")] == {"hypervisor": "qemu-kvm", "currentVersion": V627, "expectVersion": V632, "matchState": "Unmatched"}
    assert infos[d("vm-6")]["matchState"] == "Matched"  # VM on the unmatched host, compared with the host's version
    assert infos[d("vm-6")]["expectVersion"] == V627
    assert infos[d("vm-4")] == {"hypervisor": "qemu-kvm", "currentVersion": V627, "expectVersion": V632, "matchState": "Unmatched"}
    assert infos[d("vm-10")]["matchState"] == "Unmatched"
    # Unknown: no OS category -> expectVersion is left out of the JSON
    assert infos[d("kvm-5")]["matchState"] == "Unknown"
    assert "expectVersion" not in infos[d("kvm-5")]
    assert infos[d("vm-11")]["matchState"] == "Matched"


def test_no_record_resources_are_omitted(sim):
    rsp = sim.virtualizer_info([d("vm-3"), d("kvm-6"), d("vm-1"), d("vm-8")])
    assert list(_by_uuid(rsp)) == [d("vm-1")]


def test_no_error_field_and_resource_types(sim):
    for inv in sim.virtualizer_info([d("kvm-1"), d("vm-1")]).json()["inventories"]:
        assert "error" not in inv
        assert inv["resourceType"] == ("HostVO" if inv["uuid"] == d("kvm-1") else "VmInstanceVO")


def test_order_is_not_input_order(sim):
    uuids = [d(n) for n in ("vm-1", "vm-2", "vm-4", "vm-5", "kvm-1", "kvm-2")]
    got = [inv["uuid"] for inv in sim.virtualizer_info(uuids).json()["inventories"]]
    assert sorted(got) == sorted(uuids)
    # database order: neither the input order nor sorted by uuid, but stable for a seed
    assert got != sorted(uuids) and got != uuids
    assert [inv["uuid"] for inv in sim.virtualizer_info(list(reversed(uuids))).json()["inventories"]] == got
    sim.reset({"fleet": "demo", "order_seed": "another"})
    other = [inv["uuid"] for inv in sim.virtualizer_info(uuids).json()["inventories"]]
    assert sorted(other) == sorted(got) and other != got


def test_unsorted_queries_come_in_database_order(sim):
    """Without sort a query promises no order: a client that pages or merges must sort (or key by uuid)."""
    hosts = [h["uuid"] for h in sim.get("/hosts").json()["inventories"]]
    assert sorted(hosts) != hosts and len(hosts) == 6
    assert [h["uuid"] for h in sim.get("/hosts").json()["inventories"]] == hosts  # stable
    page = sim.get("/hosts", params={"limit": 3, "start": 3}).json()["inventories"]
    assert [h["uuid"] for h in page] == hosts[3:]
    by_uuid = [h["uuid"] for h in sim.get("/hosts", params={"sort": "uuid"}).json()["inventories"]]
    assert by_uuid == sorted(hosts)


def test_missing_uuids_is_mandatory_error_before_session_check(sim):
    rsp = sim.get("/vm-instances/virtualizer-info", headers={"Authorization": "OAuth " + "0" * 32})
    assert _error(rsp) == {"code": "SYS.1007", "description": "One or more API argument is invalid",
                           "details": "field[uuids] of message[org.zstack.header.message.ApiMessageParamValidator] is mandatory, can not be null"}


def test_type_check_comes_after_session_check(sim):
    rsp = sim.virtualizer_info([d("volume-1")], headers={"Authorization": "OAuth " + "0" * 32})
    assert _error(rsp)["code"] == "ID.1001"


def test_volume_uuid_fails_whole_call(sim):
    err = _error(sim.virtualizer_info([d("kvm-1"), d("vm-1"), d("volume-1")]))
    assert err == {"code": "SYS.1007", "description": "One or more API argument is invalid",
                   "details": "The 'uuids' parameter must belong to the VmInstanceVO or HostVO"}


def test_unknown_uuid_fails_whole_call(sim):
    err = _error(sim.virtualizer_info([d("kvm-1"), "0123456789abcdef0123456789abcdef"]))
    assert err["details"] == errors.UUIDS_WRONG_TYPE


def test_duplicate_uuid_fails_whole_call(sim):
    err = _error(sim.virtualizer_info([d("kvm-1"), d("kvm-1")]))
    assert (err["code"], err["details"]) == ("SYS.1007", errors.UUIDS_WRONG_TYPE)


def test_zone_uuid_is_not_a_host_or_vm(sim):
    err = _error(sim.virtualizer_info([d("zone-1")]))
    assert err["details"] == errors.UUIDS_WRONG_TYPE


def test_non_premium_build_falls_through_to_query_vm(sim):
    sim.reset({"fleet": "demo", "premium": False})
    rsp = sim.virtualizer_info([d("kvm-1")])
    assert rsp.status_code == 200
    assert rsp.json() == {"inventories": [], "schema": {}}
    # still a session-checked query
    assert _error(sim.virtualizer_info([d("kvm-1")], headers={"Authorization": "OAuth " + "0" * 32}))["code"] == "ID.1001"


def test_access_by_non_admin_needs_ownership(sim):
    sim.reset({"fleet": "demo", "accounts": [{"name": "tenant", "password": "pw"}],
               "vms": [{"uuid": "a" * 32, "name": "tenant-vm", "hostUuid": d("kvm-1"), "qemuVersion": V632, "accountName": "tenant"}]})
    import hashlib  # pylint: disable=import-outside-toplevel
    sim.login("tenant", hashlib.sha512(b"pw").hexdigest())
    assert list(_by_uuid(sim.virtualizer_info(["a" * 32]))) == ["a" * 32]
    err = _error(sim.virtualizer_info(["a" * 32, d("kvm-1")]))
    assert err["code"] == "SYS.1007" and "is not owned by account" in err["details"]


def test_empty_version_is_unmatched_not_unknown(sim):
    sim.control("POST", "seed", {"hosts": [{"uuid": "e" * 32, "name": "kvm-empty", "clusterUuid": d("cluster-1a"), "qemuVersion": "",
                                            "osDistribution": "centos", "osVersion": "7.9.2009"}]})
    info = sim.virtualizer_info(["e" * 32]).json()["inventories"][0]["infoList"][0]
    assert info == {"hypervisor": "qemu-kvm", "currentVersion": "", "expectVersion": V632, "matchState": "Unmatched"}


def test_vm_on_host_without_record_is_unknown(sim):
    sim.control("POST", "seed", {"vms": [{"uuid": "f" * 32, "name": "vm-x", "hostUuid": d("kvm-6"), "qemuVersion": V627}]})
    info = sim.virtualizer_info(["f" * 32]).json()["inventories"][0]["infoList"][0]
    assert info == {"hypervisor": "qemu-kvm", "currentVersion": V627, "matchState": "Unknown"}


def test_stale_record_without_host_is_internal_error(sim):
    sim.control("POST", "seed", {"vms": [{"uuid": "9" * 32, "name": "vm-stale", "hostUuid": d("kvm-1"), "state": "Stopped",
                                          "qemuVersion": V627, "hasRecord": True}]})
    rsp = sim.virtualizer_info(["9" * 32])
    assert rsp.status_code == 503
    assert rsp.json()["error"]["code"] == "SYS.1000"


def test_answers_follow_each_resource_as_it_changes(sim):
    """GetVirtualizerInfo reads the live rows (records, a VM's host, a host's OS category) on every call: nothing
    it found for one call is kept for the next."""
    host, vm = d("kvm-1"), d("vm-1")
    before = _by_uuid(sim.virtualizer_info([host, vm]))
    sim.backend.write_record(host, "9.9.9")  # the host runs another qemu-kvm: its VM no longer matches
    after = _by_uuid(sim.virtualizer_info([host, vm]))
    assert after[host]["infoList"][0]["currentVersion"] == "9.9.9"
    assert after[vm]["infoList"][0]["expectVersion"] == "9.9.9" != before[vm]["infoList"][0]["expectVersion"]
    assert after[vm]["infoList"][0]["matchState"] == "Unmatched"
    other = next(u for u, h in sim.backend.hosts.items() if u != host and h["clusterUuid"] == sim.backend.hosts[host]["clusterUuid"])
    sim.backend.vms[vm]["hostUuid"] = other  # migrated: its expectation is its new host's version
    moved = _by_uuid(sim.virtualizer_info([vm]))
    assert moved[vm]["infoList"][0].get("expectVersion") == sim.backend.records.get(other)


@pytest.mark.parametrize("resource_type", ["HostVO", "VmInstanceVO", "ZoneVO", "ClusterVO"])
def test_a_host_or_vm_given_as_another_resource_is_refused_before_anything_is_wiped(sim, resource_type):
    """GetVirtualizerInfo finds hosts and VMs by their inventories: a spec cannot declare one without it. The spec is
    refused before the reset wipes the fleet (the demo fleet stays as it was)."""
    before = sim.control("GET", "state")
    spec = {"fleet": "empty", "hosts": [{"uuid": "a" * 32}],
            "other_resources": [{"uuid": "e" * 32, "resourceType": resource_type}, {"uuid": "f" * 32, "resourceType": "VolumeVO"}]}
    rsp = sim.http.post(f"{sim.url}/_sim/reset", json=spec, timeout=30)
    assert rsp.status_code == 400 and "give it in the spec's hosts, vms, zones or clusters" in rsp.text
    assert sim.control("GET", "state") == before
    with pytest.raises(ValueError, match="e{32} is a " + resource_type):
        Backend({"other_resources": [{"uuid": "e" * 32, "resourceType": resource_type}]})
    with pytest.raises(ValueError, match="is a " + resource_type):
        Backend().add_other_resource("e" * 32, resource_type)
