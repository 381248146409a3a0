# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed errors of the simulator, and the ONE place that turns them into HTTP responses.

SimulatorError
 +-- RestError       REST-layer fault: plain-text body, 4xx/5xx status (RestServer.sendResponse)
 +-- ApiError        business error: HTTP 503 + {"error": ErrorCode} (sync), or a failed job result
"""

from __future__ import annotations

import json
import time
from email.utils import formatdate

from werkzeug.http import HTTP_STATUS_CODES

try:  # the dev venv has it (requirements-dev.txt): a 100-UUID GetVirtualizerInfo answer in ~30 us instead of ~450 us
    import orjson
except ImportError:  # pragma: no cover - the same bytes from the standard library, only slower
    orjson = None

from . import errors


class SimulatorError(Exception):
    """Base of every error the simulator raises on purpose."""


class RestError(SimulatorError):
    """A REST-layer fault answered with a plain-text body."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


class ApiError(SimulatorError):
    """A ZStack ErrorCode (business error)."""

    def __init__(self, code: str, details: str | None = None, cause: ApiError | None = None, description: str | None = None) -> None:
        super().__init__(f"{code}: {details}")
        self.code = code
        self.details = details
        self.cause = cause
        self.description = description or errors.DESCRIPTIONS.get(code, code)

    def to_dict(self) -> dict:
        """ErrorCode JSON; null fields are left out as Gson does."""
        out = {"code": self.code, "description": self.description}
        if self.details is not None:
            out["details"] = self.details
        if self.cause is not None:
            out["cause"] = self.cause.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict) -> ApiError:
        """Build an error from an ErrorCode-like dict (used by fault injection)."""
        cause = data.get("cause")
        return cls(
            data.get("code", errors.SYS_INTERNAL),
            data.get("details"),
            cause=cls.from_dict(cause) if isinstance(cause, dict) else None,
            description=data.get("description"),
        )


def arg_error(details: str) -> ApiError:
    """SYS.1007, as ZStack's argerr()."""
    return ApiError(errors.SYS_INVALID_ARGUMENT, details)


def operation_error(details: str, cause: ApiError | None = None) -> ApiError:
    """SYS.1006, as ZStack's operr()."""
    return ApiError(errors.SYS_OPERATION, details, cause=cause)


def session_expired() -> ApiError:
    return ApiError(errors.ID_INVALID_SESSION, errors.SESSION_EXPIRED)


_DATE = (0, "")  # (second, its HTTP date): the Date header is the same text for a whole second


def http_date() -> str:
    """The Date header's value for now (RFC 7231 IMF-fixdate), computed once a second."""
    global _DATE  # pylint: disable=global-statement
    second = int(time.time())
    if _DATE[0] != second:
        _DATE = (second, formatdate(second, usegmt=True))
    return _DATE[1]


class ApiReply:
    """An answer of the API as RestServer writes it, and the WSGI application that sends it.

    UTF-8 text and NO Content-Type header: RestServer calls setCharacterEncoding("utf-8") but never
    setContentType, so the container sends none.  Gson leaves non-ASCII text unescaped, so a client must
    decode the body as UTF-8 itself.  It sends ``Content-Length`` and ``Date`` as Tomcat does, and no body
    to a HEAD request or with a 1xx, 204 or 304 status, as Werkzeug's Response would.

    It is what Werkzeug's Response gives a bytes body, without the Response's per-answer work (a header
    object built, copied and walked twice, a default Content-Type added and deleted), which was about a
    tenth of the simulator's CPU per GetVirtualizerInfo request.
    """

    __slots__ = ("status_code", "data", "headers")

    def __init__(self, status: int, body: str | bytes, headers: dict | None = None) -> None:
        self.status_code = status
        self.data = body.encode("utf-8") if isinstance(body, str) else body
        self.headers = dict(headers or {})

    @property
    def status(self) -> str:
        """The status line's code and reason, as Werkzeug writes them (``202 ACCEPTED``, ``599 UNKNOWN``)."""
        return f"{self.status_code} {HTTP_STATUS_CODES.get(self.status_code, 'unknown').upper()}"

    def __call__(self, environ, start_response):
        status = self.status_code
        empty = 100 <= status < 200 or status in (204, 304)
        head = [] if empty else [("Content-Length", str(len(self.data)))]
        head.append(("Date", http_date()))
        head.extend((name, str(value)) for name, value in self.headers.items())
        start_response(self.status, head)
        return () if empty or environ.get("REQUEST_METHOD") == "HEAD" else (self.data,)


def api_response(status: int, body: str | bytes, headers: dict | None = None) -> ApiReply:
    """An answer as RestServer writes it (see :class:`ApiReply`)."""
    return ApiReply(status, body, headers)


def to_json(payload) -> bytes:
    """UTF-8 JSON as Gson writes it: compact (no space after ``,`` and ``:``), non-ASCII text left unescaped."""
    if orjson is not None:
        return orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS)
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(status: int, payload: dict | None, headers: dict | None = None) -> ApiReply:
    """JSON of a reply; ``None`` (a reply with nothing in it: a running job, LogOut) is an empty body, not ``{}``."""
    return api_response(status, b"" if payload is None else to_json(payload), headers)


def error_body(exc: ApiError) -> dict:
    return {"error": exc.to_dict()}


def to_response(exc: SimulatorError) -> ApiReply:
    """Serialise a typed error; the only place where errors become HTTP."""
    if isinstance(exc, RestError):
        return api_response(exc.status, exc.text)
    if isinstance(exc, ApiError):
        return json_response(503, error_body(exc))
    return api_response(500, str(exc))
