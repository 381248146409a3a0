# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet generator scale and determinism, fleet files, and the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import requests

import zstack_simulator
from zstack_simulator.fleet import generate
from zstack_simulator.models import Backend

SIM_DIR = os.path.dirname(os.path.dirname(os.path.abspath(zstack_simulator.__file__)))

BIG = {"generate": {"zones": 2, "clusters_per_zone": 2, "hosts": 1000, "vms_per_host": 100, "unmatched_host_ratio": 0.05,
                    "unmatched_vm_ratio": 0.05, "stopped_vm_ratio": 0.05, "seed": 42}}


def test_generator_is_deterministic():
    first = generate({"hosts": 20, "vms_per_host": 5, "seed": 3})
    again = generate({"hosts": 20, "vms_per_host": 5, "seed": 3})
    other = generate({"hosts": 20, "vms_per_host": 5, "seed": 4})
    assert first == again
    assert first["hosts"][0]["uuid"] != other["hosts"][0]["uuid"]
    assert all(len(h["uuid"]) == 32 for h in first["hosts"])


def test_generator_builds_100k_resources():
    # how fast is measured by benchmarks/ (a timed assertion here fails on a loaded machine)
    backend = Backend(BIG)
    assert len(backend.vms) == 100000 and len(backend.hosts) == 1000
    states = {}
    for uuid in list(backend.vms)[:20000]:
        if uuid in backend.records:
            host_version = backend.records[backend.vms[uuid]["hostUuid"]]
            key = "Matched" if backend.records[uuid] == host_version else "Unmatched"
        else:
            key = "none"
        states[key] = states.get(key, 0) + 1
    assert states["none"] > 0
    assert 0 < states["Unmatched"] < states["Matched"]


def test_big_fleet_lookups_over_http(sim):
    sim.reset(BIG)
    uuids = list(sim.backend.vms)[-150:]
    rsp = sim.virtualizer_info(uuids)
    assert rsp.status_code == 200
    # an entry for each UUID with a version record; the others are left out, as the real API does
    answered = sorted(entry["uuid"] for entry in rsp.json()["inventories"])
    assert answered and answered == sorted(u for u in uuids if u in sim.backend.records)
    rsp = sim.get("/vm-instances", params=[("q", "uuid?=" + ",".join(uuids[:100]))])
    assert len(rsp.json()["inventories"]) == 100


def test_fleet_file(tmp_path):
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps({"fleet": "seed-page", "premium": False}))
    backend = Backend(str(path))
    assert backend.premium is False and len(backend.hosts) == 1


def _start_cli(tmp_path):
    port_file = tmp_path / "url"
    env = dict(os.environ, PYTHONPATH=SIM_DIR)
    cmd = [sys.executable, "-m", "zstack_simulator", "--port", "0", "--seed", "seed-page", "--port-file", str(port_file)]
    # pylint: disable-next=consider-using-with
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    for _attempt in range(100):
        if port_file.exists() and port_file.read_text().endswith("\n"):
            break
        time.sleep(0.05)
    return proc, port_file.read_text().strip()


def test_cli_runs_and_stops_on_sigterm(tmp_path):
    proc, url = _start_cli(tmp_path)
    try:
        assert url.startswith("http://127.0.0.1:")
        rsp = requests.get(url + "/_sim/counters", timeout=10)
        assert rsp.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert f"ZStack simulator listening on {url}" in out


def test_cli_refuses_non_loopback():
    env = dict(os.environ, PYTHONPATH=SIM_DIR)
    proc = subprocess.run([sys.executable, "-m", "zstack_simulator", "--host", "0.0.0.0", "--port", "0"],
                          capture_output=True, text=True, env=env, timeout=30, check=False)
    assert proc.returncode != 0
    assert "only loopback" in proc.stderr
