# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the simulator is served (cheroot): HTTP/1.1 keep-alive, connection counting, threads, request log."""

from __future__ import annotations

import http.client
import json
import threading
import time

import pytest

from zstack_simulator.server import SimulatorServer

VI_PATH = "/v1/vm-instances/virtualizer-info"


def _connection(sim) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", sim.server.port, timeout=10)


def _get(conn, path, headers=None):
    conn.request("GET", path, headers=headers or {})
    rsp = conn.getresponse()
    return rsp, rsp.read()


def test_one_connection_serves_many_requests(sim):
    before = sim.control("GET", "counters")["connections"]
    conn = _connection(sim)
    try:
        sockets = set()
        for _attempt in range(5):
            rsp, body = _get(conn, "/zstack/v1/nothing")
            assert (rsp.status, body) == (404, b"no api mapping to /v1/nothing")
            assert rsp.getheader("Connection") is None  # HTTP/1.1: persistent unless told otherwise
            sockets.add(id(conn.sock))
        assert len(sockets) == 1 and conn.sock is not None
    finally:
        conn.close()
    assert sim.control("GET", "counters")["connections"] - before == 1  # the control client's was open already


def test_requests_session_reuses_its_connection(sim):
    sim.login()
    before = sim.control("GET", "counters")
    for _attempt in range(10):
        assert sim.get("/zones").status_code == 200
    after = sim.control("GET", "counters")
    assert after["total_requests"] - before["total_requests"] == 10
    assert after["connections"] == before["connections"]  # everything went over the connection already open


def test_an_unread_request_body_does_not_spoil_the_next_request(sim):
    conn = _connection(sim)
    try:
        body = json.dumps({"padding": "x" * 200000}).encode()
        conn.request("PUT", "/zstack/v1/nothing/at/all", body=body, headers={"Content-Type": "application/json"})
        rsp = conn.getresponse()
        assert rsp.status == 404 and rsp.read() == b"no api mapping to /v1/nothing/at/all"
        rsp, body = _get(conn, "/zstack/v1/still-nothing")
        assert (rsp.status, body) == (404, b"no api mapping to /v1/still-nothing")
    finally:
        conn.close()


def test_a_dropped_request_closes_only_its_connection(sim):
    sim.control("POST", "faults", {"drop": True, "path": VI_PATH})
    conn = _connection(sim)
    try:
        conn.request("GET", "/zstack" + VI_PATH + "?uuids=x")
        with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
            conn.getresponse()
    finally:
        conn.close()
    conn = _connection(sim)
    try:
        rsp, _body = _get(conn, "/zstack/v1/nothing")
        assert rsp.status == 404
    finally:
        conn.close()


def test_a_slow_request_does_not_hold_up_the_others(sim):
    sim.control("POST", "faults", {"delay": 1.5, "path": "/v1/zones"})
    slow = {}

    def call_slow():
        conn = _connection(sim)
        try:
            start = time.monotonic()
            rsp, _body = _get(conn, "/zstack/v1/zones")
            slow["status"], slow["took"] = rsp.status, time.monotonic() - start
        finally:
            conn.close()

    worker = threading.Thread(target=call_slow)
    worker.start()
    time.sleep(0.2)
    start = time.monotonic()
    conn = _connection(sim)
    try:
        rsp, _body = _get(conn, "/zstack/v1/nothing")
    finally:
        conn.close()
    fast = time.monotonic() - start
    worker.join(10)
    assert rsp.status == 404 and fast < 1.0, fast
    assert slow["status"] == 400 and slow["took"] >= 1.5  # no Authorization header, after the delay


def test_request_log_writes_one_line_a_request(capsys):
    with SimulatorServer(seed="empty", request_log=True) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            rsp, _body = _get(conn, "/zstack/v1/nothing?x=1")
            assert rsp.status == 404
        finally:
            conn.close()
    lines = [line for line in capsys.readouterr().err.splitlines() if "/zstack/v1/nothing" in line]
    assert lines == ['127.0.0.1 "GET /zstack/v1/nothing?x=1" 404']


def test_without_request_log_nothing_is_written(capsys):
    with SimulatorServer(seed="empty") as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            rsp, _body = _get(conn, "/zstack/v1/nothing")
            assert rsp.status == 404
        finally:
            conn.close()
    assert "/zstack/v1/nothing" not in capsys.readouterr().err


@pytest.mark.parametrize("query", ["uuids=a&uuids=b&x=1", "a&&b=&c=1=2&uuids=z", "q=name%3Dx&q=a+b", "uuids.1=b&uuids.0=a", "", "x=%E2%82%AC",
                                   # one name repeated, and what only looks like it
                                   "uuids=a&uuids=b&uuids=c", "uuids=a", "uuids=", "uuids=a&uuids=", "uuids=a&uuids=b=c",
                                   "uuids=xuuids=y&uuids=b", "uuids=a&", "&uuids=a", "uuids=a&&uuids=b", "uuids=a&xuuids=b",
                                   "uuids=a&uuids", "uuids&uuids", "=a&=b", "uuids=a&uuidsx=b"])
def test_query_args_are_parsed_as_werkzeug_parses_them(query):
    """The fast path for unencoded query strings (a batch of UUIDs) gives what Werkzeug's own parser gives."""
    from werkzeug.test import EnvironBuilder  # pylint: disable=import-outside-toplevel
    from werkzeug.wrappers import Request  # pylint: disable=import-outside-toplevel

    from zstack_simulator.server import _Request  # pylint: disable=import-outside-toplevel

    environ = EnvironBuilder(query_string=query).get_environ()
    fast, plain = _Request(environ).args, Request(environ).args
    assert type(fast) is type(plain)
    assert list(fast.items(multi=True)) == list(plain.items(multi=True))


def test_answers_are_compact_utf8_json_as_gson_writes_them(sim):
    rsp = sim.virtualizer_info(list(sim.backend.records)[:3])
    assert rsp.status_code == 200
    assert rsp.content.startswith(b'{"inventories":[{"uuid":"') and b", " not in rsp.content and b": " not in rsp.content
    assert json.loads(rsp.content) == rsp.json()
    rsp = sim.get(VI_PATH.replace("/v1", ""))  # no uuids: a business error, 503 with the error object
    assert rsp.status_code == 503 and rsp.content.startswith(b'{"error":{"code":"SYS.1007"')


@pytest.mark.parametrize("trickle", [False, True])
@pytest.mark.parametrize("bufsize", [8192, 16, 5])
def test_request_lines_are_read_as_cheroot_reads_them(bufsize, trickle):
    """The simulator's socket reader gives the same lines as cheroot's own (pure _pyio) reader: lines in the
    buffer, lines past it, a size limit inside and past a line, an empty size, the end of the stream.

    All at once, the pieces are the same too.  Trickled (700 bytes at a time, so that a read finds part of a line
    buffered), the lines cheroot's request reader (SizeCheckWrapper) makes of them are the same: ``_pyio`` may then
    return more than ``size`` bytes, where ours never does."""
    import socket  # pylint: disable=import-outside-toplevel

    from cheroot import makefile  # pylint: disable=import-outside-toplevel
    from cheroot.server import SizeCheckWrapper  # pylint: disable=import-outside-toplevel

    from zstack_simulator.server import _StreamReader  # pylint: disable=import-outside-toplevel

    data = b"GET /x?" + b"&".join(b"uuids=%032x" % n for n in range(120)) + b" HTTP/1.1\r\nHost: a\r\n\r\nbody\nno newline at the end"
    sizes = [None] * 6 if trickle else [256] * 30 + [None, 3, 0, -1, 7, None, 2, None, None]
    piece = 700 if trickle else len(data)
    lines = {}
    for reader_class in (makefile.StreamReader, _StreamReader):
        ours, theirs = socket.socketpair()
        try:
            def send(sock=ours):
                for start in range(0, len(data), piece):
                    sock.sendall(data[start:start + piece])
                    time.sleep(0.01 if trickle else 0)
                sock.shutdown(socket.SHUT_WR)
            sender = threading.Thread(target=send)
            sender.start()
            reader = reader_class(theirs, "rb", bufsize)
            if trickle:  # whole lines, read 256 bytes a call as cheroot reads a request's head
                lines[reader_class] = [SizeCheckWrapper(reader, 0).readline() for _size in sizes]
            else:
                lines[reader_class] = [reader.readline() if size is None else reader.readline(size) for size in sizes]
            sender.join()
            lines[reader_class].append(reader.bytes_read)
        finally:
            ours.close()
            theirs.close()
    assert lines[_StreamReader] == lines[makefile.StreamReader]
    assert b"".join(lines[_StreamReader][:-1]) == data and lines[_StreamReader][-1] == len(data)
