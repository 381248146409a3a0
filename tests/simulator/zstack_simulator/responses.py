# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin API handlers: read the request the way RestServer does, call one backend method.

Each handler returns (HTTP status, JSON payload) or raises a typed error; serialisation
happens in exceptions.to_response only.
"""

from __future__ import annotations

import json
import re

from . import errors, query
from .exceptions import RestError
from .models import Auth, Backend

_INDEXED = re.compile(r"^([^.]+)\.(\d+)$")


class Call:  # pylint: disable=too-many-instance-attributes
    """One API request as RestServer sees it: method, /v1 path, query args, headers, JSON body."""

    # pylint: disable-next=too-many-arguments,too-many-positional-arguments
    def __init__(self, backend: Backend, method: str, path: str, args, headers, raw_body: bytes, own_base: str = "http://127.0.0.1:8080") -> None:
        self.backend = backend
        self.own_base = own_base
        self.method = method
        self.path = path
        self.args = args
        self.headers = headers
        self.raw_body = raw_body
        self._body = None
        self._body_parsed = False

    def body(self) -> dict | None:
        if not self._body_parsed:
            self._body_parsed = True
            text = self.raw_body.decode("utf-8", "replace").strip() if self.raw_body else ""
            if text:
                try:
                    self._body = json.loads(text)
                except ValueError as exc:
                    raise RestError(500, errors.BAD_JSON_BODY.format(error=exc)) from None
                if not isinstance(self._body, dict):
                    raise RestError(500, errors.BAD_JSON_BODY.format(error="the body is not a JSON object"))
        return self._body

    def authenticate(self) -> Auth:
        return self.backend.rest_authenticate(self.method, self.headers, self.path)

    def list_param(self, name: str) -> list[str] | None:
        """Repeated keys (uuids=a&uuids=b) or the indexed form (uuids.0=a&uuids.1=b, sorted by index)."""
        indexed = []
        for key in self.args.keys():
            match = _INDEXED.match(key)
            if match and match.group(1) == name:
                indexed.append((int(match.group(2)), self.args.getlist(key)[0]))
        if indexed:
            return [value for _i, value in sorted(indexed, key=lambda item: item[0])]
        if name in self.args:
            return self.args.getlist(name)
        return None

    def scalar_param(self, name: str) -> str | None:
        values = self.args.getlist(name)
        if len(values) > 1:
            raise RestError(400, errors.SCALAR_TWICE.format(name=name))
        return values[0] if values else None

    def job_uuid(self) -> str | None:
        """X-Job-UUID: 32 chars; reusing one on POST/PUT/DELETE is a 400."""
        value = self.headers.get("X-Job-UUID")
        if value is None:
            return None
        if len(value) != 32:
            raise RestError(400, errors.BAD_JOB_UUID)
        if self.method in ("POST", "PUT", "DELETE") and self.backend.job_exists(value):
            raise RestError(400, errors.DUPLICATE_JOB_UUID.format(uuid=value))
        return value

    def action(self, known: tuple[str, ...]) -> tuple[str, dict]:
        """The single action key of a PUT .../actions body."""
        body = self.body() or {}
        for name in known:
            if name in body:
                params = body[name]
                return name, params if isinstance(params, dict) else {}
        raise RestError(400, errors.NO_ACTION_MAPPING.format(path=self.path))

    def api_timeout_ms(self, default_ms: int) -> int:
        value = self.headers.get("X-API-Timeout")
        if value is None:
            return default_ms
        try:
            return int(value) * 1000
        except ValueError:
            raise RestError(500, f'For input string: "{value}"') from None


HOST_ACTIONS = ("reconnectHost", "changeHostState")
VM_ACTIONS = ("migrateVm", "rebootVmInstance", "stopVmInstance", "startVmInstance")
CLUSTER_ACTIONS = ("updateClusterOS",)
MN_ACTIONS = ("getVersion",)
SESSION_ACTIONS = ("renewSession",)
GLOBAL_CONFIG_ACTIONS = ("updateGlobalConfig",)
LONGJOB_ACTIONS = ("cancelLongJob",)


class Responses:
    """Handler methods named in routes.API_ROUTES."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    # -------------------------------------------------------------- identity (no credential check)
    def log_in_by_account(self, call: Call) -> tuple[int, dict]:
        body = call.body() or {}
        call.job_uuid()
        return 200, self.backend.log_in_by_account(body.get("logInByAccount"))

    def log_in_by_user(self, call: Call) -> tuple[int, dict]:
        body = call.body() or {}
        call.job_uuid()
        return 200, self.backend.log_in_by_user(body.get("logInByUser"))

    def log_out(self, call: Call, uuid: str) -> tuple[int, None]:
        call.job_uuid()
        return 200, self.backend.log_out(uuid)

    def validate_session(self, call: Call, uuid: str) -> tuple[int, dict]:
        call.job_uuid()
        return 200, self.backend.validate_session(uuid)

    def management_node_action(self, call: Call) -> tuple[int, dict]:
        call.action(MN_ACTIONS)
        call.job_uuid()
        return 200, self.backend.get_version()

    # -------------------------------------------------------------- sync APIs
    def get_virtualizer_info(self, call: Call) -> tuple[int, dict]:
        if not self.backend.premium:
            # without the premium module the path falls through to QueryVmInstance /{uuid}
            return self.query_vms(call, uuid="virtualizer-info")
        auth = call.authenticate()
        uuids = call.list_param("uuids")
        call.job_uuid()
        return 200, self.backend.get_virtualizer_info(auth, uuids)

    def get_migration_candidates(self, call: Call, uuid: str) -> tuple[int, dict]:
        auth = call.authenticate()
        call.job_uuid()
        return 200, self.backend.get_migration_candidates(auth, uuid)

    # -------------------------------------------------------------- queries
    def _query(self, call: Call, method, uuid: str | None) -> tuple[int, dict]:
        auth = call.authenticate()
        spec = query.parse_query(call.args, uuid)
        return 200, method(auth, spec)

    def query_hosts(self, call: Call, uuid: str | None = None) -> tuple[int, dict]:
        return self._query(call, self.backend.query_hosts, uuid)

    def query_vms(self, call: Call, uuid: str | None = None) -> tuple[int, dict]:
        return self._query(call, self.backend.query_vms, uuid)

    def query_zones(self, call: Call, uuid: str | None = None) -> tuple[int, dict]:
        return self._query(call, self.backend.query_zones, uuid)

    def query_clusters(self, call: Call, uuid: str | None = None) -> tuple[int, dict]:
        return self._query(call, self.backend.query_clusters, uuid)

    def query_longjobs(self, call: Call, uuid: str | None = None) -> tuple[int, dict]:
        return self._query(call, self.backend.query_longjobs, uuid)

    def query_global_configs(self, call: Call) -> tuple[int, dict]:
        return self._query(call, self.backend.query_global_configs, None)

    def query_hypervisor_info(self, call: Call) -> tuple[int, dict]:
        return self._query(call, self.backend.query_hypervisor_info, None)

    # -------------------------------------------------------------- async actions
    def _submit(self, call: Call, known: tuple[str, ...], target: str | None) -> tuple[int, dict]:
        action, params = call.action(known)
        auth = call.authenticate()
        job_uuid = call.job_uuid()
        timeout = call.api_timeout_ms(self.backend.default_api_timeout_ms(action))
        return 202, self.backend.submit_job(action, target, params, auth, job_uuid, timeout, call.own_base)

    def host_action(self, call: Call, uuid: str) -> tuple[int, dict]:
        return self._submit(call, HOST_ACTIONS, uuid)

    def vm_action(self, call: Call, uuid: str) -> tuple[int, dict]:
        return self._submit(call, VM_ACTIONS, uuid)

    def cluster_action(self, call: Call, uuid: str) -> tuple[int, dict]:
        return self._submit(call, CLUSTER_ACTIONS, uuid)

    def global_config_action(self, call: Call, category: str, name: str) -> tuple[int, dict]:
        action, params = call.action(GLOBAL_CONFIG_ACTIONS)
        auth = call.authenticate()
        job_uuid = call.job_uuid()
        timeout = call.api_timeout_ms(self.backend.default_api_timeout_ms(action))
        return 202, self.backend.submit_job(action, (category, name), params, auth, job_uuid, timeout, call.own_base)

    def longjob_action(self, call: Call, uuid: str) -> tuple[int, dict]:
        return self._submit(call, LONGJOB_ACTIONS, uuid)

    def renew_session(self, call: Call, uuid: str) -> tuple[int, dict]:
        return self._submit(call, SESSION_ACTIONS, uuid)

    def poll_job(self, call: Call, uuid: str) -> tuple[int, dict | None]:
        if call.method != "GET":
            raise RestError(405, errors.JOB_GET_ONLY)
        return self.backend.poll_job(uuid)
