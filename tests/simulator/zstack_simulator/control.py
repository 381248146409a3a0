# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The control plane under /_sim/ (JSON in and out, no auth): reset, seed, sessions, faults, job pacing, counters, state,
and drift behind the collection's back (a host's qemu-kvm upgraded outside ZStack, a VM's qemu process restarted)."""

from __future__ import annotations

import json

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from .models import Backend

CONTROL_MAP = Map([
    Rule("/_sim/reset", methods=["POST"], endpoint="reset"),
    Rule("/_sim/seed", methods=["POST"], endpoint="seed"),
    Rule("/_sim/sessions/expire", methods=["POST"], endpoint="expire_sessions"),
    Rule("/_sim/faults", methods=["POST"], endpoint="add_fault"),
    Rule("/_sim/faults", methods=["DELETE"], endpoint="clear_faults"),
    Rule("/_sim/jobs", methods=["POST"], endpoint="set_jobs"),
    Rule("/_sim/clock", methods=["POST"], endpoint="clock"),
    Rule("/_sim/counters", methods=["GET"], endpoint="counters"),
    Rule("/_sim/state", methods=["GET"], endpoint="state"),
    Rule("/_sim/hosts/<uuid>/qemu", methods=["POST"], endpoint="install_host_qemu"),
    Rule("/_sim/vms/<uuid>/restart", methods=["POST"], endpoint="restart_vm_process"),
], strict_slashes=False)


def _json(status: int, payload) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")


class Control:
    """Handlers of the control plane; each calls the backend."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def handle(self, request: Request) -> Response:
        try:
            endpoint, args = CONTROL_MAP.bind("simulator").match(request.path, method=request.method)
        except HTTPException as exc:
            return _json(exc.code or 404, {"error": exc.description})
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError as exc:
            return _json(400, {"error": f"invalid JSON: {exc}"})
        if not isinstance(body, dict):
            return _json(400, {"error": "the body must be a JSON object"})
        try:
            return _json(200, getattr(self, endpoint)(body, **args))
        except (ValueError, KeyError, TypeError) as exc:
            return _json(400, {"error": f"{type(exc).__name__}: {exc}"})

    def reset(self, body: dict) -> dict:
        self.backend.reset(body or None)
        return {"ok": True}

    def seed(self, body: dict) -> dict:
        self.backend.seed(body)
        return {"ok": True}

    def expire_sessions(self, body: dict) -> dict:
        return {"expired": self.backend.expire_sessions(body.get("uuids"))}

    def add_fault(self, body: dict) -> dict:
        self.backend.add_fault(body)
        return {"ok": True}

    def clear_faults(self, _body: dict) -> dict:
        self.backend.clear_faults()
        return {"ok": True}

    def set_jobs(self, body: dict) -> dict:
        with self.backend.lock:
            if "polls_before_done" in body:
                self.backend.polls_before_done = int(body["polls_before_done"])
            if "longjob_ticks" in body:
                self.backend.longjob_ticks = int(body["longjob_ticks"])
            if "job_seconds" in body:
                seconds = float(body["job_seconds"])
                if seconds < 0:
                    raise ValueError(f"job_seconds must be 0 or more (seconds an async action takes), not {seconds}")
                self.backend.job_seconds = seconds
            if "location_base" in body:
                base = body["location_base"]
                if base is not None and not (isinstance(base, str) and base.startswith(("http://", "https://"))):
                    raise ValueError(f"location_base must be null or an http(s) URL without a path, e.g. http://zstack-mn.invalid:8080, not {base!r}")
                self.backend.location_base = base.rstrip("/") if base else None
            out = {"polls_before_done": self.backend.polls_before_done, "job_seconds": self.backend.job_seconds, "longjob_ticks": self.backend.longjob_ticks,
                   "location_base": self.backend.location_base}
            if body.get("advance_longjobs"):
                out["longjob_steps"] = self.backend.advance_longjobs(int(body["advance_longjobs"]))
            if body.get("finish_longjobs"):
                out["longjob_steps"] = self.backend.finish_longjobs()
            return out

    def clock(self, body: dict) -> dict:
        self.backend.advance_clock(float(body.get("advance", 0)))
        return {"offset": self.backend.clock_offset}

    def counters(self, _body: dict) -> dict:
        return self.backend.counters_snapshot()

    def state(self, _body: dict) -> dict:
        return self.backend.dump_state()

    def install_host_qemu(self, body: dict, uuid: str) -> dict:
        """qemu-kvm installed on a host outside ZStack (yum); with ``reconnect`` (default) the host reconnects.

        Reconnecting refreshes the host's record and those of its running VMs, which keep their old process
        (zstack-api.md 1.5): a host upgraded behind the collection's back.
        """
        version = body["qemuVersion"]
        if not isinstance(version, str) or not version:
            raise ValueError("qemuVersion must be a non-empty string")
        backend = self.backend
        with backend.lock:
            if uuid not in backend.hosts:
                raise KeyError(f"no host {uuid}")
            backend.host_sw[uuid]["qemuVersion"] = version
            if body.get("reconnect", True):
                backend._reconnect(backend.hosts[uuid])  # pylint: disable=protected-access
            return {"uuid": uuid, "qemuVersion": version, "record": backend.records.get(uuid)}

    def restart_vm_process(self, _body: dict, uuid: str) -> dict:
        """A running VM's qemu process restarted outside the API (libvirt reports it): it now runs its host's binary."""
        backend = self.backend
        with backend.lock:
            vm = backend.vms.get(uuid)
            if vm is None:
                raise KeyError(f"no VM {uuid}")
            if vm.get("state") != "Running" or not vm.get("hostUuid"):
                raise ValueError(f"VM {uuid} is {vm.get('state')}, not Running on a host")
            backend._start_process(vm, backend.hosts[vm["hostUuid"]])  # pylint: disable=protected-access
            return {"uuid": uuid, "process": backend.vm_proc.get(uuid), "record": backend.records.get(uuid)}
