# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time passes: transitional states while a job runs, state and result decided when it finishes;
job expiry from completion; sessions after identity/session.timeout; RenewSession's range;
the stored rows of QueryKvmHypervisorInfo."""

from __future__ import annotations

import time

from zstack_simulator import errors
from zstack_simulator.fleet import fixed_uuid

PACE = 0.4


def d(name: str) -> str:
    return fixed_uuid("demo", name)


def _submit(sim, path, body) -> str:
    rsp = sim.put(path, body)
    assert rsp.status_code == 202, rsp.text
    return rsp.json()["location"]


def _vm(sim, name) -> dict:
    return sim.get(f"/vm-instances/{d(name)}").json()["inventories"][0]


def _host(sim, name) -> dict:
    return sim.get(f"/hosts/{d(name)}").json()["inventories"][0]


def _wait(sim, location) -> object:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rsp = sim.http.get(location, timeout=10)
        if rsp.status_code != 202:
            return rsp
        assert rsp.content == b""
        time.sleep(0.05)
    raise AssertionError("job did not finish")


def test_default_pacing_is_a_few_hundred_ms(sim):
    sim.control("POST", "reset", {"fleet": "demo"})  # a plain reset, without the conftest's pacing 0
    assert 0.1 <= sim.control("POST", "jobs", {})["job_seconds"] <= 0.5


def test_migration_is_migrating_until_the_job_finishes(sim):
    sim.control("POST", "jobs", {"job_seconds": PACE})
    before = _vm(sim, "vm-4")
    started = time.monotonic()
    location = _submit(sim, f"/vm-instances/{d('vm-4')}/actions", {"migrateVm": {}})
    during = _vm(sim, "vm-4")
    assert (during["state"], during["hostUuid"]) == ("Migrating", before["hostUuid"])
    assert sim.http.get(location, timeout=10).status_code == 202
    done = _wait(sim, location)
    assert time.monotonic() - started >= PACE
    assert done.status_code == 200
    after = _vm(sim, "vm-4")
    assert after["state"] == "Running" and after["hostUuid"] != before["hostUuid"]
    assert done.json()["inventory"]["hostUuid"] == after["hostUuid"]


def test_reboot_passes_through_rebooting(sim):
    sim.control("POST", "jobs", {"job_seconds": PACE})
    location = _submit(sim, f"/vm-instances/{d('vm-4')}/actions", {"rebootVmInstance": {}})
    assert _vm(sim, "vm-4")["state"] == "Rebooting"
    # a second action on a VM in a transitional state is refused, as the real API does
    again = _wait(sim, _submit(sim, f"/vm-instances/{d('vm-4')}/actions", {"stopVmInstance": {}}))
    assert again.json()["error"]["cause"]["code"] == "VM.1010"
    assert _wait(sim, location).json()["inventory"]["state"] == "Running"


def test_stop_and_start_pass_through_stopping_and_starting(sim):
    sim.control("POST", "jobs", {"job_seconds": PACE})
    location = _submit(sim, f"/vm-instances/{d('vm-1')}/actions", {"stopVmInstance": {}})
    assert _vm(sim, "vm-1")["state"] == "Stopping"
    assert _wait(sim, location).json()["inventory"]["state"] == "Stopped"
    location = _submit(sim, f"/vm-instances/{d('vm-1')}/actions", {"startVmInstance": {}})
    assert _vm(sim, "vm-1")["state"] == "Starting"
    assert _wait(sim, location).json()["inventory"]["state"] == "Running"


def test_maintenance_is_premaintenance_first(sim):
    sim.control("POST", "jobs", {"job_seconds": PACE})
    location = _submit(sim, f"/hosts/{d('kvm-1')}/actions", {"changeHostState": {"stateEvent": "maintain"}})
    assert _host(sim, "kvm-1")["state"] == "PreMaintenance"
    assert _vm(sim, "vm-1")["state"] == "Migrating"
    assert _wait(sim, location).json()["inventory"]["state"] == "Maintenance"
    assert _vm(sim, "vm-1")["hostUuid"] != d("kvm-1")


def test_reconnect_is_connecting_and_a_failure_is_decided_at_the_end(sim):
    sim.reset({"fleet": "demo", "hosts": [{"uuid": "7" * 32, "name": "gone", "clusterUuid": d("cluster-1a"), "reachable": False,
                                           "osDistribution": "centos", "osVersion": "7.9.2009"}]}, job_seconds=PACE)
    location = _submit(sim, f"/hosts/{'7' * 32}/actions", {"reconnectHost": {}})
    assert sim.get(f"/hosts/{'7' * 32}").json()["inventories"][0]["status"] == "Connecting"
    assert sim.http.get(location, timeout=10).status_code == 202  # not failed yet
    failed = _wait(sim, location)
    assert (failed.status_code, failed.json()["error"]["code"]) == (503, "HOST.1002")
    assert sim.get(f"/hosts/{'7' * 32}").json()["inventories"][0]["status"] == "Disconnected"


def test_a_job_nobody_polls_finishes_and_expires_a_fixed_time_after_completion(sim):
    sim.control("POST", "jobs", {"job_seconds": 0.1})
    location = _submit(sim, f"/hosts/{d('kvm-1')}/actions", {"changeHostState": {"stateEvent": "disable"}})
    time.sleep(0.2)
    assert _host(sim, "kvm-1")["state"] == "Disabled"  # finished without a poll
    sim.control("POST", "clock", {"advance": 10800 + 5})
    rsp = sim.http.get(location, timeout=10)
    assert (rsp.status_code, rsp.text) == (404, errors.JOB_EXPIRED)


def test_pacing_zero_finishes_on_the_next_request(sim):
    location = _submit(sim, f"/vm-instances/{d('vm-4')}/actions", {"rebootVmInstance": {}})
    assert sim.http.get(location, timeout=10).status_code == 200


def test_sessions_follow_the_session_timeout_global_config(sim):
    sim.reset({"fleet": "demo", "global_configs": [{"category": "identity", "name": "session.timeout", "value": "600"}]})
    sid = sim.login()
    sim.control("POST", "clock", {"advance": 590})
    assert sim.get("/zones").status_code == 200  # slides: now + 600 again
    sim.control("POST", "clock", {"advance": 590})
    assert sim.get("/zones").status_code == 200
    sim.control("POST", "clock", {"advance": 601})
    rsp = sim.get("/zones")
    assert (rsp.status_code, rsp.json()["error"]["code"]) == (503, "ID.1001")
    assert sid


def test_renew_session_checks_its_range_and_type_as_job_errors(sim):
    sid = sim.login()
    for duration in (59, 31536001, "soon", 1.5, True):
        rsp = sim.run_job(f"/accounts/sessions/{sid}/renew", {"renewSession": {"duration": duration}})
        assert rsp.status_code == 503, (duration, rsp.text)
        assert rsp.json()["error"]["code"] == "SYS.1007", duration
        assert "duration" in rsp.json()["error"]["details"]
    for duration in (60, 31536000):
        rsp = sim.run_job(f"/accounts/sessions/{sid}/renew", {"renewSession": {"duration": duration}})
        assert rsp.status_code == 200 and rsp.json()["inventory"]["uuid"] == sid


def test_hypervisor_info_rows_keep_their_stored_match_state_and_dates(sim):
    rows = {r["uuid"]: r for r in sim.get("/hosts/kvm/hypervisor/info").json()["inventories"]}
    vm6 = rows[d("vm-6")]
    assert set(vm6) == {"uuid", "hypervisor", "version", "matchState", "createDate", "lastOpDate"}
    assert vm6["matchState"] == "Matched"  # VM 627 on host 627
    # the host is upgraded and reconnected: GetVirtualizerInfo recomputes (the VM turns Unmatched) ...
    sim.control("POST", f"hosts/{d('kvm-3')}/qemu", {"qemuVersion": "4.2.0-632.g6a6222b.el7"})
    live = sim.virtualizer_info([d("vm-6")]).json()["inventories"][0]["infoList"][0]
    assert live["matchState"] == "Unmatched"
    # ... and the reconnect rewrote the VM's row too, with a new lastOpDate and the same createDate
    again = {r["uuid"]: r for r in sim.get("/hosts/kvm/hypervisor/info").json()["inventories"]}
    assert again[d("vm-6")]["matchState"] == "Unmatched"
    assert again[d("vm-6")]["createDate"] == vm6["createDate"]


# ---------------------------------------------------------------- VM rules (zstack-api.md section 6)
def _paused_and_unknown(sim, job_seconds=0):
    sim.reset({"fleet": "demo", "vms": [
        {"uuid": "5" * 32, "name": "paused", "hostUuid": d("kvm-2"), "state": "Paused", "qemuVersion": "4.2.0-632.g6a6222b.el7"},
        {"uuid": "6" * 32, "name": "unknown", "hostUuid": d("kvm-2"), "state": "Unknown", "qemuVersion": "4.2.0-632.g6a6222b.el7"},
    ]}, job_seconds=job_seconds)


def test_migration_candidates_only_for_running_vms(sim):
    _paused_and_unknown(sim)
    assert sim.get(f"/vm-instances/{d('vm-4')}/migration-target-hosts").status_code == 200
    for uuid, state in (("6" * 32, "Unknown"), ("5" * 32, "Paused"), (d("vm-3"), "Stopped")):
        err = sim.get(f"/vm-instances/{uuid}/migration-target-hosts").json()["error"]
        assert (err["code"], err["cause"]["code"]) == ("SYS.1006", "VM.1010")
        assert f"state[{state}]" in err["details"] and "allowed states are [Running]" in err["details"]


def test_stop_refused_for_a_paused_vm_allowed_for_unknown(sim):
    _paused_and_unknown(sim)
    paused = sim.run_job(f"/vm-instances/{'5' * 32}/actions", {"stopVmInstance": {}})
    assert paused.json()["error"]["cause"]["code"] == "VM.1010"
    assert "allowed states are [Running, Stopped, Unknown]" in paused.json()["error"]["details"]
    assert sim.run_job(f"/vm-instances/{'6' * 32}/actions", {"stopVmInstance": {}}).json()["inventory"]["state"] == "Stopped"


def test_maintenance_moves_unknown_vms_and_fails_on_a_paused_one(sim):
    _paused_and_unknown(sim)
    rsp = sim.run_job(f"/hosts/{d('kvm-2')}/actions", {"changeHostState": {"stateEvent": "maintain"}})
    err = rsp.json()["error"]
    assert (rsp.status_code, err["code"]) == (503, "HOST.1001")
    assert _host(sim, "kvm-2")["state"] == "Enabled"  # rolled back
    states = {v["uuid"]: (v["state"], v["hostUuid"]) for v in sim.get("/vm-instances").json()["inventories"] if v["state"] != "Stopped"}
    assert states["5" * 32] == ("Paused", d("kvm-2"))  # neither migrated nor stopped
    assert states["6" * 32][0] == "Running" and states["6" * 32][1] != d("kvm-2")  # the Unknown VM migrated
