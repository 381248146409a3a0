# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The async job protocol: 202 + location, X-Job-UUID, polling, expiry, errors only in the job result."""

from __future__ import annotations

from zstack_simulator import errors
from zstack_simulator.fleet import fixed_uuid

JOB = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"


def d(name: str) -> str:
    return fixed_uuid("demo", name)


def _poll(sim, job_id):
    return sim.http.get(f"{sim.api}/api-jobs/{job_id}", timeout=10)


def test_accepted_location_names_the_simulators_own_address(sim):
    """A real MN names its own IP:port; the simulator names the address it listens on, so a client
    that polls ``location`` as given (zssdk.py, the Go SDK) works."""
    rsp = sim.put(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}})
    assert rsp.status_code == 202
    body = rsp.json()
    assert set(body) == {"location", "apiTimeout"}
    job_id = body["location"].rsplit("/", 1)[-1]
    assert body["location"] == f"{sim.url}/zstack/v1/api-jobs/{job_id}"
    assert len(job_id) == 32
    assert isinstance(body["apiTimeout"], int)
    assert sim.http.get(body["location"], timeout=10).status_code in (200, 202)


def test_location_base_option_names_another_host(sim):
    """The option the client's own tests use: a host that does not resolve, so only a client that
    rebuilds the job URL onto its own base can follow the job."""
    assert sim.control("POST", "jobs", {"location_base": "http://zstack-mn.invalid:8080"})["location_base"] == "http://zstack-mn.invalid:8080"
    rsp = sim.put(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}})
    assert rsp.json()["location"].startswith("http://zstack-mn.invalid:8080/zstack/v1/api-jobs/")
    bad = sim.http.post(f"{sim.url}/_sim/jobs", json={"location_base": "zstack-mn.invalid"}, timeout=10)
    assert bad.status_code == 400 and "location_base must be null or an http(s) URL" in bad.json()["error"]
    sim.reset({"fleet": "demo"})  # a reset goes back to the simulator's own address
    assert sim.put(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}}).json()["location"].startswith(sim.url + "/zstack/v1/")


def test_job_uuid_header_is_the_job_id_and_unique(sim):
    hdrs = dict(sim.auth(), **{"X-Job-UUID": JOB})
    rsp = sim.put(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}}, headers=hdrs)
    assert rsp.json()["location"].endswith("/api-jobs/" + JOB)
    again = sim.put(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}}, headers=hdrs)
    assert (again.status_code, again.text) == (400, f"Duplicate job uuid[{JOB}]")
    bad = sim.put(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}}, headers=dict(sim.auth(), **{"X-Job-UUID": JOB + "-"}))
    assert (bad.status_code, bad.text) == (400, errors.BAD_JOB_UUID)
    # the same id on a GET is not a duplicate
    ok = sim.get(f"/hosts/{d('kvm-1')}", headers=hdrs)
    assert ok.status_code == 200


def test_polls_before_done(sim):
    sim.control("POST", "jobs", {"polls_before_done": 3})
    rsp = sim.put(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}}, headers=dict(sim.auth(), **{"X-Job-UUID": JOB}))
    assert rsp.status_code == 202
    for _attempt in range(3):
        poll = _poll(sim, JOB)
        assert (poll.status_code, poll.content) == (202, b"")  # a running job's reply is empty, not {}
    done = _poll(sim, JOB)
    assert done.status_code == 200
    assert done.json()["inventory"]["uuid"] == d("kvm-1")
    assert _poll(sim, JOB).status_code == 200  # results stay readable


def test_polls_before_done_zero(sim):
    sim.control("POST", "jobs", {"polls_before_done": 0})
    rsp = sim.put(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}}, headers=dict(sim.auth(), **{"X-Job-UUID": JOB}))
    assert rsp.status_code == 202
    assert _poll(sim, JOB).status_code == 200


def test_session_error_only_in_job_result(sim):
    hdrs = {"Authorization": "OAuth " + "9" * 32}
    rsp = sim.run_job(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}}, headers=hdrs)
    assert rsp.status_code == 503
    assert rsp.json() == {"error": {"code": "ID.1001", "description": errors.DESCRIPTIONS["ID.1001"], "details": "Session expired"}}


def test_missing_resource_reported_before_session(sim):
    hdrs = {"Authorization": "OAuth " + "9" * 32}
    rsp = sim.run_job(f"/hosts/{'e' * 32}/actions", {"reconnectHost": {}}, headers=hdrs)
    assert rsp.json()["error"] == {"code": "SYS.1003", "description": "A resource can not be found",
                                   "details": f"invalid field[uuid], resource[uuid:{'e' * 32}, type:HostVO] not found"}


def test_missing_action_key_is_plain_400(sim):
    rsp = sim.put(f"/hosts/{d('kvm-1')}/actions", {"noSuchAction": {}})
    assert rsp.status_code == 400
    assert rsp.text == f"the body doesn't contain action mapping to the URL[/v1/hosts/{d('kvm-1')}/actions]"


def test_job_needs_no_auth_and_expires(sim):
    hdrs = dict(sim.auth(), **{"X-Job-UUID": JOB})
    sim.put(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}}, headers=hdrs)
    _poll(sim, JOB)
    assert _poll(sim, JOB).status_code == 200
    sim.control("POST", "clock", {"advance": 10801})
    rsp = _poll(sim, JOB)
    assert (rsp.status_code, rsp.text) == (404, "the job has been expired")


def test_api_timeouts(sim):
    rsp = sim.put(f"/vm-instances/{d('vm-1')}/actions", {"migrateVm": {}})
    assert rsp.json()["apiTimeout"] == 3600000
    rsp = sim.put(f"/clusters/{d('cluster-1a')}/actions", {"updateClusterOS": {}})
    assert rsp.json()["apiTimeout"] == 86400000
    rsp = sim.put(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}}, headers=dict(sim.auth(), **{"X-API-Timeout": "60"}))
    assert rsp.json()["apiTimeout"] == 60000


def test_job_fault_injection(sim):
    sim.control("POST", "faults", {"job_error": {"code": "HOST.1002", "details": "agent is down", "cause": {"code": "SYS.1006", "details": "boom"}},
                                   "action": "reconnectHost"})
    rsp = sim.run_job(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}})
    assert rsp.status_code == 503
    err = rsp.json()["error"]
    assert (err["code"], err["description"], err["details"]) == ("HOST.1002", "UNABLE_TO_RECONNECT_HOST", "agent is down")
    assert err["cause"] == {"code": "SYS.1006", "description": "An operation failed", "details": "boom"}
    assert sim.run_job(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}}).status_code == 200


def test_job_fault_for_other_action_is_kept(sim):
    sim.control("POST", "faults", {"job_error": {"code": "SYS.1006"}, "action": "migrateVm"})
    assert sim.run_job(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}}).status_code == 200
    assert sim.run_job(f"/vm-instances/{d('vm-1')}/actions", {"migrateVm": {}}).status_code == 503


def test_counters_count_actions(sim):
    sim.run_job(f"/hosts/{d('kvm-1')}/actions", {"reconnectHost": {}})
    sim.run_job(f"/vm-instances/{d('vm-1')}/actions", {"rebootVmInstance": {}})
    counters = sim.control("GET", "counters")
    assert counters["mutating_requests"] == 2
    assert counters["actions"] == {"reconnectHost": 1, "rebootVmInstance": 1}
    assert counters["requests"]["PUT /v1/hosts/{uuid}/actions"] == 1
    assert counters["requests"]["GET /v1/api-jobs/{uuid}"] == 2  # pacing 0: the result on the first poll of each job


def test_renew_session(sim):
    sid = sim.login()
    rsp = sim.run_job(f"/accounts/sessions/{sid}/renew", {"renewSession": {"duration": 60}})
    assert rsp.status_code == 200
    assert rsp.json()["inventory"]["uuid"] == sid
    sim.control("POST", "clock", {"advance": 61})
    assert sim.get(f"/accounts/sessions/{sid}/valid", headers={}).json() == {"valid": False}
