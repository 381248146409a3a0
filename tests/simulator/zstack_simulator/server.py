# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The WSGI application (request pipeline) and SimulatorServer, a server in a background thread.

The application is Werkzeug (routing, requests, responses); it is served by cheroot, a
multi-threaded WSGI server with HTTP/1.1 keep-alive, as a real management node keeps
connections alive (Werkzeug's development server closes every connection after one answer).
"""

from __future__ import annotations

import errno
import sys
import threading
import time
import traceback

from cheroot import makefile, server as cheroot_server, wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter
from werkzeug.utils import cached_property
from werkzeug.wrappers import Request, Response

from . import control, errors
from .exceptions import RestError, SimulatorError, api_response, json_response, to_response
from .models import Backend
from .responses import Call, Responses
from . import routes
from .routes import FLAGS, rule_label

CONTEXT_PATH = "/zstack"


def _method_mismatch(method: str, path: str) -> RestError:
    """What RestServer.handleNonUniqueApi answers when no API of the path takes this method."""
    if method == "POST":
        return RestError(500, errors.NO_CREATIONAL_API.format(path=path))
    if method == "GET":
        return RestError(500, errors.NO_QUERY_API.format(path=path))
    if method == "DELETE":
        return RestError(500, errors.NO_DELETE_API.format(path=path))
    if method == "PUT":
        return RestError(400, errors.NO_ACTION_MAPPING.format(path=path))
    return RestError(405, errors.METHOD_NOT_ALLOWED.format(method=method, path=path))


class _Request(Request):
    """Werkzeug's Request, with ``args`` parsed in one pass when nothing in the query string is encoded.

    A GetVirtualizerInfo batch repeats ``uuids=<32 hex>`` a hundred times: nothing to unquote, so a split gives
    exactly what ``parse_qsl`` would (keep_blank_values, empty pieces skipped) at a fraction of its cost.  Any
    ``%``, ``+`` or non-ASCII character takes Werkzeug's own parser.
    """

    @cached_property
    def args(self):
        text = self.environ.get("QUERY_STRING", "")
        if not text.isascii() or "%" in text or "+" in text:
            return Request.args.fget(self)
        first = text.partition("&")[0].partition("=")[0] + "="
        if first != "=" and text.startswith(first) and text.count("&" + first) == text.count("&"):
            # one name repeated (uuids=...&uuids=...): every "&" starts "&name=", and a value holds no "&"
            return self.parameter_storage_class({first[:-1]: text[len(first):].split("&" + first)})
        values: dict[str, list[str]] = {}
        for piece in text.split("&"):
            if piece:
                name, _eq, value = piece.partition("=")
                values.setdefault(name, []).append(value)
        return self.parameter_storage_class(values)


class _Drop(Exception):
    """Raised to close the connection without an answer."""


class DroppedConnection(ConnectionAbortedError):
    """What the app raises to the server for a ``drop`` fault: cheroot closes such a connection quietly, unanswered."""

    def __init__(self) -> None:
        super().__init__(errno.ECONNABORTED, "simulator fault: connection dropped without an answer")


class SimulatorApp:
    """WSGI app: request-line limit -> control plane -> faults -> routing -> handler -> response."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.responses = Responses(backend)
        self.control = control.Control(backend)
        self.own_base = None  # the listening address (scheme://host:port), set by SimulatorServer once bound

    def __call__(self, environ, start_response):
        try:
            response = self.handle(environ)
        except _Drop:
            raise DroppedConnection() from None
        return response(environ, start_response)

    @staticmethod
    def _header_size(environ) -> int:
        """Bytes of the request head as Tomcat counts them against maxHttpHeaderSize (8 KB): the
        request line and every header line, each with its CRLF, and the blank line.  WSGI's text is
        bytes read as Latin-1, so each character is one byte."""
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""
        size = len(environ.get("REQUEST_METHOD", "")) + 1 + len(raw_uri) + 1 + len(environ.get("SERVER_PROTOCOL", "")) + 2
        for key, value in environ.items():
            if key[:5] == "HTTP_":  # "Name: value\r\n": the name is the key without HTTP_
                size += len(key) - 1 + len(value)
            elif (key == "CONTENT_TYPE" or key == "CONTENT_LENGTH") and value:
                size += len(key) + 4 + len(str(value))
        return size + 2

    def _own_base(self, environ) -> str:
        """The base a 202 ``location`` names: a real MN names its own address and port (not the
        client's view of it); here the address the simulator listens on, unless the control plane
        set ``location_base`` (e.g. a host that does not resolve)."""
        if self.backend.location_base:
            return self.backend.location_base
        if self.own_base:
            return self.own_base
        host = environ.get("SERVER_NAME") or "127.0.0.1"
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"{environ.get('wsgi.url_scheme', 'http')}://{host}:{environ.get('SERVER_PORT', '80')}"

    def handle(self, environ) -> Response:  # pylint: disable=too-many-locals
        self.backend.finish_due_jobs()  # time passes for every observer, control plane included
        if self._header_size(environ) > self.backend.max_request_line:
            return api_response(414, errors.REQUEST_URI_TOO_LONG)
        request = _Request(environ)
        path = request.path
        if path.startswith("/_sim/") or path == "/_sim":
            return self.control.handle(request)
        if path.startswith(CONTEXT_PATH + "/"):
            path = path[len(CONTEXT_PATH):]
        elif not self.backend.serve_root:
            # a real MN serves its API only under the servlet context /zstack
            self.backend.count_request(request.method, None, api=False, login_or_logout=False)
            return api_response(404, errors.OUTSIDE_CONTEXT.format(path=path))
        method = request.method
        rule, args, method_allowed = routes.match(method, path)
        mismatch = None if method_allowed else _method_mismatch(method, path)
        handler_name = rule.endpoint if rule is not None else None
        flags = FLAGS.get(handler_name, set())
        self.backend.count_request(method, rule_label(rule) if rule is not None else None, api=rule is not None, login_or_logout="login" in flags)
        fault = self.backend.take_http_fault(method, path)
        if fault is not None:
            faulted = self._apply_fault(fault)
            if faulted is not None:
                return faulted
        try:
            if mismatch is not None:
                raise mismatch
            handler = getattr(self.responses, handler_name, None) if handler_name else None
            if handler is None:
                raise RestError(404, errors.NO_API_MAPPING.format(path=path))
            # a request without a body (no Content-Length, not chunked) has nothing to read
            body = request.get_data() if environ.get("CONTENT_LENGTH") or environ.get("HTTP_TRANSFER_ENCODING") else b""
            call = Call(self.backend, method, path, request.args, request.headers, body, own_base=self._own_base(environ))
            with self.backend.lock:
                self.backend.tick()
                status, payload = handler(call, **args)
            return json_response(status, payload)
        except SimulatorError as exc:
            return to_response(exc)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # RestServer answers an unexpected exception with 500 and the exception message
            traceback.print_exc(file=sys.stderr)
            return to_response(RestError(500, f"{type(exc).__name__}: {exc}"))

    @staticmethod
    def _apply_fault(fault: dict) -> Response | None:
        if fault.get("delay"):
            time.sleep(float(fault["delay"]))
        if fault.get("drop"):
            raise _Drop()
        if fault.get("status") is None:
            return None
        body = fault.get("body", "")
        if isinstance(body, (dict, list)):
            import json  # pylint: disable=import-outside-toplevel
            body = json.dumps(body)
            content_type = fault.get("content_type", "application/json")
        else:
            content_type = fault.get("content_type", "text/plain")
        return Response(body, status=int(fault["status"]), headers=fault.get("headers") or {}, content_type=content_type)


class _RequestLog:  # pylint: disable=too-few-public-methods
    """WSGI middleware for --request-log: one line a request on stderr (address, request line, status)."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        def logging_start_response(status, headers, exc_info=None):
            line = f'{environ.get("REMOTE_ADDR", "-")} "{environ.get("REQUEST_METHOD", "")} {environ.get("REQUEST_URI", "")}" {status.split(" ", 1)[0]}'
            print(line, file=sys.stderr, flush=True)
            return start_response(status, headers, exc_info)
        return self.app(environ, logging_start_response)


class _StreamReader(makefile.StreamReader):
    """cheroot's socket reader, whose ``readline`` takes a line that is already buffered in one slice.

    cheroot reads on purpose through ``_pyio`` (the pure-Python io module), whose ``readline`` peeks and
    reads a byte string at a time in Python: the request line of a 100-UUID GetVirtualizerInfo (about 4 KB,
    read 256 bytes a call) was about a tenth of the simulator's CPU per request.  A line (or the ``size`` bytes
    asked for) that is in the buffer is found with ``bytes.find`` and sliced off.  When it is not, the buffer is
    filled as ``_pyio``'s ``peek`` fills it (one read of the socket) and looked at again; a line longer than the
    buffer, and the end of the stream, are read by ``_pyio`` as before.  The bytes read are the same.
    """

    def readline(self, size=-1):
        with self._read_lock:
            while True:
                buf, pos = self._read_buf, self._read_pos
                end = buf.find(b"\n", pos) + 1  # 0: no newline buffered
                limit = len(buf) if size is None or size < 0 else pos + size
                if 0 < end <= limit or limit < len(buf):
                    end = min(end or limit, limit)
                    self._read_pos = end
                    self.bytes_read += end - pos
                    return buf[pos:end]
                have = len(buf) - pos
                if have >= self.buffer_size or (size is not None and 0 <= size <= have):
                    break
                self._peek_unlocked(have + 1)  # one read of the socket, appended to what is buffered
                if len(self._read_buf) - self._read_pos == have:  # nothing came: the end of the stream
                    break
        return super().readline(size)


def _make_file(sock, mode="r", bufsize=makefile.io.DEFAULT_BUFFER_SIZE):
    """cheroot's ``MakeFile`` with :class:`_StreamReader` for reading (plain HTTP; TLS keeps its adapter's)."""
    if "r" in mode:
        return _StreamReader(sock, mode, bufsize)
    return makefile.MakeFile(sock, mode, bufsize)


def _counting_connection_class(backend: Backend) -> type:
    """cheroot's connection class, counting every accepted connection in the backend's counters (``connections``),
    reading plain HTTP through :class:`_StreamReader`."""

    class CountingConnection(cheroot_server.HTTPConnection):
        def __init__(self, server, sock, makefile_factory=makefile.MakeFile) -> None:
            if makefile_factory is makefile.MakeFile:
                makefile_factory = _make_file
            super().__init__(server, sock, makefile_factory)
            backend.count_connection()

    return CountingConnection


class SimulatorServer:  # pylint: disable=too-many-instance-attributes
    """A simulator on a background thread.  ``url`` is the base URL without /zstack.

    Served by cheroot: ``THREADS`` worker threads, HTTP/1.1 keep-alive (idle connections wait in
    cheroot's selector, not in a thread), ``ssl_context`` = ``(cert_path, key_path)`` for HTTPS.
    """

    THREADS = 16
    KEEP_ALIVE_CONNECTIONS = 256

    # pylint: disable-next=too-many-arguments,too-many-positional-arguments
    def __init__(self, host: str = "127.0.0.1", port: int = 0, seed=None, ssl_context=None, request_log: bool = False) -> None:
        self.host = host
        self.port = port
        self.backend = Backend(seed)
        self.app = SimulatorApp(self.backend)
        self.ssl_context = ssl_context
        self.request_log = request_log
        self._server = None
        self._thread = None

    @property
    def url(self) -> str:
        scheme = "https" if self.ssl_context else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    def start(self) -> SimulatorServer:
        app = _RequestLog(self.app) if self.request_log else self.app
        server = wsgi.Server((self.host, self.port), app, numthreads=self.THREADS, server_name="zstack-simulator")
        server.keep_alive_conn_limit = self.KEEP_ALIVE_CONNECTIONS
        server.ConnectionClass = _counting_connection_class(self.backend)
        if self.ssl_context:
            cert_path, key_path = self.ssl_context
            server.ssl_adapter = BuiltinSSLAdapter(cert_path, key_path)
        server.prepare()  # binds and starts the worker threads; port 0 is resolved here
        self._server = server
        self.port = server.bind_addr[1]
        self.app.own_base = self.url  # what a 202 location names, as a real MN names its own IP:port
        self._thread = threading.Thread(target=server.serve, name="zstack-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
