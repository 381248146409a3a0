# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator backend: all state and all rules.  Handlers call one method each.

State mirrors the MN tables that matter here:
  hosts / vms / zones / clusters   inventory dicts (what Query* returns)
  resources                        ResourceVO: uuid -> resourceType
  records                          KvmHypervisorInfoVO: uuid -> qemu-kvm version
  os_categories                    HostOsCategoryVO + metadata: (arch, "<dist> <version>") -> expected version
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import itertools
import threading
import time
import uuid as uuidlib
from dataclasses import dataclass

from . import errors, query
from .exceptions import ApiError, RestError, arg_error, session_expired
from .operations import OperationsMixin
from .timefmt import gson_date, parse_date_header

ADMIN_ACCOUNT_UUID = "36c27e8ff05c4780bf6d2fa65700f22e"
ACCESS_KEY_SKEW = datetime.timedelta(minutes=15)
HYPERVISOR = "qemu-kvm"
DEFAULT_MAX_REQUEST_LINE = 8192
JOB_RESULT_TTL = 10800
DEFAULT_JOB_SECONDS = 0.3  # how long an async action takes (control plane: POST /_sim/jobs {"job_seconds": s})

HOST_INVENTORY_CLASS = "org.zstack.kvm.KVMHostInventory"
VM_INVENTORY_CLASS = "org.zstack.header.vm.VmInstanceInventory"
ZONE_INVENTORY_CLASS = "org.zstack.header.zone.ZoneInventory"
CLUSTER_INVENTORY_CLASS = "org.zstack.header.cluster.ClusterInventory"
LONGJOB_INVENTORY_CLASS = "org.zstack.header.longjob.LongJobInventory"
GLOBAL_CONFIG_INVENTORY_CLASS = "org.zstack.core.config.GlobalConfigInventory"
NESTED_CLASSES = {
    "vmNics": "org.zstack.header.vm.VmNicInventory",
    "allVolumes": "org.zstack.header.volume.VolumeInventory",
    "vmCdRoms": "org.zstack.header.vm.cdrom.VmCdRomInventory",
}

HOST_FIELDS = {
    "uuid", "name", "description", "zoneUuid", "clusterUuid", "managementIp", "hypervisorType", "state", "status",
    "totalCpuCapacity", "availableCpuCapacity", "cpuSockets", "totalMemoryCapacity", "availableMemoryCapacity", "cpuNum",
    "architecture", "createDate", "lastOpDate", "username", "sshPort", "osDistribution", "osRelease", "osVersion",
}
VM_FIELDS = {
    "uuid", "name", "description", "zoneUuid", "clusterUuid", "hostUuid", "lastHostUuid", "imageUuid", "instanceOfferingUuid",
    "rootVolumeUuid", "platform", "architecture", "defaultL3NetworkUuid", "type", "hypervisorType", "memorySize", "cpuNum",
    "cpuSpeed", "allocatorStrategy", "createDate", "lastOpDate", "internalId", "vmNics", "allVolumes", "vmCdRoms",
    "guestOsType", "state",
}
ZONE_FIELDS = {"uuid", "name", "description", "state", "type", "isDefault", "createDate", "lastOpDate"}
CLUSTER_FIELDS = {"uuid", "name", "description", "state", "hypervisorType", "zoneUuid", "type", "architecture", "createDate", "lastOpDate"}


def sha512_hex(text: str) -> str:
    return hashlib.sha512(text.encode("utf-8")).hexdigest()


def new_uuid() -> str:
    return uuidlib.uuid4().hex


def match_state(current: str | None, expect: str | None) -> str:
    """KvmHypervisorInfoHelper.isQemuVersionMatched: null -> Unknown, equal -> Matched, else Unmatched."""
    if current is None or expect is None:
        return "Unknown"
    return "Matched" if current == expect else "Unmatched"


def _copy_inv(inv: dict) -> dict:
    return {k: ([dict(x) if isinstance(x, dict) else x for x in v] if isinstance(v, list) else v) for k, v in inv.items() if v is not None}


@dataclass
class Auth:
    """What the REST layer extracted from the Authorization header."""

    kind: str  # "oauth" | "accesskey"
    key: str
    account_uuid: str | None = None


@dataclass
class Identity:
    account_uuid: str
    user_uuid: str

    @property
    def is_admin(self) -> bool:
        return self.account_uuid == ADMIN_ACCOUNT_UUID


class Backend(OperationsMixin):  # pylint: disable=too-many-instance-attributes,too-many-public-methods
    """All simulator state.  Thread-safe through one re-entrant lock held per request."""

    def __init__(self, spec: dict | str | None = None) -> None:
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self._job_seq = itertools.count()
        self.reset(spec)

    # ------------------------------------------------------------------ lifecycle
    def reset(self, spec: dict | str | None = None) -> None:
        from . import fleet  # pylint: disable=import-outside-toplevel
        resolved = fleet.resolve(spec)  # a bad spec name fails before the state is wiped
        with self.lock:
            self.zones: dict[str, dict] = {}
            self.clusters: dict[str, dict] = {}
            self.hosts: dict[str, dict] = {}
            self.vms: dict[str, dict] = {}
            self.host_sw: dict[str, dict] = {}
            self.vm_proc: dict[str, str | None] = {}
            self.vm_owner: dict[str, str] = {}
            self.resources: dict[str, str] = {}
            # GetVirtualizerInfo's one lookup a UUID: host or VM uuid -> (the stored uuid, resource type, inventory)
            self.kvm_rows: dict[str, tuple[str, str, dict]] = {}
            self.records: dict[str, str] = {}
            self.record_rows: dict[str, tuple] = {}  # KvmHypervisorInfoVO's stored matchState, createDate, lastOpDate
            self.order_seed = 0  # "database order" of unsorted answers: a stable shuffle seeded by this
            self._db_keys: dict[str, int] = {}
            self.os_categories: dict[tuple[str, str], str] = {}
            self.accounts: dict[str, dict] = {}
            self.users: dict[tuple[str, str], dict] = {}
            self.access_keys: dict[str, dict] = {}
            self.sessions: dict[str, dict] = {}
            self.global_configs: dict[tuple[str, str], dict] = {}
            self.jobs: dict[str, dict] = {}
            self.longjobs: dict[str, dict] = {}
            self.faults: list[dict] = []
            self.polls_before_done = 0
            self.job_seconds = DEFAULT_JOB_SECONDS
            self._due: list = []  # heap of (finishAt, seq, job uuid)
            self.longjob_ticks = 2
            self.upgrade_versions: dict[str, str] = {}
            self.premium = True
            self.max_request_line = DEFAULT_MAX_REQUEST_LINE
            self.serve_root = False  # also serve /v1/... at the root (a real MN serves only /zstack/v1/...)
            self.location_base = None  # base named by a 202 location; None = the address the simulator listens on
            self.counters = {"requests": {}, "actions": {}, "total_requests": 0, "mutating_requests": 0, "logins": 0, "logouts": 0,
                             "connections": 0}
            self.clock_offset = 0.0
            self.add_account("admin", "password", uuid=ADMIN_ACCOUNT_UUID)
            fleet.install_default_configs(self)
            fleet.apply(self, resolved)

    def seed(self, spec: dict | str) -> None:
        from . import fleet  # pylint: disable=import-outside-toplevel
        with self.lock:
            fleet.apply(self, fleet.resolve(spec))

    def now(self) -> float:
        return time.time() + self.clock_offset

    def advance_clock(self, seconds: float) -> None:
        with self.lock:
            self.clock_offset += float(seconds)

    # ------------------------------------------------------------------ fleet building (used by fleet.py)
    def _register(self, uuid: str, resource_type: str) -> None:
        if uuid in self.resources:
            raise ValueError(f"duplicate uuid {uuid}")
        self.resources[uuid] = resource_type
        self.db_key(uuid)  # a row's place in database order is fixed when it is inserted, not when it is first read

    def add_account(self, name: str, password: str, uuid: str | None = None) -> dict:
        existing = self.accounts.get(name, {}).get("uuid")
        acc = {"uuid": uuid or existing or sha512_hex("account:" + name)[:32], "name": name, "passwordHash": sha512_hex(password)}
        self.accounts[name] = acc
        return acc

    def add_user(self, account_name: str, user_name: str, password: str, uuid: str | None = None) -> dict:
        acc = self.accounts[account_name]
        user = {"uuid": uuid or sha512_hex(f"user:{account_name}:{user_name}")[:32], "name": user_name,
                "accountUuid": acc["uuid"], "passwordHash": sha512_hex(password)}
        self.users[(account_name, user_name)] = user
        return user

    def add_access_key(self, key_id: str, secret: str, account_name: str = "admin") -> None:
        self.access_keys[key_id] = {"id": key_id, "secret": secret, "accountUuid": self.accounts[account_name]["uuid"]}

    def add_zone(self, inv: dict) -> None:
        self._register(inv["uuid"], "ZoneVO")
        self.zones[inv["uuid"]] = inv

    def add_cluster(self, inv: dict) -> None:
        self._register(inv["uuid"], "ClusterVO")
        self.clusters[inv["uuid"]] = inv

    def add_host(self, inv: dict, software: dict, has_record: bool) -> None:
        self._register(inv["uuid"], "HostVO")
        self.hosts[inv["uuid"]] = inv
        self.kvm_rows[inv["uuid"]] = (inv["uuid"], "HostVO", inv)
        self.host_sw[inv["uuid"]] = software
        if has_record and software.get("qemuVersion") is not None:
            self.write_record(inv["uuid"], software["qemuVersion"])

    # pylint: disable-next=too-many-arguments,too-many-positional-arguments
    def add_vm(self, inv: dict, running_version: str | None, has_record: bool, owner: str = ADMIN_ACCOUNT_UUID, record_version: str | None = None) -> None:
        """``record_version`` defaults to the running process; a stale record (hasRecord on a stopped VM) may be given."""
        self._register(inv["uuid"], "VmInstanceVO")
        self.vms[inv["uuid"]] = inv
        self.kvm_rows[inv["uuid"]] = (inv["uuid"], "VmInstanceVO", inv)
        self.vm_owner[inv["uuid"]] = owner
        self.vm_proc[inv["uuid"]] = running_version
        record_version = running_version if record_version is None else record_version
        if has_record and record_version is not None:
            self.write_record(inv["uuid"], record_version)

    def add_other_resource(self, uuid: str, resource_type: str) -> None:
        """A resource of another type (an image, an L3 network...): GetVirtualizerInfo refuses its uuid."""
        from . import fleet  # pylint: disable=import-outside-toplevel
        fleet.check_other_resources([{"uuid": uuid, "resourceType": resource_type}])
        self._register(uuid, resource_type)

    # ------------------------------------------------------------------ KvmHypervisorInfoVO rows and database order
    def write_record(self, uuid: str, version: str) -> None:
        """Save a version as the MN does: the row keeps the matchState computed now (a VM against its
        host's row, a host against its OS category) and its dates; GetVirtualizerInfo recomputes instead."""
        if self.resources.get(uuid) == "HostVO":
            expect = self.expected_host_version(uuid)
        else:
            expect = self.records.get(self.vms[uuid].get("hostUuid") or "")
        now = gson_date(self.now())
        row = self.record_rows.get(uuid)
        self.records[uuid] = version
        # (matchState, createDate, lastOpDate); query_hypervisor_info builds the inventories
        self.record_rows[uuid] = (match_state(version, expect), row[1] if row else now, now)

    def drop_record(self, uuid: str) -> None:
        self.records.pop(uuid, None)
        self.record_rows.pop(uuid, None)

    def in_db_order(self, uuids) -> list[str]:
        """The UUIDs sorted by :meth:`db_key` (each key computed once, then looked up without a Python call)."""
        keys = self._db_keys
        try:
            return sorted(uuids, key=keys.__getitem__)
        except KeyError:  # a UUID seen for the first time
            for uuid in uuids:
                self.db_key(uuid)
            return sorted(uuids, key=keys.__getitem__)

    def db_key(self, uuid: str) -> int:
        """Where a row sits in "database order": stable for a seed, unrelated to the uuid's sort order."""
        key = self._db_keys.get(uuid)
        if key is None:
            digest = hashlib.blake2b(f"{self.order_seed}:{uuid}".encode("utf-8"), digest_size=8).digest()
            key = self._db_keys[uuid] = int.from_bytes(digest, "big")
        return key

    # ------------------------------------------------------------------ counters and faults (control plane)
    def count_request(self, method: str, rule: str | None, api: bool, login_or_logout: bool) -> None:
        with self.lock:
            self.counters["total_requests"] += 1
            key = f"{method} {rule or '<unmatched>'}"
            self.counters["requests"][key] = self.counters["requests"].get(key, 0) + 1
            if api and rule and method in ("PUT", "POST", "DELETE") and not login_or_logout:
                self.counters["mutating_requests"] += 1

    def count_connection(self) -> None:
        """One more client connection accepted by the server (keep-alive makes this far fewer than requests)."""
        with self.lock:
            self.counters["connections"] += 1

    def count_action(self, action: str) -> None:
        with self.lock:
            self.counters["actions"][action] = self.counters["actions"].get(action, 0) + 1

    def counters_snapshot(self) -> dict:
        with self.lock:
            out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in self.counters.items()}
            out["active_sessions"] = sum(1 for s in self.sessions.values() if s["expiresAt"] > self.now())
            return out

    def add_fault(self, fault: dict) -> None:
        with self.lock:
            fault = dict(fault)
            fault.setdefault("count", 1)
            path = fault.get("path")
            if path and path.startswith("/zstack/"):
                fault["path"] = path[len("/zstack"):]
            self.faults.append(fault)

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def take_http_fault(self, method: str, path: str) -> dict | None:
        """Pop one use of the first HTTP fault matching this request (job_error faults are not HTTP faults)."""
        with self.lock:
            for fault in self.faults:
                if "job_error" in fault:
                    continue
                if fault.get("method") and fault["method"].upper() != method:
                    continue
                if fault.get("path") and not path.startswith(fault["path"]):
                    continue
                fault["count"] -= 1
                if fault["count"] <= 0:
                    self.faults.remove(fault)
                return fault
            return None

    def take_job_fault(self, action: str, target_uuid: str | None) -> ApiError | None:
        with self.lock:
            for fault in self.faults:
                if "job_error" not in fault or fault.get("action") not in (None, action):
                    continue
                if fault.get("uuid") and fault["uuid"] != target_uuid:
                    continue
                fault["count"] -= 1
                if fault["count"] <= 0:
                    self.faults.remove(fault)
                return ApiError.from_dict(fault["job_error"])
            return None

    def expire_sessions(self, uuids: list[str] | None = None) -> int:
        with self.lock:
            targets = list(self.sessions) if uuids is None else [u for u in uuids if u in self.sessions]
            for uuid in targets:
                self.sessions[uuid]["expiresAt"] = self.now() - 1
            return len(targets)

    def dump_state(self) -> dict:
        with self.lock:
            return {
                "premium": self.premium,
                "max_request_line": self.max_request_line,
                "zones": sorted(self.zones),
                "clusters": sorted(self.clusters),
                "hosts": {u: {"name": h["name"], "state": h["state"], "status": h["status"], "clusterUuid": h["clusterUuid"],
                              **self.host_sw[u], "record": self.records.get(u)} for u, h in self.hosts.items()} if len(self.hosts) <= 5000 else len(self.hosts),
                "vms": {u: {"name": v["name"], "state": v["state"], "hostUuid": v.get("hostUuid"), "process": self.vm_proc.get(u),
                            "record": self.records.get(u)} for u, v in self.vms.items()} if len(self.vms) <= 5000 else len(self.vms),
                "other_resources": {u: t for u, t in self.resources.items() if t not in ("HostVO", "VmInstanceVO", "ZoneVO", "ClusterVO")},
                "os_categories": [{"architecture": a, "osRelease": r, "qemuVersion": v} for (a, r), v in self.os_categories.items()],
                "sessions": {u: {"accountUuid": s["accountUuid"], "expired": s["expiresAt"] <= self.now()} for u, s in self.sessions.items()},
                "jobs": {u: {"action": j["action"], "polls": j["polls"], "done": j["done"], "failed": j["error"] is not None}
                         for u, j in self.jobs.items()},
                "longjobs": {u: {"state": j["state"], "step": j["_step"]} for u, j in self.longjobs.items()},
                "faults": list(self.faults),
                "polls_before_done": self.polls_before_done,
                "job_seconds": self.job_seconds,
                "global_configs": {f"{c}.{n}": g["value"] for (c, n), g in self.global_configs.items()},
            }

    # ------------------------------------------------------------------ REST-layer authentication
    def rest_authenticate(self, method: str, headers, uri: str) -> Auth:
        """RestServer.handleApi header checks.  Never rejects an OAuth session (that is ID.1001 later)."""
        header = headers.get("Authorization")
        if header is None:
            raise RestError(400, errors.MISSING_AUTH_HEADER)
        header = header.strip()
        if header.startswith("OAuth"):
            return Auth("oauth", header[len("OAuth"):].strip())
        if not header.startswith("ZStack"):
            raise RestError(400, errors.BAD_AUTH_TYPE)
        date_text = headers.get("Date")
        if date_text is None:
            raise RestError(400, errors.DATE_MISSING)
        when = parse_date_header(date_text)
        if when is None:
            raise RestError(400, errors.DATE_FORMAT)
        wall = datetime.datetime.now()
        if when > wall + ACCESS_KEY_SKEW or when < wall - ACCESS_KEY_SKEW:
            raise RestError(403, errors.TIME_SKEWED)
        parts = header[len("ZStack"):].strip().split(":")
        if len(parts) != 2:
            raise RestError(400, errors.ACCESS_KEY_FORMAT)
        key_id, signature = parts
        with self.lock:
            key = self.access_keys.get(key_id)
        if key is None:
            raise RestError(403, errors.ACCESS_KEY_UNKNOWN.format(id=key_id))
        data = f"{method}\n{date_text}\n{uri}".encode("utf-8")
        expected = base64.b64encode(hmac.new(key["secret"].encode("utf-8"), data, hashlib.sha1).digest()).decode("ascii")
        if not hmac.compare_digest(expected, signature):
            raise RestError(403, errors.ACCESS_KEY_BAD_SIGNATURE)
        return Auth("accesskey", key_id, account_uuid=key["accountUuid"])

    # ------------------------------------------------------------------ sessions
    def _session_inventory(self, sess: dict) -> dict:
        return {"uuid": sess["uuid"], "accountUuid": sess["accountUuid"], "userUuid": sess["userUuid"],
                "expiredDate": gson_date(sess["expiresAt"]), "createDate": gson_date(sess["createdAt"])}

    def _new_session(self, account_uuid: str, user_uuid: str) -> dict:
        now = self.now()
        limit = int(self.global_config("identity", "session.maxConcurrent"))
        if sum(1 for s in self.sessions.values() if s["userUuid"] == user_uuid and s["expiresAt"] > now) >= limit:
            raise ApiError(errors.ID_MAX_SESSIONS, errors.MAX_SESSIONS)
        sess = {"uuid": new_uuid(), "accountUuid": account_uuid, "userUuid": user_uuid, "createdAt": now, "expiresAt": now + self.session_timeout()}
        self.sessions[sess["uuid"]] = sess
        self.counters["logins"] += 1
        return {"inventory": self._session_inventory(sess)}

    def session_timeout(self) -> int:
        """identity/session.timeout (seconds), the sliding expiry of every session."""
        return int(self.global_config("identity", "session.timeout"))

    def check_session(self, auth: Auth) -> Identity:
        """FRONT interceptor: unknown/expired session -> ID.1001; a valid one slides its expiry."""
        if auth.kind == "accesskey":
            return Identity(auth.account_uuid, auth.account_uuid)
        if not auth.key:
            raise ApiError(errors.ID_INVALID_SESSION, errors.SESSION_UUID_NULL)
        sess = self.sessions.get(auth.key)
        now = self.now()
        if sess is None or sess["expiresAt"] <= now:
            raise session_expired()
        sess["expiresAt"] = now + self.session_timeout()
        return Identity(sess["accountUuid"], sess["userUuid"])

    def log_in_by_account(self, params: dict | None) -> dict:
        params = params or {}
        for name in ("accountName", "password"):
            if params.get(name) is None:
                raise arg_error(errors.MANDATORY_FIELD.format(field=name))
        acc = self.accounts.get(params["accountName"])
        if acc is None or acc["passwordHash"] != params["password"]:
            raise ApiError(errors.ID_AUTH_FAILED, errors.WRONG_ACCOUNT_PASSWORD)
        return self._new_session(acc["uuid"], acc["uuid"])

    def log_in_by_user(self, params: dict | None) -> dict:
        params = params or {}
        for name in ("userName", "password"):
            if params.get(name) is None:
                raise arg_error(errors.MANDATORY_FIELD.format(field=name))
        account_name = params.get("accountName")
        if account_name is None and params.get("accountUuid"):
            account_name = next((n for n, a in self.accounts.items() if a["uuid"] == params["accountUuid"]), None)
        user = self.users.get((account_name, params["userName"]))
        if user is None or user["passwordHash"] != params["password"]:
            raise ApiError(errors.ID_AUTH_FAILED, errors.WRONG_USER_PASSWORD)
        return self._new_session(user["accountUuid"], user["uuid"])

    def log_out(self, session_uuid: str) -> None:
        """Always succeeds; the reply has nothing in it, so the body is empty (not ``{}``)."""
        if self.sessions.pop(session_uuid, None) is not None:
            self.counters["logouts"] += 1

    def validate_session(self, session_uuid: str) -> dict:
        sess = self.sessions.get(session_uuid)
        return {"valid": bool(sess and sess["expiresAt"] > self.now())}

    # ------------------------------------------------------------------ GetVirtualizerInfo
    def expected_host_version(self, host_uuid: str) -> str | None:
        return self._expected_for_host(self.hosts[host_uuid])

    def _expected_for_host(self, host: dict) -> str | None:
        """The qemu-kvm version of the host's OS category (architecture, "distribution version"), if known."""
        arch = host.get("architecture")
        if not arch:
            return None
        return self.os_categories.get((arch, f"{host.get('osDistribution')} {host.get('osVersion')}"))

    def get_virtualizer_info(self, auth: Auth, uuids: list[str] | None) -> dict:
        if uuids is None:
            raise arg_error(errors.MANDATORY_FIELD.format(field="uuids"))
        if not uuids:
            raise arg_error(errors.NONEMPTY_LIST.format(field="uuids"))
        ident = self.check_session(auth)
        # one lookup a UUID: it checks the type and finds the inventory, and the stored uuid it gives makes
        # every later lookup of it an identity match
        rows: dict[str, tuple[str, str, dict]] = {}
        for row in map(self.kvm_rows.get, uuids):
            if row is None:  # not a host or VM, or no such resource
                raise arg_error(errors.UUIDS_WRONG_TYPE)
            rows[row[0]] = row
        if len(rows) != len(uuids):  # a UUID given twice: the MN counts distinct rows against the list's size
            raise arg_error(errors.UUIDS_WRONG_TYPE)
        if not ident.is_admin:
            not_owned = [u for u in uuids if self.vm_owner.get(u) != ident.account_uuid]
            if not_owned:
                raise arg_error(f"resource[uuids:[{', '.join(not_owned)}]] is not owned by account[uuid:{ident.account_uuid}]")
        inventories = []
        append = inventories.append
        records = self.records
        info_lists: dict[tuple, list] = {}  # (current, expect) -> infoList: a batch has only a few pairs
        for uuid in self.in_db_order(rows):  # database order, not the input order nor sorted
            current = records.get(uuid)
            if current is None:
                continue
            _uuid, resource_type, inv = rows[uuid]
            if resource_type == "HostVO":
                expect = self._expected_for_host(inv)
            else:
                host_uuid = inv.get("hostUuid")
                if host_uuid is None:
                    raise ApiError(errors.SYS_INTERNAL, errors.INTERNAL_NPE)
                expect = records.get(host_uuid)
            info_list = info_lists.get((current, expect))
            if info_list is None:
                info = {"hypervisor": HYPERVISOR, "currentVersion": current}
                if expect is not None:
                    info["expectVersion"] = expect
                info["matchState"] = match_state(current, expect)
                info_list = info_lists[(current, expect)] = [info]
            append({"uuid": uuid, "resourceType": resource_type, "infoList": info_list})
        return {"inventories": inventories}

    # ------------------------------------------------------------------ queries
    @staticmethod
    def _schema(inventories: list[dict], cls: str) -> dict:
        schema = {}
        for i, inv in enumerate(inventories):
            schema[f"inventories[{i}]"] = cls
            for key, nested_cls in NESTED_CLASSES.items():
                for j, _item in enumerate(inv.get(key) or []):
                    schema[f"inventories[{i}].{key}[{j}]"] = nested_cls
        return schema

    # pylint: disable-next=too-many-arguments,too-many-positional-arguments
    def _query(self, auth: Auth, spec: query.QuerySpec, table: dict, fields: set, cls: str, visible=None) -> dict:
        ident = self.check_session(auth)
        source = table.values()
        if visible is not None and not ident.is_admin:
            source = [inv for inv in source if visible(ident, inv)]
            index = None
        else:
            index = table
        page, total = query.run(source, spec, fields, cls, index=index, order_key=lambda inv: self.db_key(inv.get("uuid") or inv.get("name") or ""))
        if spec.count:
            return {"total": total, "schema": {}}
        wanted = set(spec.fields or ())
        inventories = [_copy_inv(query.project(inv, wanted)) for inv in page]  # the fields asked for, then copied
        out = {"inventories": inventories}
        if spec.reply_with_count:
            out["total"] = total
        out["schema"] = self._schema(inventories, cls)
        return out

    def query_hosts(self, auth: Auth, spec: query.QuerySpec) -> dict:
        return self._query(auth, spec, self.hosts, HOST_FIELDS, HOST_INVENTORY_CLASS, visible=lambda ident, inv: False)

    def query_vms(self, auth: Auth, spec: query.QuerySpec) -> dict:
        return self._query(auth, spec, self.vms, VM_FIELDS, VM_INVENTORY_CLASS,
                           visible=lambda ident, inv: self.vm_owner.get(inv["uuid"]) == ident.account_uuid)

    def query_zones(self, auth: Auth, spec: query.QuerySpec) -> dict:
        return self._query(auth, spec, self.zones, ZONE_FIELDS, ZONE_INVENTORY_CLASS)

    def query_clusters(self, auth: Auth, spec: query.QuerySpec) -> dict:
        return self._query(auth, spec, self.clusters, CLUSTER_FIELDS, CLUSTER_INVENTORY_CLASS)

    def query_global_configs(self, auth: Auth, spec: query.QuerySpec) -> dict:
        table = {f"{c}.{n}": g for (c, n), g in self.global_configs.items()}
        return self._query(auth, spec, table, {"category", "name", "value", "defaultValue", "description"}, GLOBAL_CONFIG_INVENTORY_CLASS)

    def query_hypervisor_info(self, auth: Auth, spec: query.QuerySpec) -> dict:
        """APIQueryKvmHypervisorInfoMsg: the raw table with the STORED matchState."""
        table = {uuid: {"uuid": uuid, "hypervisor": HYPERVISOR, "version": self.records[uuid], "matchState": state,
                        "createDate": created, "lastOpDate": last_op} for uuid, (state, created, last_op) in self.record_rows.items()}
        return self._query(auth, spec, table, {"uuid", "hypervisor", "version", "matchState", "createDate", "lastOpDate"},
                           "org.zstack.kvm.hypervisor.datatype.KvmHypervisorInfoInventory")

    def query_longjobs(self, auth: Auth, spec: query.QuerySpec) -> dict:
        table = {u: self._longjob_view(j) for u, j in self.longjobs.items()}
        fields = {"uuid", "name", "description", "apiId", "jobName", "jobData", "jobResult", "state", "targetResourceUuid",
                  "managementNodeUuid", "executeTime", "createDate", "lastOpDate"}
        return self._query(auth, spec, table, fields, LONGJOB_INVENTORY_CLASS)

    def get_version(self) -> dict:
        return {"version": "4.8.0"}

    # ------------------------------------------------------------------ async jobs (RestServer + AsyncRestStore)
    def job_exists(self, job_uuid: str) -> bool:
        return job_uuid in self.jobs

    def poll_job(self, job_uuid: str) -> tuple[int, dict | None]:
        with self.lock:
            self.finish_due_jobs()
            job = self.jobs.get(job_uuid)
            if job is None:
                raise RestError(404, errors.JOB_EXPIRED)
            if not job["done"]:
                job["polls"] += 1
                if job["polls"] <= job["pollsBeforeDone"] or self.now() < job["finishAt"]:
                    return 202, None
                self._complete(job)
            if self.now() > job["doneAt"] + JOB_RESULT_TTL:
                raise RestError(404, errors.JOB_EXPIRED)
            if job["error"] is not None:
                return 503, {"error": job["error"].to_dict()}
            return 200, job["result"]
