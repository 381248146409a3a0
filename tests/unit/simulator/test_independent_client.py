# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A client that knows only the documented protocol, as an official SDK does (zssdk.py, the Go SDK):
it polls each 202 ``location`` exactly as given, accepts an empty body, and reads no /_sim/ endpoint.
It runs against the simulator started as the README says (python -m zstack_simulator), with its
default pacing, so the collection's client cannot hide a simulator kindness."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time

import pytest
import requests

SIM_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "simulator"))


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    port_file = tmp_path_factory.mktemp("sim") / "port"
    env = dict(os.environ, PYTHONPATH=SIM_DIR)
    proc = subprocess.Popen([sys.executable, "-m", "zstack_simulator", "--host", "127.0.0.1", "--port", "0", "--seed", "demo",
                             "--port-file", str(port_file)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _attempt in range(300):
        if port_file.exists() and port_file.read_text().strip():
            break
        time.sleep(0.1)
    yield port_file.read_text().strip() + "/zstack/v1"
    proc.terminate()
    proc.wait(timeout=10)


def call(http, method, url, body=None, session=None):
    """One API call; a 202 is followed at its location, as given, until it is no longer 202."""
    headers = {"Authorization": f"OAuth {session}"} if session else {}
    rsp = http.request(method, url, json=body, headers=headers, timeout=30)
    if rsp.status_code == 202:
        location = rsp.json()["location"]
        while rsp.status_code == 202:
            time.sleep(0.1)
            rsp = http.get(location, headers=headers, timeout=30)
    return rsp.status_code, (rsp.json() if rsp.content else None)


def test_documented_protocol_only(base):  # pylint: disable=redefined-outer-name,too-many-locals
    http = requests.Session()
    status, body = call(http, "PUT", f"{base}/accounts/login",
                        {"logInByAccount": {"accountName": "admin", "password": hashlib.sha512(b"password").hexdigest()}})
    assert status == 200
    sid = body["inventory"]["uuid"]
    assert call(http, "GET", f"{base}/accounts/sessions/{sid}/valid") == (200, {"valid": True})
    status, body = call(http, "GET", f"{base}/hosts?q=status=Connected&q=state=Enabled&limit=2&start=0&replyWithCount=true&sort=uuid", session=sid)
    assert status == 200 and body["total"] == 5 and len(body["inventories"]) == 2
    status, rest = call(http, "GET", f"{base}/hosts?q=status=Connected&q=state=Enabled&limit=2&start=2&sort=uuid", session=sid)
    hosts = body["inventories"] + rest["inventories"]
    assert [h["uuid"] for h in hosts] == sorted(h["uuid"] for h in hosts)
    host = next(h for h in hosts if h["name"] == "kvm-1")
    status, body = call(http, "PUT", f"{base}/hosts/{host['uuid']}/actions", {"reconnectHost": {}}, session=sid)
    assert (status, body["inventory"]["status"]) == (200, "Connected")
    for event, state in (("disable", "Disabled"), ("enable", "Enabled")):
        status, body = call(http, "PUT", f"{base}/hosts/{host['uuid']}/actions", {"changeHostState": {"stateEvent": event}}, session=sid)
        assert (status, body["inventory"]["state"]) == (200, state)
    status, body = call(http, "GET", f"{base}/vm-instances?q=hostUuid={host['uuid']}&q=state=Running", session=sid)
    vm = body["inventories"][0]
    status, body = call(http, "PUT", f"{base}/vm-instances/{vm['uuid']}/actions", {"rebootVmInstance": {}}, session=sid)
    assert (status, body["inventory"]["state"]) == (200, "Running")
    status, body = call(http, "GET", f"{base}/vm-instances/{vm['uuid']}/migration-target-hosts", session=sid)
    target = body["inventories"][0]["uuid"]
    status, body = call(http, "PUT", f"{base}/vm-instances/{vm['uuid']}/actions", {"migrateVm": {"hostUuid": target}}, session=sid)
    assert (status, body["inventory"]["hostUuid"], body["inventory"]["state"]) == (200, target, "Running")
    status, body = call(http, "PUT", f"{base}/hosts/{host['uuid']}/actions", {"changeHostState": {"stateEvent": "maintain"}}, session=sid)
    assert (status, body["inventory"]["state"]) == (200, "Maintenance")
    status, body = call(http, "GET", f"{base}/vm-instances/virtualizer-info?uuids={vm['uuid']}&uuids={target}", session=sid)
    assert status == 200 and {i["uuid"] for i in body["inventories"]} == {vm["uuid"], target}
    assert call(http, "DELETE", f"{base}/accounts/sessions/{sid}") == (200, None)  # an empty body
    assert call(http, "GET", f"{base}/accounts/sessions/{sid}/valid") == (200, {"valid": False})
