# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: one simulator per test session on port 0, reset to the demo fleet before each test."""

from __future__ import annotations

import hashlib
import os
import sys

import pytest
import requests

SIM_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "simulator"))
if SIM_DIR not in sys.path:
    sys.path.insert(0, SIM_DIR)

from zstack_simulator.server import SimulatorServer  # noqa: E402  pylint: disable=wrong-import-position

PASSWORD_HASH = hashlib.sha512(b"password").hexdigest()


class SimClient:
    """A tiny HTTP helper around a running simulator (real HTTP through requests)."""

    def __init__(self, server: SimulatorServer) -> None:
        self.server = server
        self.url = server.url
        self.api = server.url + "/zstack/v1"
        self.http = requests.Session()
        self.session_uuid = None

    @property
    def backend(self):
        return self.server.backend

    def control(self, method: str, path: str, body=None) -> dict:
        rsp = self.http.request(method, f"{self.url}/_sim/{path}", json=body if body is not None else {}, timeout=30)
        assert rsp.status_code == 200, rsp.text
        return rsp.json()

    def reset(self, spec=None, job_seconds: float = 0) -> None:
        """Reset; jobs finish at once (pacing 0) unless a test of time passing asks for more."""
        self.control("POST", "reset", spec or {})
        self.control("POST", "jobs", {"job_seconds": job_seconds})
        self.session_uuid = None

    def login(self, account: str = "admin", password_hash: str = PASSWORD_HASH) -> str:
        rsp = self.http.put(f"{self.api}/accounts/login", json={"logInByAccount": {"accountName": account, "password": password_hash}}, timeout=30)
        assert rsp.status_code == 200, rsp.text
        self.session_uuid = rsp.json()["inventory"]["uuid"]
        return self.session_uuid

    def auth(self) -> dict:
        if self.session_uuid is None:
            self.login()
        return {"Authorization": f"OAuth {self.session_uuid}"}

    def get(self, path: str, params=None, headers=None, **kwargs) -> requests.Response:
        hdrs = self.auth() if headers is None else headers
        return self.http.get(self.api + path, params=params, headers=hdrs, timeout=30, **kwargs)

    def put(self, path: str, body, headers=None, **kwargs) -> requests.Response:
        hdrs = self.auth() if headers is None else headers
        return self.http.put(self.api + path, json=body, headers=hdrs, timeout=30, **kwargs)

    def virtualizer_info(self, uuids, headers=None) -> requests.Response:
        return self.get("/vm-instances/virtualizer-info", params=[("uuids", u) for u in uuids], headers=headers)

    def run_job(self, path: str, body, headers=None, max_polls: int = 50) -> requests.Response:
        """PUT an async action, then poll its job until it is no longer 202."""
        rsp = self.put(path, body, headers=headers)
        assert rsp.status_code == 202, rsp.text
        job = rsp.json()["location"].rsplit("/", 1)[-1]
        for _attempt in range(max_polls):
            rsp = self.http.get(f"{self.api}/api-jobs/{job}", timeout=30)
            if rsp.status_code != 202:
                return rsp
        raise AssertionError("job did not finish")


@pytest.fixture(scope="session")
def sim_server():
    server = SimulatorServer(seed="demo")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sim(sim_server):
    """The session's simulator, reset to the demo fleet, with a client helper."""
    client = SimClient(sim_server)
    client.reset({"fleet": "demo"})
    yield client
    client.http.close()
