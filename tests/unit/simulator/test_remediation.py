# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Remediation APIs and the version-refresh rules: reconnect, host states, maintenance, migrate,
reboot, stop/start, UpdateClusterOS long jobs and global configs."""

from __future__ import annotations

from zstack_simulator import errors
from zstack_simulator.fleet import V627, V632, fixed_uuid


def d(name: str) -> str:
    return fixed_uuid("demo", name)


def _states(sim, *names) -> dict:
    rsp = sim.virtualizer_info([d(n) for n in names])
    assert rsp.status_code == 200, rsp.text
    out = {n: None for n in names}
    rev = {d(n): n for n in names}
    for inv in rsp.json()["inventories"]:
        out[rev[inv["uuid"]]] = inv["infoList"][0]
    return out


def _host(sim, name) -> dict:
    return sim.get(f"/hosts/{d(name)}").json()["inventories"][0]


def _vm(sim, name) -> dict:
    return sim.get(f"/vm-instances/{d(name)}").json()["inventories"][0]


def _action(sim, kind, name, body):
    return sim.run_job(f"/{kind}/{d(name)}/actions", body)


def _err(rsp) -> dict:
    assert rsp.status_code == 503, rsp.text
    return rsp.json()["error"]


# ---------------------------------------------------------------- reconnect
def test_external_upgrade_shows_only_after_reconnect(sim):
    sim.backend.host_sw[d("kvm-3")]["qemuVersion"] = V632  # e.g. yum upgrade outside ZStack
    assert _states(sim, "kvm-3")["kvm-3"]["currentVersion"] == V627  # no periodic refresh
    rsp = _action(sim, "hosts", "kvm-3", {"reconnectHost": {}})
    assert rsp.status_code == 200
    assert rsp.json()["inventory"]["status"] == "Connected"
    got = _states(sim, "kvm-3", "vm-6", "vm-7", "vm-8")
    assert got["kvm-3"]["matchState"] == "Matched"
    # its running VMs keep the old process and turn Unmatched against the host
    assert got["vm-6"] == {"hypervisor": "qemu-kvm", "currentVersion": V627, "expectVersion": V632, "matchState": "Unmatched"}
    assert got["vm-7"]["matchState"] == "Unmatched"
    assert got["vm-8"] is None  # stopped: still no record


def test_reconnect_never_connected_host_creates_record(sim):
    assert _states(sim, "kvm-6")["kvm-6"] is None
    assert _action(sim, "hosts", "kvm-6", {"reconnectHost": {}}).status_code == 200
    info = _states(sim, "kvm-6")["kvm-6"]
    assert info["matchState"] == "Unknown" and "expectVersion" not in info
    assert _host(sim, "kvm-6")["status"] == "Connected"


def test_reconnect_in_maintenance_fails(sim):
    assert _action(sim, "hosts", "kvm-4", {"changeHostState": {"stateEvent": "maintain"}}).status_code == 200
    err = _err(_action(sim, "hosts", "kvm-4", {"reconnectHost": {}}))
    assert err["code"] == "SYS.1006"
    assert err["details"] == errors.HOST_BAD_STATE.format(uuid=d("kvm-4"), name="kvm-4", state="Maintenance")


def test_reconnect_unreachable_host_is_host_1002(sim):
    sim.backend.host_sw[d("kvm-2")]["reachable"] = False
    err = _err(_action(sim, "hosts", "kvm-2", {"reconnectHost": {}}))
    assert err["code"] == "HOST.1002" and err["description"] == "UNABLE_TO_RECONNECT_HOST"
    assert err["cause"]["code"] == "SYS.1006"
    assert _host(sim, "kvm-2")["status"] == "Disconnected"


# ---------------------------------------------------------------- host state
def test_disable_and_enable(sim):
    rsp = _action(sim, "hosts", "kvm-1", {"changeHostState": {"stateEvent": "disable"}})
    assert rsp.json()["inventory"]["state"] == "Disabled"
    assert _host(sim, "kvm-1")["state"] == "Disabled"
    rsp = _action(sim, "hosts", "kvm-1", {"changeHostState": {"stateEvent": "enable"}})
    assert rsp.json()["inventory"]["state"] == "Enabled"


def test_invalid_state_event(sim):
    err = _err(_action(sim, "hosts", "kvm-1", {"changeHostState": {"stateEvent": "reboot"}}))
    assert err["code"] == "SYS.1007"
    assert err["details"] == errors.INVALID_VALUE.format(field="stateEvent", valid="[enable, disable, maintain]", value="reboot")


def test_maintain_not_connected_is_refused(sim):
    err = _err(_action(sim, "hosts", "kvm-6", {"changeHostState": {"stateEvent": "maintain"}}))
    assert err["code"] == "SYS.1006"
    assert err["details"] == errors.HOST_NOT_CONNECTED_MAINTAIN.format(uuid=d("kvm-6"), status="Disconnected")


def test_maintain_migrates_vms_off(sim):
    rsp = _action(sim, "hosts", "kvm-3", {"changeHostState": {"stateEvent": "maintain"}})
    assert rsp.status_code == 200
    assert rsp.json()["inventory"]["state"] == "Maintenance"
    for name in ("vm-6", "vm-7"):
        vm = _vm(sim, name)
        assert (vm["hostUuid"], vm["lastHostUuid"], vm["state"]) == (d("kvm-4"), d("kvm-3"), "Running")
    got = _states(sim, "vm-6", "vm-7", "vm-8")
    assert got["vm-6"]["currentVersion"] == V632 and got["vm-6"]["matchState"] == "Matched"
    assert got["vm-8"] is None and _vm(sim, "vm-8")["state"] == "Stopped"  # stopped VMs stay where they are


def test_maintain_default_policy_stops_vms_that_cannot_migrate(sim):
    configs = sim.get("/global-configurations", params=[("q", "category=host"), ("q", "name=host.maintenance.policy")]).json()
    assert configs["inventories"][0]["value"] == "StopVmOnMigrationFailure"
    rsp = _action(sim, "hosts", "kvm-5", {"changeHostState": {"stateEvent": "maintain"}})
    assert rsp.status_code == 200
    for name in ("vm-11", "vm-15"):
        vm = _vm(sim, name)
        assert vm["state"] == "Stopped" and "hostUuid" not in vm
    assert _states(sim, "vm-11", "vm-15") == {"vm-11": None, "vm-15": None}
    assert _host(sim, "kvm-5")["state"] == "Maintenance"


def test_maintain_just_migrate_fails_and_rolls_back(sim):
    rsp = sim.run_job("/global-configurations/host/host.maintenance.policy/actions", {"updateGlobalConfig": {"value": "JustMigrate"}})
    assert rsp.status_code == 200 and rsp.json()["inventory"]["value"] == "JustMigrate"
    err = _err(_action(sim, "hosts", "kvm-5", {"changeHostState": {"stateEvent": "maintain"}}))
    assert err["code"] == "HOST.1001" and err["description"] == "UNABLE_TO_ENTER_MAINTENANCE_MODE"
    assert err["cause"]["details"] == errors.NO_MIGRATION_HOST
    assert _host(sim, "kvm-5")["state"] == "Enabled"
    assert _vm(sim, "vm-11")["state"] == "Running"


def test_global_config_bad_value(sim):
    rsp = sim.run_job("/global-configurations/host/host.maintenance.policy/actions", {"updateGlobalConfig": {"value": "Whatever"}})
    assert _err(rsp)["code"] == "SYS.1007"


# ---------------------------------------------------------------- VMs
def test_migration_candidates(sim):
    body = sim.get(f"/vm-instances/{d('vm-1')}/migration-target-hosts").json()
    assert [h["uuid"] for h in body["inventories"]] == [d("kvm-2")]
    assert sim.get(f"/vm-instances/{d('vm-11')}/migration-target-hosts").json() == {"inventories": []}
    _action(sim, "hosts", "kvm-2", {"changeHostState": {"stateEvent": "disable"}})
    assert sim.get(f"/vm-instances/{d('vm-1')}/migration-target-hosts").json() == {"inventories": []}


def test_migration_filter_needs_same_qemu_img_and_libvirt(sim):
    sim.control("POST", "seed", {"hosts": [{"uuid": "c" * 32, "name": "kvm-new", "clusterUuid": d("cluster-1a"), "qemuVersion": V632,
                                            "qemuImgVersion": "6.2.0", "osDistribution": "centos", "osVersion": "7.9.2009"}]})
    body = sim.get(f"/vm-instances/{d('vm-1')}/migration-target-hosts").json()
    assert [h["uuid"] for h in body["inventories"]] == [d("kvm-2")]


def test_candidates_of_stopped_vm_is_vm_1010(sim):
    rsp = sim.get(f"/vm-instances/{d('vm-3')}/migration-target-hosts")
    err = _err(rsp)
    assert err["code"] == "SYS.1006" and err["cause"]["code"] == "VM.1010"


def test_migrate_refreshes_vm_to_destination(sim):
    rsp = _action(sim, "vm-instances", "vm-4", {"migrateVm": {"hostUuid": d("kvm-1")}})
    assert rsp.status_code == 200
    inv = rsp.json()["inventory"]
    assert (inv["hostUuid"], inv["lastHostUuid"]) == (d("kvm-1"), d("kvm-2"))
    assert _states(sim, "vm-4")["vm-4"]["matchState"] == "Matched"


def test_migrate_stopped_vm_is_sys_1006_caused_by_vm_1010(sim):
    err = _err(_action(sim, "vm-instances", "vm-3", {"migrateVm": {}}))
    details = errors.VM_BAD_STATE.format(state="Stopped", message=errors.MSG_MIGRATE_VM, allowed="[Running, Unknown]")
    assert err == {"code": "SYS.1006", "description": "An operation failed", "details": details,
                   "cause": {"code": "VM.1010", "description": "NOT_IN_CORRECT_STATE", "details": details}}


def test_migrate_to_incompatible_host_fails(sim):
    err = _err(_action(sim, "vm-instances", "vm-1", {"migrateVm": {"hostUuid": d("kvm-5")}}))
    assert (err["code"], err["details"]) == ("SYS.1006", errors.NO_MIGRATION_HOST)


def test_migrate_unknown_host_is_sys_1003(sim):
    err = _err(_action(sim, "vm-instances", "vm-1", {"migrateVm": {"hostUuid": "d" * 32}}))
    assert err["details"] == errors.RESOURCE_NOT_FOUND.format(field="hostUuid", uuid="d" * 32, type="HostVO")


def test_reboot_starts_new_process(sim):
    assert _states(sim, "vm-13")["vm-13"]["matchState"] == "Unmatched"
    rsp = _action(sim, "vm-instances", "vm-13", {"rebootVmInstance": {}})
    assert rsp.status_code == 200 and rsp.json()["inventory"]["state"] == "Running"
    assert _states(sim, "vm-13")["vm-13"]["matchState"] == "Matched"


def test_reboot_stopped_vm_is_refused(sim):
    err = _err(_action(sim, "vm-instances", "vm-3", {"rebootVmInstance": {}}))
    assert err["cause"]["code"] == "VM.1010"


def test_stop_then_start(sim):
    rsp = _action(sim, "vm-instances", "vm-10", {"stopVmInstance": {"type": "cold"}})
    inv = rsp.json()["inventory"]
    assert inv["state"] == "Stopped" and "hostUuid" not in inv and inv["lastHostUuid"] == d("kvm-4")
    assert _states(sim, "vm-10")["vm-10"] is None
    rsp = _action(sim, "vm-instances", "vm-10", {"startVmInstance": {}})
    inv = rsp.json()["inventory"]
    assert (inv["state"], inv["hostUuid"]) == ("Running", d("kvm-4"))
    assert _states(sim, "vm-10")["vm-10"]["matchState"] == "Matched"


def test_start_avoids_last_host_in_maintenance(sim):
    _action(sim, "vm-instances", "vm-1", {"stopVmInstance": {}})
    _action(sim, "hosts", "kvm-1", {"changeHostState": {"stateEvent": "maintain"}})
    inv = _action(sim, "vm-instances", "vm-1", {"startVmInstance": {}}).json()["inventory"]
    assert inv["hostUuid"] == d("kvm-2")


def test_stop_bad_type(sim):
    err = _err(_action(sim, "vm-instances", "vm-1", {"stopVmInstance": {"type": "hard"}}))
    assert err["code"] == "SYS.1007"


# ---------------------------------------------------------------- UpdateClusterOS
def _longjob(sim, uuid) -> dict:
    return sim.get(f"/longjobs/{uuid}").json()["inventories"][0]


def _wait_longjob(sim, uuid, limit=50) -> dict:
    for _attempt in range(limit):
        job = _longjob(sim, uuid)
        if job["state"] in ("Succeeded", "Failed", "Canceled"):
            return job
    raise AssertionError("long job did not finish")


def test_update_cluster_os_rolls_one_host(sim):
    sim.control("POST", "jobs", {"longjob_ticks": 1000})  # step the long job by hand
    rsp = _action(sim, "clusters", "cluster-1b", {"updateClusterOS": {"hostUuid": d("kvm-3"), "updatePackages": ["qemu-kvm"], "force": False}})
    assert rsp.status_code == 200
    job = rsp.json()["inventory"]
    assert job["state"] == "Waiting" and job["targetResourceUuid"] == d("cluster-1b")
    assert job["jobName"] == "APIUpdateClusterOSMsg"
    sim.control("POST", "jobs", {"advance_longjobs": 1})
    assert _longjob(sim, job["uuid"])["state"] == "Running"
    sim.control("POST", "jobs", {"advance_longjobs": 1})
    assert _host(sim, "kvm-3")["state"] == "PreMaintenance"
    assert _states(sim, "kvm-3")["kvm-3"]["currentVersion"] == V627
    sim.control("POST", "jobs", {"advance_longjobs": 1})
    assert _longjob(sim, job["uuid"])["state"] == "Running"
    sim.control("POST", "jobs", {"advance_longjobs": 1})
    assert _longjob(sim, job["uuid"])["state"] == "Succeeded"
    assert _host(sim, "kvm-3")["state"] == "Enabled"
    got = _states(sim, "kvm-3", "vm-6", "vm-7", "kvm-4")
    assert got["kvm-3"]["matchState"] == "Matched" and got["kvm-3"]["currentVersion"] == V632
    assert got["vm-6"]["matchState"] == "Unmatched" and got["vm-7"]["matchState"] == "Unmatched"
    assert got["kvm-4"]["matchState"] == "Matched"  # not targeted
    # remediation of the VMs: reboot one, live-migrate the other
    _action(sim, "vm-instances", "vm-6", {"rebootVmInstance": {}})
    _action(sim, "vm-instances", "vm-7", {"migrateVm": {"hostUuid": d("kvm-4")}})
    got = _states(sim, "vm-6", "vm-7")
    assert got["vm-6"]["matchState"] == "Matched" and got["vm-7"]["matchState"] == "Matched"


def test_update_cluster_os_whole_cluster_and_query(sim):
    sim.control("POST", "jobs", {"longjob_ticks": 1000})
    job = _action(sim, "clusters", "cluster-1b", {"updateClusterOS": {}}).json()["inventory"]
    listing = sim.get("/longjobs", params={"q": f"targetResourceUuid={d('cluster-1b')}"}).json()
    assert listing["inventories"][0]["uuid"] == job["uuid"]
    assert listing["schema"]["inventories[0]"] == "org.zstack.header.longjob.LongJobInventory"
    steps = sim.control("POST", "jobs", {"finish_longjobs": True})["longjob_steps"]
    assert steps >= 3
    assert _longjob(sim, job["uuid"])["state"] == "Succeeded"
    assert _states(sim, "kvm-3")["kvm-3"]["matchState"] == "Matched"


def test_update_cluster_os_excluding_qemu_changes_nothing(sim):
    job = _action(sim, "clusters", "cluster-1b", {"updateClusterOS": {"hostUuid": d("kvm-3"), "excludePackages": ["qemu-kvm"]}}).json()["inventory"]
    assert _wait_longjob(sim, job["uuid"])["state"] == "Succeeded"
    assert _states(sim, "kvm-3")["kvm-3"]["matchState"] == "Unmatched"


def test_update_cluster_os_to_named_version(sim):
    sim.reset({"fleet": "demo", "upgrade_versions": {"x86_64 centos 7.9.2009": "4.2.0-700.gabcdef0.el7"}})
    job = _action(sim, "clusters", "cluster-1b", {"updateClusterOS": {"hostUuid": d("kvm-3")}}).json()["inventory"]
    _wait_longjob(sim, job["uuid"])
    info = _states(sim, "kvm-3")["kvm-3"]
    assert info["currentVersion"] == "4.2.0-700.gabcdef0.el7" and info["matchState"] == "Unmatched"


def test_update_cluster_os_failure_via_fault(sim):
    sim.control("POST", "faults", {"job_error": {"code": "SYS.1006", "details": "yum failed"}, "action": "updateClusterOS"})
    job = _action(sim, "clusters", "cluster-1b", {"updateClusterOS": {"hostUuid": d("kvm-3")}}).json()["inventory"]
    done = _wait_longjob(sim, job["uuid"])
    assert done["state"] == "Failed" and "yum failed" in done["jobResult"]
    assert _host(sim, "kvm-3")["state"] == "Enabled"
    assert _states(sim, "kvm-3")["kvm-3"]["currentVersion"] == V627


def test_update_cluster_os_host_outside_cluster(sim):
    err = _err(_action(sim, "clusters", "cluster-1b", {"updateClusterOS": {"hostUuid": d("kvm-1")}}))
    assert err["code"] == "SYS.1007"


def test_zones_clusters_and_global_configs_query(sim):
    body = sim.get("/global-configurations", params={"q": "category=cluster"}).json()
    names = {c["name"]: c["value"] for c in body["inventories"]}
    assert names == {"update.os.parallelismDegree": "2"}
    body = sim.get("/global-configurations", params=[("q", "category=host"), ("q", "name~=%parallelism%")]).json()
    assert [c["name"] for c in body["inventories"]] == ["update.os.parallelismDegree"]


def test_cancel_long_job(sim):
    sim.control("POST", "jobs", {"longjob_ticks": 1000})
    job = _action(sim, "clusters", "cluster-1b", {"updateClusterOS": {"hostUuid": d("kvm-3")}}).json()["inventory"]
    sim.control("POST", "jobs", {"advance_longjobs": 2})
    assert _host(sim, "kvm-3")["state"] == "PreMaintenance"
    rsp = sim.run_job(f"/longjobs/{job['uuid']}/actions", {"cancelLongJob": {}})
    assert (rsp.status_code, rsp.json()) == (200, {})
    assert _longjob(sim, job["uuid"])["state"] == "Canceled"
    assert _host(sim, "kvm-3")["state"] == "Enabled"
    assert _states(sim, "kvm-3")["kvm-3"]["currentVersion"] == V627
    again = sim.run_job(f"/longjobs/{job['uuid']}/actions", {"cancelLongJob": {}})
    assert _err(again)["code"] == "SYS.1006"
