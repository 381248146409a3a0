# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RestServer-level behaviour: routing, 404/405/414 plain texts, X-Job-UUID, list/scalar parameters."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import requests
from werkzeug.datastructures import Headers, MultiDict

from zstack_simulator import errors
from zstack_simulator.exceptions import RestError
from zstack_simulator.models import Backend
from zstack_simulator.responses import Call
from zstack_simulator.server import SimulatorServer


def test_unknown_path_is_404_no_api_mapping(sim):
    rsp = sim.get("/no-such-thing")
    assert (rsp.status_code, rsp.text) == (404, "no api mapping to /v1/no-such-thing")
    assert rsp.headers["Content-Type"].startswith("text/plain")
    rsp = sim.http.get(f"{sim.url}/v1/no-such-thing")
    assert (rsp.status_code, rsp.text) == (404, "no api mapping to /v1/no-such-thing")


def test_exact_path_beats_template(sim):
    # /v1/vm-instances/virtualizer-info is GetVirtualizerInfo, not QueryVmInstance with uuid=virtualizer-info
    rsp = sim.get("/vm-instances/virtualizer-info")
    assert rsp.status_code == 503
    assert "schema" not in rsp.text


def test_unknown_job_is_404(sim):
    rsp = sim.http.get(f"{sim.api}/api-jobs/{'a' * 32}")
    assert (rsp.status_code, rsp.text) == (404, "the job has been expired")


def test_non_get_on_api_jobs_is_405(sim):
    for method in ("PUT", "POST", "DELETE"):
        rsp = sim.http.request(method, f"{sim.api}/api-jobs/{'a' * 32}")
        assert (rsp.status_code, rsp.text) == (405, "only GET method is allowed for querying job status")


def test_other_method_on_known_path(sim):
    rsp = sim.http.post(f"{sim.api}/hosts", headers=sim.auth(), json={})
    assert (rsp.status_code, rsp.text) == (500, "No creational API found for the path[/v1/hosts]")
    rsp = sim.http.patch(f"{sim.api}/hosts", headers=sim.auth())
    assert (rsp.status_code, rsp.text) == (405, "The method[PATCH] is not allowed for the path[/v1/hosts]")


def test_request_line_limit_414(sim):
    uuid = "0123456789abcdef0123456789abcdef"
    base = "/zstack/v1/vm-instances/virtualizer-info?"
    query = "&".join(f"uuids={uuid}" for _attempt in range(300))
    rsp = sim.http.get(sim.url + base + query, headers=sim.auth())
    assert rsp.status_code == 414
    assert rsp.headers["Content-Type"].startswith("text/plain")
    # just under the limit: the request line is "GET <uri> HTTP/1.1"
    room = 8192 - len("GET ") - len(" HTTP/1.1") - len(base)
    n = room // (len(uuid) + 7)
    query = "&".join(f"uuids={uuid}" for _attempt in range(n))
    rsp = sim.http.get(sim.url + base + query, headers=sim.auth())
    assert rsp.status_code == 503  # reached the API (unknown uuids)


def test_request_line_limit_is_configurable(sim):
    sim.reset({"fleet": "demo", "max_request_line": 200})
    rsp = sim.get("/hosts", params={"q": "name=" + "x" * 200})
    assert rsp.status_code == 414
    assert sim.get("/hosts").status_code == 200


def test_bad_job_uuid_header(sim):
    hdrs = dict(sim.auth(), **{"X-Job-UUID": "short"})
    rsp = sim.get("/vm-instances/virtualizer-info", headers=hdrs, params={"uuids": "x"})
    assert (rsp.status_code, rsp.text) == (400, "Invalid header[X-Job-UUID], it must be a UUID with '-' stripped")


def _call(args) -> Call:
    return Call(Backend(), "GET", "/v1/x", MultiDict(args), Headers(), b"")


def test_list_param_forms():
    assert _call([("uuids", "a"), ("uuids", "b")]).list_param("uuids") == ["a", "b"]
    assert _call([("uuids.1", "b"), ("uuids.0", "a"), ("uuids.10", "c")]).list_param("uuids") == ["a", "b", "c"]
    assert _call([("uuids", "a,b")]).list_param("uuids") == ["a,b"]
    assert _call([]).list_param("uuids") is None


def test_scalar_param_twice_is_400():
    assert _call([("limit", "1")]).scalar_param("limit") == "1"
    with pytest.raises(RestError) as info:
        _call([("name", "a"), ("name", "b")]).scalar_param("name")
    assert info.value.status == 400
    assert info.value.text == errors.SCALAR_TWICE.format(name="name")


def test_unexpected_exception_is_plain_500(sim, monkeypatch):
    def boom(*_args, **_kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(sim.backend, "query_zones", boom)
    rsp = sim.get("/zones")
    assert (rsp.status_code, rsp.text) == (500, "RuntimeError: kaboom")


def test_tls(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    with SimulatorServer(seed="seed-page", ssl_context=(str(cert), str(key))) as server:
        assert server.url.startswith("https://127.0.0.1:")
        with requests.Session() as http:
            for _attempt in range(3):
                rsp = http.get(server.url + "/zstack/v1/nothing", verify=str(cert), timeout=10)
                assert (rsp.status_code, rsp.text) == (404, "no api mapping to /v1/nothing")
        assert server.backend.counters_snapshot()["connections"] == 1  # keep-alive over TLS too
