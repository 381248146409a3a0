# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Async jobs and the remediation APIs (zstack-api.md sections 1.5, 1.6, 3 and 6).

A mixin of models.Backend: state lives in the backend, the rules live here.  Time passes as
on a real MN: when an action is submitted its checks run (pipeline order: parameter
validation, then the session, then the state rules) and the resource enters its transitional
state (Migrating, Rebooting, Stopping, Starting, PreMaintenance, Connecting); ``job_seconds``
later (the control plane's pacing) the job finishes: the final state and the job's result are
decided then.  A job also answers 202 for at least ``polls_before_done`` polls.
UpdateClusterOS returns a LongJob at once; the long job advances one step every
``longjob_ticks`` API requests (or through the control plane).
"""

from __future__ import annotations

import heapq
import json
import uuid as uuidlib

from . import errors
from .exceptions import ApiError, arg_error, operation_error
from .timefmt import gson_date

JOB_LOCATION = "{base}/zstack/v1/api-jobs/{uuid}"
DEFAULT_API_TIMEOUT_MS = 1800000
API_TIMEOUTS_MS = {"migrateVm": 3600000, "updateClusterOS": 86400000}
HOST_STATE_EVENTS = ("enable", "disable", "maintain")
RENEW_MIN, RENEW_MAX = 60, 31536000  # APIRenewSessionMsg.duration numberRange
MAINTENANCE_POLICIES = ("JustMigrate", "StopVmOnMigrationFailure")
VM_RUNNING_LIKE = ("Running", "Unknown", "Paused")  # VMs a host in maintenance must move (they hold the host)
# AbstractVmInstance (zstack-api.md section 6): Running: all; Stopped: Start, Stop; Unknown: Migrate, Stop; else VM.1010
VM_ALLOWED = {
    "migrateVm": ("Running", "Unknown"),
    "getMigrationCandidates": ("Running",),
    "rebootVmInstance": ("Running",),
    "stopVmInstance": ("Running", "Stopped", "Unknown"),
    "startVmInstance": ("Running", "Stopped"),
}
VM_MESSAGES = {
    "migrateVm": errors.MSG_MIGRATE_VM, "getMigrationCandidates": errors.MSG_GET_CANDIDATES, "rebootVmInstance": errors.MSG_REBOOT_VM,
    "stopVmInstance": errors.MSG_STOP_VM, "startVmInstance": errors.MSG_START_VM,
}


def _not_found(field: str, uuid, resource_type: str) -> ApiError:
    return ApiError(errors.SYS_RESOURCE_NOT_FOUND, errors.RESOURCE_NOT_FOUND.format(field=field, uuid=uuid, type=resource_type))


class OperationsMixin:  # pylint: disable=too-few-public-methods
    """Jobs, actions and long jobs of the Backend (uses its tables and lock)."""

    # these attributes are created by Backend.reset()
    hosts: dict
    vms: dict
    clusters: dict
    records: dict
    host_sw: dict
    vm_proc: dict
    jobs: dict
    longjobs: dict
    global_configs: dict
    os_categories: dict
    upgrade_versions: dict

    # ------------------------------------------------------------------ lookups raising typed errors
    def _get_host(self, uuid, field: str = "uuid") -> dict:
        host = self.hosts.get(uuid)
        if host is None:
            raise _not_found(field, uuid, "HostVO")
        return host

    def _get_vm(self, uuid, field: str = "uuid") -> dict:
        vm = self.vms.get(uuid)
        if vm is None:
            raise _not_found(field, uuid, "VmInstanceVO")
        return vm

    def _get_cluster(self, uuid, field: str = "uuid") -> dict:
        cluster = self.clusters.get(uuid)
        if cluster is None:
            raise _not_found(field, uuid, "ClusterVO")
        return cluster

    def _touch(self, inv: dict) -> None:
        inv["lastOpDate"] = gson_date(self.now())

    def global_config(self, category: str, name: str) -> str:
        return self.global_configs[(category, name)]["value"]

    # ------------------------------------------------------------------ async job protocol
    @staticmethod
    def default_api_timeout_ms(action: str) -> int:
        return API_TIMEOUTS_MS.get(action, DEFAULT_API_TIMEOUT_MS)

    # pylint: disable-next=too-many-arguments,too-many-positional-arguments
    def submit_job(self, action: str, target: str | None, params: dict, auth, job_uuid: str | None, timeout_ms: int,
                   own_base: str = "http://127.0.0.1:8080") -> dict:
        """Store a job, run the action's checks and transitional state, answer 202.  Every error lands
        in the job result only; the result (and the final state) is decided when the job finishes."""
        job_id = job_uuid or uuidlib.uuid4().hex
        self.count_action(action)
        job = {"uuid": job_id, "action": action, "target": target, "polls": 0, "pollsBeforeDone": self.polls_before_done,
               "finishAt": self.now() + self.job_seconds, "finish": None, "done": False, "doneAt": None, "result": None, "error": None}
        try:
            outcome = self._run_action(action, target, params, auth)
        except ApiError as exc:
            job["error"] = exc
        else:
            job["finish"] = outcome if callable(outcome) else (lambda: outcome)
        self.jobs[job_id] = job
        heapq.heappush(self._due, (job["finishAt"], next(self._job_seq), job_id))
        return {"location": JOB_LOCATION.format(base=own_base, uuid=job_id), "apiTimeout": timeout_ms}

    def _run_action(self, action: str, target: str | None, params: dict, auth):
        """The action's checks and transitional state; returns the finisher (a callable giving the
        result or raising the job's error) or, for an action with nothing to wait for, its result."""
        runner = getattr(self, "_action_" + action)
        return runner(target, params, auth)

    def _complete(self, job: dict) -> None:
        """The job finishes: its finisher decides the final state and the result."""
        finish, job["finish"] = job["finish"], None
        if finish is not None:
            try:
                job["result"] = finish()
            except ApiError as exc:
                job["error"] = exc
        job["done"] = True
        # results expire a fixed time after completion, polled or not
        job["doneAt"] = job["finishAt"] if job["pollsBeforeDone"] == 0 else max(job["finishAt"], self.now())

    def finish_due_jobs(self) -> None:
        """Finish every job whose time has come (called before each request is handled)."""
        with self.lock:
            now = self.now()
            while self._due and self._due[0][0] <= now:
                _at, _seq, job_id = heapq.heappop(self._due)
                job = self.jobs.get(job_id)
                if job is None or job["done"]:
                    continue
                if job["polls"] >= job["pollsBeforeDone"]:
                    self._complete(job)
                # else: its polls finish it (poll_job)

    # ------------------------------------------------------------------ host actions
    def _reconnect(self, host: dict) -> None:
        """Connect flow: host facts (installed qemu) + virtualizer info of every running VM on it."""
        uuid = host["uuid"]
        host["status"] = "Connected"
        if self.host_sw[uuid].get("qemuVersion") is not None:
            self.write_record(uuid, self.host_sw[uuid]["qemuVersion"])
        for vm in self.vms.values():
            if vm.get("hostUuid") == uuid and self.vm_proc.get(vm["uuid"]) is not None:
                self.write_record(vm["uuid"], self.vm_proc[vm["uuid"]])
        self._touch(host)

    def _action_reconnectHost(self, target, _params, auth) -> dict:  # pylint: disable=invalid-name
        host = self._get_host(target)
        self.check_session(auth)
        fault = self.take_job_fault("reconnectHost", target)
        if fault is not None:
            raise fault
        if host["state"] in ("PreMaintenance", "Maintenance"):
            raise operation_error(errors.HOST_BAD_STATE.format(uuid=host["uuid"], name=host["name"], state=host["state"]))
        host["status"] = "Connecting"
        self._touch(host)

        def finish() -> dict:
            if not self.host_sw[host["uuid"]].get("reachable", True):
                host["status"] = "Disconnected"
                self._touch(host)
                cause = operation_error(errors.HOST_UNREACHABLE.format(uuid=host["uuid"], ip=host["managementIp"]))
                raise ApiError(errors.HOST_RECONNECT_FAILED, errors.RECONNECT_FAILED.format(uuid=host["uuid"]), cause=cause)
            self._reconnect(host)
            return {"inventory": self._host_view(host)}
        return finish

    def _action_changeHostState(self, target, params, auth) -> dict:  # pylint: disable=invalid-name
        host = self._get_host(target)
        event = params.get("stateEvent")
        if event is None:
            raise arg_error(errors.MANDATORY_FIELD.format(field="stateEvent"))
        if event not in HOST_STATE_EVENTS:
            raise arg_error(errors.INVALID_VALUE.format(field="stateEvent", valid="[" + ", ".join(HOST_STATE_EVENTS) + "]", value=event))
        self.check_session(auth)
        fault = self.take_job_fault("changeHostState", target)
        if fault is not None:
            raise fault
        if event == "maintain":
            return self._maintain(host)

        def finish() -> dict:
            host["state"] = "Enabled" if event == "enable" else "Disabled"
            self._touch(host)
            return {"inventory": self._host_view(host)}
        return finish

    def _maintain(self, host: dict):
        """PreMaintenance while its running VMs migrate away (each Migrating); Maintenance when the job finishes."""
        if host["status"] != "Connected":
            raise operation_error(errors.HOST_NOT_CONNECTED_MAINTAIN.format(uuid=host["uuid"], status=host["status"]))
        previous = host["state"]
        host["state"] = "PreMaintenance"
        self._touch(host)
        moving = sorted((v for v in self.vms.values() if v.get("hostUuid") == host["uuid"] and v["state"] in VM_RUNNING_LIKE),
                        key=lambda v: v["uuid"])
        states = {vm["uuid"]: vm["state"] for vm in moving}
        for vm in moving:
            vm["state"] = "Migrating"

        def finish() -> dict:
            policy = self.global_config("host", "host.maintenance.policy")
            failed = []
            for vm in moving:
                # the state rules of MigrateVm and StopVmInstance apply: a Paused VM can be neither
                # migrated nor stopped, so it fails the maintenance whatever the policy (inferred)
                candidates = self._candidates(vm) if states[vm["uuid"]] in VM_ALLOWED["migrateVm"] else []
                if candidates:
                    self._move_vm(vm, candidates[0])
                elif policy == "StopVmOnMigrationFailure" and states[vm["uuid"]] in VM_ALLOWED["stopVmInstance"]:
                    self._stop_vm(vm)
                else:
                    vm["state"] = states[vm["uuid"]]
                    failed.append(vm["uuid"])
            self._touch(host)
            if failed:
                host["state"] = previous
                cause = operation_error(errors.NO_MIGRATION_HOST)
                raise ApiError(errors.HOST_MAINTENANCE_FAILED, errors.MAINTENANCE_FAILED.format(uuid=host["uuid"], count=len(failed)), cause=cause)
            host["state"] = "Maintenance"
            return {"inventory": self._host_view(host)}
        return finish

    # ------------------------------------------------------------------ VM rules
    def _check_vm_state(self, vm: dict, op: str) -> None:
        allowed = VM_ALLOWED[op]
        if vm["state"] not in allowed:
            details = errors.VM_BAD_STATE.format(state=vm["state"], message=VM_MESSAGES[op], allowed="[" + ", ".join(allowed) + "]")
            raise operation_error(details, cause=ApiError(errors.VM_NOT_IN_CORRECT_STATE, details))

    def _candidates(self, vm: dict, source_uuid: str | None = None) -> list[dict]:
        """KVMHostAllocatorFilterExtensionPoint: same qemu-img and libvirt versions as the source host,
        Enabled + Connected, not the source; the primary-storage scope is approximated by the cluster."""
        source_uuid = source_uuid or vm.get("hostUuid")
        source = self.hosts[source_uuid]
        src_sw = self.host_sw[source_uuid]
        load = {}
        for other in self.vms.values():
            if other.get("hostUuid"):
                load[other["hostUuid"]] = load.get(other["hostUuid"], 0) + 1
        out = []
        for host in self.hosts.values():
            sw = self.host_sw[host["uuid"]]
            usable = host["uuid"] != source_uuid and host["state"] == "Enabled" and host["status"] == "Connected"
            same_scope = host["clusterUuid"] == source["clusterUuid"] and host.get("architecture") == source.get("architecture")
            same_versions = sw.get("qemuImgVersion") == src_sw.get("qemuImgVersion") and sw.get("libvirtVersion") == src_sw.get("libvirtVersion")
            if usable and same_scope and same_versions:
                out.append(host)
        out.sort(key=lambda h: (load.get(h["uuid"], 0), h["uuid"]))
        return out

    def _start_process(self, vm: dict, host: dict) -> None:
        """A new qemu process runs the host's installed binary; its version is recorded."""
        version = self.host_sw[host["uuid"]].get("qemuVersion")
        self.vm_proc[vm["uuid"]] = version
        if version is not None:
            self.write_record(vm["uuid"], version)
        else:
            self.drop_record(vm["uuid"])

    def _move_vm(self, vm: dict, dest: dict) -> None:
        vm["lastHostUuid"] = vm.get("hostUuid")
        vm["hostUuid"] = dest["uuid"]
        vm["clusterUuid"] = dest["clusterUuid"]
        vm["zoneUuid"] = dest["zoneUuid"]
        vm["state"] = "Running"
        self._start_process(vm, dest)
        self._touch(vm)

    def _stop_vm(self, vm: dict) -> None:
        if vm.get("hostUuid"):
            vm["lastHostUuid"] = vm["hostUuid"]
        vm["hostUuid"] = None
        vm["state"] = "Stopped"
        self.vm_proc[vm["uuid"]] = None
        self.drop_record(vm["uuid"])
        self._touch(vm)

    def _vm_view(self, vm: dict) -> dict:
        return {k: ([dict(x) for x in v] if isinstance(v, list) else v) for k, v in vm.items() if v is not None}

    def _host_view(self, host: dict) -> dict:
        return {k: v for k, v in host.items() if v is not None}

    def get_migration_candidates(self, auth, vm_uuid: str) -> dict:
        vm = self._get_vm(vm_uuid, "vmInstanceUuid")
        self.check_session(auth)
        self._check_vm_state(vm, "getMigrationCandidates")
        return {"inventories": [self._host_view(h) for h in self._candidates(vm)]}

    def _action_migrateVm(self, target, params, auth) -> dict:  # pylint: disable=invalid-name
        vm = self._get_vm(target, "vmInstanceUuid")
        dest_uuid = params.get("hostUuid")
        if dest_uuid is not None:
            self._get_host(dest_uuid, "hostUuid")
        self.check_session(auth)
        fault = self.take_job_fault("migrateVm", target)
        if fault is not None:
            raise fault
        self._check_vm_state(vm, "migrateVm")
        candidates = self._candidates(vm)
        if dest_uuid is not None:
            candidates = [h for h in candidates if h["uuid"] == dest_uuid]
        if not candidates:
            raise operation_error(errors.NO_MIGRATION_HOST)
        previous = vm["state"]
        vm["state"] = "Migrating"
        self._touch(vm)

        def finish() -> dict:
            # the destination is chosen again when the migration lands: the fleet may have changed meanwhile
            now_candidates = [h for h in self._candidates(vm) if dest_uuid is None or h["uuid"] == dest_uuid]
            if not now_candidates:
                vm["state"] = previous
                self._touch(vm)
                raise operation_error(errors.NO_MIGRATION_HOST)
            self._move_vm(vm, now_candidates[0])
            return {"inventory": self._vm_view(vm)}
        return finish

    def _action_rebootVmInstance(self, target, _params, auth) -> dict:  # pylint: disable=invalid-name
        vm = self._get_vm(target)
        self.check_session(auth)
        fault = self.take_job_fault("rebootVmInstance", target)
        if fault is not None:
            raise fault
        self._check_vm_state(vm, "rebootVmInstance")
        host = self.hosts[vm["hostUuid"]]
        if host["status"] != "Connected":
            raise operation_error(errors.HOST_NOT_CONNECTED_OP.format(uuid=host["uuid"], name=host["name"], status=host["status"]))
        vm["state"] = "Rebooting"
        self._touch(vm)

        def finish() -> dict:
            self._start_process(vm, host)  # stop domain + start domain: a new qemu process
            vm["state"] = "Running"
            self._touch(vm)
            return {"inventory": self._vm_view(vm)}
        return finish

    def _action_stopVmInstance(self, target, params, auth) -> dict:  # pylint: disable=invalid-name
        vm = self._get_vm(target)
        stop_type = params.get("type", "grace")
        if stop_type not in ("grace", "cold"):
            raise arg_error(errors.INVALID_VALUE.format(field="type", valid="[grace, cold]", value=stop_type))
        self.check_session(auth)
        fault = self.take_job_fault("stopVmInstance", target)
        if fault is not None:
            raise fault
        self._check_vm_state(vm, "stopVmInstance")
        if vm["state"] == "Stopped":
            return {"inventory": self._vm_view(vm)}
        vm["state"] = "Stopping"
        self._touch(vm)

        def finish() -> dict:
            self._stop_vm(vm)
            return {"inventory": self._vm_view(vm)}
        return finish

    def _action_startVmInstance(self, target, params, auth) -> dict:  # pylint: disable=invalid-name
        vm = self._get_vm(target)
        if params.get("hostUuid") is not None:
            self._get_host(params["hostUuid"], "hostUuid")
        if params.get("clusterUuid") is not None:
            self._get_cluster(params["clusterUuid"], "clusterUuid")
        self.check_session(auth)
        fault = self.take_job_fault("startVmInstance", target)
        if fault is not None:
            raise fault
        self._check_vm_state(vm, "startVmInstance")
        if vm["state"] == "Running":
            return {"inventory": self._vm_view(vm)}
        host = self._pick_start_host(vm, params.get("hostUuid"), params.get("clusterUuid"))
        vm["state"] = "Starting"
        self._touch(vm)

        def finish() -> dict:
            self._move_vm(vm, host)
            vm["lastHostUuid"] = host["uuid"]
            return {"inventory": self._vm_view(vm)}
        return finish

    def _pick_start_host(self, vm: dict, host_uuid: str | None, cluster_uuid: str | None) -> dict:
        def usable(host: dict) -> bool:
            return host["state"] == "Enabled" and host["status"] == "Connected"

        if host_uuid is not None:
            pool = [self.hosts[host_uuid]]
        else:
            last = self.hosts.get(vm.get("lastHostUuid") or "")
            cluster_uuid = cluster_uuid or (last or {}).get("clusterUuid") or vm.get("clusterUuid")
            pool = ([last] if last and last["clusterUuid"] == cluster_uuid else []) + sorted(
                (h for h in self.hosts.values() if h["clusterUuid"] == cluster_uuid), key=lambda h: h["uuid"])
        for host in pool:
            if usable(host):
                return host
        raise operation_error(errors.NO_CANDIDATE_HOST.format(uuid=vm["uuid"]))

    # ------------------------------------------------------------------ sessions
    def _action_renewSession(self, target, params, auth) -> dict:  # pylint: disable=invalid-name
        self.check_session(auth)
        sess = self.sessions.get(target)
        if sess is None or sess["expiresAt"] <= self.now():
            raise ApiError(errors.ID_INVALID_SESSION, errors.SESSION_EXPIRED)
        duration = params.get("duration")
        if duration is None:
            duration = self.session_timeout()
        elif isinstance(duration, bool) or not isinstance(duration, (int, float, str)) or not str(duration).strip().lstrip("-").isdigit():
            raise arg_error(errors.NOT_AN_INTEGER.format(field="duration", value=duration))
        duration = int(str(duration).strip())
        if not RENEW_MIN <= duration <= RENEW_MAX:
            raise arg_error(errors.NUMBER_RANGE.format(field="duration", low=RENEW_MIN, high=RENEW_MAX, value=duration))

        def finish() -> dict:
            sess["expiresAt"] = self.now() + duration
            return {"inventory": self._session_inventory(sess)}
        return finish

    # ------------------------------------------------------------------ global configs
    def _action_updateGlobalConfig(self, target, params, auth) -> dict:  # pylint: disable=invalid-name
        category, name = target
        cfg = self.global_configs.get((category, name))
        if cfg is None:
            raise arg_error(errors.CONFIG_NOT_FOUND.format(category=category, name=name))
        value = params.get("value")
        if value is None:
            raise arg_error(errors.MANDATORY_FIELD.format(field="value"))
        self.check_session(auth)
        value = str(value)
        if name == "host.maintenance.policy" and value not in MAINTENANCE_POLICIES:
            raise arg_error(errors.CONFIG_BAD_VALUE.format(value=value, category=category, name=name, valid=list(MAINTENANCE_POLICIES)))

        def finish() -> dict:
            cfg["value"] = value
            return {"inventory": dict(cfg)}
        return finish

    # ------------------------------------------------------------------ UpdateClusterOS and long jobs
    def _action_updateClusterOS(self, target, params, auth) -> dict:  # pylint: disable=invalid-name
        cluster = self._get_cluster(target)
        host_uuid = params.get("hostUuid")
        if host_uuid is not None:
            self._get_host(host_uuid, "hostUuid")
        self.check_session(auth)
        if host_uuid is not None:
            if self.hosts[host_uuid]["clusterUuid"] != cluster["uuid"]:
                raise arg_error(errors.HOST_NOT_IN_CLUSTER.format(host=host_uuid, cluster=cluster["uuid"]))
            targets = [host_uuid]
        else:
            targets = sorted(h["uuid"] for h in self.hosts.values() if h["clusterUuid"] == cluster["uuid"])
        for uuid in targets:
            if self.hosts[uuid]["status"] != "Connected" and not params.get("force"):
                raise operation_error(errors.UPDATE_OS_HOST_NOT_CONNECTED.format(uuid=uuid))
        now = gson_date(self.now())
        job = {
            "uuid": uuidlib.uuid4().hex, "name": "APIUpdateClusterOSMsg", "description": None, "apiId": None,
            "jobName": "APIUpdateClusterOSMsg", "jobData": json.dumps({"uuid": cluster["uuid"], **params}), "jobResult": None,
            "state": "Waiting", "targetResourceUuid": cluster["uuid"], "managementNodeUuid": "d7c0e7a06b8a4b0e9d3bde2f5c7a1e10",
            "executeTime": None, "createDate": now, "lastOpDate": now,
            "_hosts": targets, "_step": 0, "_ticks": 0, "_saved": {}, "_params": dict(params),
            "_fault": self.take_job_fault("updateClusterOS", cluster["uuid"]),
        }
        self.longjobs[job["uuid"]] = job
        return {"inventory": self._longjob_view(job)}

    def _action_cancelLongJob(self, target, _params, auth) -> dict:  # pylint: disable=invalid-name
        job = self.longjobs.get(target)
        if job is None:
            raise _not_found("uuid", target, "LongJobVO")
        self.check_session(auth)
        if job["state"] not in ("Waiting", "Running"):
            raise operation_error(errors.LONGJOB_NOT_CANCELABLE.format(uuid=target, state=job["state"]))
        for uuid, state in job["_saved"].items():
            if self.hosts[uuid]["state"] == "PreMaintenance":
                self.hosts[uuid]["state"] = state
        job["state"] = "Canceled"
        job["lastOpDate"] = gson_date(self.now())
        return {}

    @staticmethod
    def _longjob_view(job: dict) -> dict:
        return {k: v for k, v in job.items() if not k.startswith("_") and v is not None}

    def tick(self) -> None:
        """One API request happened: running long jobs advance every ``longjob_ticks`` requests."""
        for job in list(self.longjobs.values()):
            if job["state"] in ("Waiting", "Running"):
                job["_ticks"] += 1
                if job["_ticks"] >= self.longjob_ticks:
                    job["_ticks"] = 0
                    self.advance_longjob(job)

    def advance_longjobs(self, steps: int) -> int:
        count = 0
        with self.lock:
            for _step in range(steps):
                for job in list(self.longjobs.values()):
                    if job["state"] in ("Waiting", "Running"):
                        self.advance_longjob(job)
                        count += 1
        return count

    def finish_longjobs(self) -> int:
        count = 0
        with self.lock:
            for job in list(self.longjobs.values()):
                while job["state"] in ("Waiting", "Running"):
                    self.advance_longjob(job)
                    count += 1
        return count

    def _batches(self, job: dict) -> list[list[str]]:
        try:
            degree = max(1, int(self.global_config("cluster", "update.os.parallelismDegree")))
        except (KeyError, ValueError):
            degree = 1
        hosts = job["_hosts"]
        return [hosts[i:i + degree] for i in range(0, len(hosts), degree)]

    def advance_longjob(self, job: dict) -> None:
        """Steps: Waiting -> Running; per batch of hosts: PreMaintenance, then upgrade + restore + reconnect; Succeeded."""
        job["lastOpDate"] = gson_date(self.now())
        if job["state"] == "Waiting":
            job["state"] = "Running"
            job["executeTime"] = int(self.now() * 1000)
            job["apiId"] = job["uuid"]
            return
        batches = self._batches(job)
        batch_index, phase = divmod(job["_step"], 2)
        if batch_index >= len(batches):
            job["state"] = "Succeeded"
            job["jobResult"] = json.dumps({"success": True})
            return
        batch = batches[batch_index]
        if phase == 0:
            for uuid in batch:
                job["_saved"][uuid] = self.hosts[uuid]["state"]
                self.hosts[uuid]["state"] = "PreMaintenance"
        else:
            if job["_fault"] is not None:
                for uuid in batch:
                    self.hosts[uuid]["state"] = job["_saved"][uuid]
                job["state"] = "Failed"
                job["jobResult"] = json.dumps(job["_fault"].to_dict())
                return
            for uuid in batch:
                self._upgrade_host(uuid, job["_params"])
                self.hosts[uuid]["state"] = job["_saved"][uuid]
                self._reconnect(self.hosts[uuid])
        job["_step"] += 1

    def _upgrade_host(self, uuid: str, params: dict) -> None:
        packages = params.get("updatePackages") or []
        excluded = params.get("excludePackages") or []
        if (packages and "qemu-kvm" not in packages) or "qemu-kvm" in excluded:
            return
        host = self.hosts[uuid]
        key = f"{host.get('architecture')} {host.get('osDistribution')} {host.get('osVersion')}"
        version = self.upgrade_versions.get(key) or self.expected_host_version(uuid)
        if version is not None:
            self.host_sw[uuid]["qemuVersion"] = version
