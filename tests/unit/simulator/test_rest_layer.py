# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RestServer-level behaviour: routing, 404/405/414 plain texts, X-Job-UUID, list/scalar parameters."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time

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
    assert "Content-Type" not in rsp.headers  # RestServer writes text without setting a content type


def test_api_is_served_only_under_the_context_path(sim):
    """A real MN serves /zstack/v1/... only: a client that forgets the context path must fail here too."""
    for method, path in (("GET", "/v1/hosts"), ("PUT", "/v1/accounts/login"), ("GET", "/v1/api-jobs/" + "a" * 32)):
        rsp = sim.http.request(method, sim.url + path, headers=sim.auth(), json={})
        assert (rsp.status_code, rsp.text) == (404, f"HTTP Status 404 - Not Found: The requested resource [{path}] is not available")
    assert sim.http.get(f"{sim.url}/zstack/v1/hosts", headers=sim.auth()).status_code == 200


def test_root_paths_only_behind_the_serve_root_option(sim):
    sim.reset({"fleet": "demo", "serve_root": True})
    rsp = sim.http.get(f"{sim.url}/v1/no-such-thing")
    assert (rsp.status_code, rsp.text) == (404, "no api mapping to /v1/no-such-thing")
    assert sim.http.get(f"{sim.url}/v1/hosts", headers=sim.auth()).status_code == 200
    sim.reset({"fleet": "demo"})
    assert sim.http.get(f"{sim.url}/v1/hosts", headers=sim.auth()).status_code == 404


def test_answers_carry_no_content_type_and_raw_utf8(sim):
    """RestServer sets no Content-Type; Gson writes non-ASCII text as UTF-8 bytes, unescaped."""
    sim.control("POST", "seed", {"zones": [{"uuid": "9" * 32, "name": "区域-1"}]})
    rsp = sim.get("/zones", params={"q": "uuid=" + "9" * 32})
    assert "Content-Type" not in rsp.headers
    assert "区域-1".encode("utf-8") in rsp.content
    assert json.loads(rsp.content.decode("utf-8"))["inventories"][0]["name"] == "区域-1"


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


def _raw_get(sim, uri: str, headers: dict) -> tuple[int, str, int]:
    """One GET over a raw socket, so the test knows every byte of the request head."""
    host, port = sim.url.rsplit("//", 1)[1].rsplit(":", 1)
    head = f"GET {uri} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(head.encode("latin-1"))
        data = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1].decode("utf-8"), len(head)


def test_request_head_limit_counts_request_line_and_headers_like_tomcat(sim):
    """Tomcat's maxHttpHeaderSize (8 KB) holds the request line AND the headers: 8192 bytes pass, 8193 do not."""
    uuid = "0123456789abcdef0123456789abcdef"
    base = "/zstack/v1/vm-instances/virtualizer-info?uuids=" + uuid
    headers = {"Host": sim.url.rsplit("//", 1)[1], "Authorization": f"OAuth {sim.login()}", "Connection": "close", "X-Pad": ""}
    fixed = len(f"GET {base} HTTP/1.1\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in headers.items()) + 2
    headers["X-Pad"] = "p" * (8192 - fixed)
    status, body, size = _raw_get(sim, base, headers)
    assert (size, status) == (8192, 503), body  # reached the API (an unknown uuid)
    # the same request line with one more header byte is refused: the headers count, not only the line
    headers["X-Pad"] += "p"
    status, body, size = _raw_get(sim, base, headers)
    assert (size, status, body) == (8193, 414, "Request-URI Too Long")


def test_request_line_limit_414(sim):
    uuid = "0123456789abcdef0123456789abcdef"
    base = "/zstack/v1/vm-instances/virtualizer-info?"
    query = "&".join(f"uuids={uuid}" for _attempt in range(300))
    rsp = sim.http.get(sim.url + base + query, headers=sim.auth())
    assert rsp.status_code == 414
    assert "Content-Type" not in rsp.headers  # RestServer and the container set none


def test_request_line_limit_is_configurable(sim):
    sim.reset({"fleet": "demo", "max_request_line": 400})
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


@pytest.mark.parametrize("status", [200, 202, 204, 304, 404, 405, 414, 500, 503, 299])
@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT"])
def test_api_answers_are_what_werkzeug_would_send_without_a_content_type(status, method):
    """ApiReply, the API's own WSGI answer, sends what Werkzeug's Response sends for the same bytes (status line,
    Content-Length, body, no body to HEAD), except the Content-Type RestServer never sets, plus a Date."""
    from email.utils import parsedate_to_datetime  # pylint: disable=import-outside-toplevel

    from werkzeug.wrappers import Response  # pylint: disable=import-outside-toplevel

    from zstack_simulator.exceptions import api_response  # pylint: disable=import-outside-toplevel

    def send(app):
        seen = {}

        def start_response(status_line, headers, exc_info=None):  # pylint: disable=unused-argument
            seen["status"], seen["headers"] = status_line, dict(headers)
        seen["body"] = b"".join(app({"REQUEST_METHOD": method}, start_response))
        return seen

    body = '{"error":"区域"}'
    ours = send(api_response(status, body, headers={"X-Job-UUID": "a" * 32}))
    theirs = send(Response(body, status=status, headers={"X-Job-UUID": "a" * 32}))
    date = ours["headers"].pop("Date")
    assert abs(parsedate_to_datetime(date).timestamp() - time.time()) < 5 and date.endswith(" GMT")
    theirs["headers"].pop("Content-Type", None)  # (Werkzeug drops it itself from a 304)
    assert ours == theirs
    assert ours["body"] == (b"" if method == "HEAD" or status in (204, 304) else body.encode("utf-8"))


def test_an_answer_carries_its_date_as_tomcat_does(sim):
    rsp = sim.get("/zones")
    assert rsp.status_code == 200 and rsp.headers["Date"].endswith(" GMT")
    assert len([name for name in rsp.raw.headers if name.lower() == "date"]) == 1  # not a second one from cheroot


@pytest.mark.parametrize(("method", "path"), [("GET", "/v1/vm-instances/virtualizer-info"), ("GET", "/v1/vm-instances/" + "a" * 32),
                                              ("HEAD", "/v1/hosts"), ("PUT", "/v1/hosts"), ("POST", "/v1/hosts/" + "b" * 32 + "/actions"),
                                              ("GET", "/v1/no-such-thing"), ("PATCH", "/v1/api-jobs/" + "c" * 32), ("GET", "/v1/hosts/")])
def test_routes_match_as_werkzeug_matches_them_every_time(method, path):
    """routes.match keeps Werkzeug's answers (rule and arguments, no route, a path with other methods only)."""
    from werkzeug.exceptions import MethodNotAllowed, NotFound  # pylint: disable=import-outside-toplevel

    from zstack_simulator import routes  # pylint: disable=import-outside-toplevel

    try:
        rule, args = routes.API_MAP.bind("simulator").match(path, method=method, return_rule=True)
        expected = (rule, args, True)
    except MethodNotAllowed:
        expected = (None, {}, False)
    except NotFound:
        expected = (None, {}, True)
    assert routes.match(method, path) == expected
    assert routes.match(method, path) == expected  # the second answer comes from the cache


def test_route_cache_is_bounded(monkeypatch):
    from zstack_simulator import routes  # pylint: disable=import-outside-toplevel

    monkeypatch.setattr(routes, "_MATCHES", {})
    for n in range(routes._MATCHES_KEPT + 10):  # pylint: disable=protected-access
        assert routes.match("GET", "/v1/hosts/%032x" % n)[0].endpoint == "query_hosts"
        assert len(routes._MATCHES) <= routes._MATCHES_KEPT  # pylint: disable=protected-access


def test_request_head_limit_counts_content_headers(sim):
    """A request's Content-Type and Content-Length lines count toward the 8 KB head like any other header."""
    base = "/zstack/v1/accounts/login"
    body = b"{}"
    headers = {"Host": sim.url.rsplit("//", 1)[1], "Content-Type": "application/json", "Content-Length": str(len(body)),
               "Connection": "close", "X-Pad": ""}
    fixed = len(f"PUT {base} HTTP/1.1\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in headers.items()) + 2
    host, port = sim.url.rsplit("//", 1)[1].rsplit(":", 1)
    for size, status in ((8192, 503), (8193, 414)):
        headers["X-Pad"] = "p" * (size - fixed)
        head = f"PUT {base} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        with socket.create_connection((host, int(port)), timeout=30) as conn:
            conn.sendall(head.encode("latin-1") + body)
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
        assert (len(head), int(data.split(b" ", 2)[1])) == (size, status), data
