# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The /_sim control plane: reset, seed, faults (status, drop, delay, filters), counters, state."""

from __future__ import annotations

import hashlib
import time

import pytest
import requests

from zstack_simulator.fleet import V632, fixed_uuid

VI_PATH = "/v1/vm-instances/virtualizer-info"
PASSWORD_HASH = hashlib.sha512(b"password").hexdigest()


def d(name: str) -> str:
    return fixed_uuid("demo", name)


def test_fault_status_body_headers_and_count(sim):
    sim.login()
    sim.control("POST", "faults", {"count": 2, "status": 502, "body": "bad gateway", "headers": {"Retry-After": "1"}, "path": VI_PATH})
    for _attempt in range(2):
        rsp = sim.virtualizer_info([d("kvm-1")])
        assert (rsp.status_code, rsp.text, rsp.headers["Retry-After"]) == (502, "bad gateway", "1")
    assert sim.virtualizer_info([d("kvm-1")]).status_code == 200
    # other paths were never affected
    assert sim.get("/hosts").status_code == 200


def test_fault_path_and_method_filters(sim):
    sim.login()
    sim.control("POST", "faults", {"status": 503, "body": "{}", "method": "PUT", "path": "/zstack/v1/hosts"})
    assert sim.get("/hosts").status_code == 200
    rsp = sim.put(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}})
    assert rsp.status_code == 503


def test_fault_drop_closes_connection(sim):
    sim.login()
    sim.control("POST", "faults", {"drop": True, "path": VI_PATH})
    with pytest.raises(requests.ConnectionError):
        requests.get(sim.api + "/vm-instances/virtualizer-info", params={"uuids": d("kvm-1")}, headers=sim.auth(), timeout=10)
    assert sim.virtualizer_info([d("kvm-1")]).status_code == 200


def test_fault_delay(sim):
    sim.login()
    sim.control("POST", "faults", {"delay": 0.6, "path": VI_PATH})
    start = time.monotonic()
    rsp = sim.virtualizer_info([d("kvm-1")])
    assert rsp.status_code == 200
    assert time.monotonic() - start >= 0.6


def test_delete_faults(sim):
    sim.login()
    sim.control("POST", "faults", {"count": 5, "status": 500, "body": "boom"})
    sim.control("DELETE", "faults")
    assert sim.get("/hosts").status_code == 200


def test_counters(sim):
    sim.login()
    sim.virtualizer_info([d("kvm-1")])
    sim.virtualizer_info([d("kvm-2")])
    sim.get(f"/hosts/{d('kvm-1')}")
    sim.put(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}})
    sim.http.delete(f"{sim.api}/accounts/sessions/{'0' * 32}")
    counters = sim.control("GET", "counters")
    assert counters["requests"]["GET /v1/vm-instances/virtualizer-info"] == 2
    assert counters["requests"]["GET /v1/hosts/{uuid}"] == 1
    assert counters["requests"]["PUT /v1/accounts/login"] == 1
    assert counters["total_requests"] == 6
    assert counters["mutating_requests"] == 1  # login and logout are not counted
    assert counters["logins"] == 1 and counters["logouts"] == 0
    assert counters["active_sessions"] == 1


def test_reset_clears_sessions_and_counters(sim):
    sim.login()
    sim.get("/hosts")
    sim.reset({"fleet": "seed-page"})
    counters = sim.control("GET", "counters")
    assert counters["total_requests"] == 0 and counters["active_sessions"] == 0
    sim.login()
    assert len(sim.get("/hosts").json()["inventories"]) == 1


def test_seed_adds_resources(sim):
    sim.control("POST", "seed", {"vms": [{"uuid": "b" * 32, "name": "extra", "hostUuid": d("kvm-1"), "qemuVersion": V632}]})
    infos = sim.virtualizer_info(["b" * 32]).json()["inventories"]
    assert infos[0]["infoList"][0]["matchState"] == "Matched"


def test_state_dump(sim):
    state = sim.control("GET", "state")
    assert state["hosts"][d("kvm-3")]["qemuVersion"] == "4.2.0-627.g36ee592.el7"
    assert state["vms"][d("vm-3")]["record"] is None
    assert state["other_resources"][d("volume-1")] == "VolumeVO"


def test_control_plane_rejects_bad_spec(sim):
    rsp = requests.post(f"{sim.url}/_sim/reset", json={"fleet": "no-such-fleet"}, timeout=10)
    assert rsp.status_code == 400


def test_bad_reset_keeps_the_current_fleet(sim):
    rsp = requests.post(f"{sim.url}/_sim/reset", json={"fleet": "nope"}, timeout=10)
    assert rsp.status_code == 400
    assert len(sim.get("/hosts").json()["inventories"]) == 6


def test_admin_password_can_be_changed_by_spec(sim):
    sim.reset({"fleet": "seed-page", "accounts": [{"name": "admin", "password": "s3cret"}]})
    rsp = requests.put(f"{sim.api}/accounts/login", json={"logInByAccount": {"accountName": "admin", "password": PASSWORD_HASH}}, timeout=10)
    assert rsp.status_code == 503
    good = hashlib.sha512(b"s3cret").hexdigest()
    rsp = requests.put(f"{sim.api}/accounts/login", json={"logInByAccount": {"accountName": "admin", "password": good}}, timeout=10)
    assert rsp.json()["inventory"]["accountUuid"] == "36c27e8ff05c4780bf6d2fa65700f22e"


def _verdict(sim, uuid):
    inventories = sim.virtualizer_info([uuid]).json()["inventories"]
    return inventories[0]["infoList"][0] if inventories else None


def test_host_upgraded_behind_the_back_and_reconnected(sim):
    """kvm-1 gets 627 installed and reconnects: the host turns Unmatched, its VMs keep their 632 process."""
    sim.login()
    out = sim.control("POST", f"hosts/{d('kvm-1')}/qemu", {"qemuVersion": "4.2.0-627.g36ee592.el7"})
    assert out == {"uuid": d("kvm-1"), "qemuVersion": "4.2.0-627.g36ee592.el7", "record": "4.2.0-627.g36ee592.el7"}
    host = _verdict(sim, d("kvm-1"))
    assert (host["currentVersion"], host["expectVersion"], host["matchState"]) == ("4.2.0-627.g36ee592.el7", V632, "Unmatched")
    vm = _verdict(sim, d("vm-1"))  # still the old 632 process, now compared with the host's 627
    assert (vm["currentVersion"], vm["expectVersion"], vm["matchState"]) == (V632, "4.2.0-627.g36ee592.el7", "Unmatched")


def test_host_upgrade_without_reconnect_changes_no_record(sim):
    sim.login()
    out = sim.control("POST", f"hosts/{d('kvm-3')}/qemu", {"qemuVersion": V632, "reconnect": False})
    assert out["record"] == "4.2.0-627.g36ee592.el7"
    assert _verdict(sim, d("kvm-3"))["matchState"] == "Unmatched"
    sim.put(f"/hosts/{d('kvm-3')}/actions", {"reconnectHost": {}})  # the real API then refreshes it
    assert _verdict(sim, d("kvm-3"))["matchState"] == "Matched"


def test_vm_process_restarted(sim):
    """vm-4 runs 627 on 632 kvm-2; a restart of its process brings it to the host's binary: Matched."""
    sim.login()
    assert _verdict(sim, d("vm-4"))["matchState"] == "Unmatched"
    out = sim.control("POST", f"vms/{d('vm-4')}/restart")
    assert out == {"uuid": d("vm-4"), "process": V632, "record": V632}
    assert _verdict(sim, d("vm-4"))["matchState"] == "Matched"


@pytest.mark.parametrize("path, body, text", [
    ("hosts/0123456789abcdef0123456789abcdef/qemu", {"qemuVersion": V632}, "no host"),
    (f"hosts/{d('kvm-1')}/qemu", {"qemuVersion": ""}, "qemuVersion"),
    (f"hosts/{d('kvm-1')}/qemu", {}, "qemuVersion"),
    ("vms/0123456789abcdef0123456789abcdef/restart", {}, "no VM"),
    (f"vms/{d('vm-3')}/restart", {}, "Stopped"),
])
def test_drift_endpoints_refuse_bad_input(sim, path, body, text):
    rsp = requests.post(f"{sim.url}/_sim/{path}", json=body, timeout=10)
    assert rsp.status_code == 400
    assert text in rsp.json()["error"]
