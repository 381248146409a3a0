# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Error codes, descriptions and message texts of the real ZStack management node.

Shared by the simulator and its tests so the two cannot drift.  Sources are named
in /work/shared/docs/zstack-api.md (sections 2.3 to 2.6, 3, 4 and 6).
"""

from __future__ import annotations

# ---- ErrorCode codes and their fixed descriptions (conf/errorCodes/*.xml) ----
SYS_INTERNAL = "SYS.1000"
SYS_TIMEOUT = "SYS.1001"
SYS_RESOURCE_NOT_FOUND = "SYS.1003"
SYS_STATE_CHANGE = "SYS.1005"
SYS_OPERATION = "SYS.1006"
SYS_INVALID_ARGUMENT = "SYS.1007"
ID_AUTH_FAILED = "ID.1000"
ID_INVALID_SESSION = "ID.1001"
ID_PERMISSION_DENIED = "ID.1002"
ID_MAX_SESSIONS = "ID.1006"
HOST_MAINTENANCE_FAILED = "HOST.1001"
HOST_RECONNECT_FAILED = "HOST.1002"
VM_NOT_IN_CORRECT_STATE = "VM.1010"

DESCRIPTIONS = {
    SYS_INTERNAL: "An internal error happened in system",
    SYS_TIMEOUT: "A message or a operation timeout",
    SYS_RESOURCE_NOT_FOUND: "A resource can not be found",
    SYS_STATE_CHANGE: "Unable to change resource state",
    SYS_OPERATION: "An operation failed",
    SYS_INVALID_ARGUMENT: "One or more API argument is invalid",
    ID_AUTH_FAILED: "Unable to authenticate a user",
    ID_INVALID_SESSION: "The session is invalid, either wrong session id or the session has been expired",
    ID_PERMISSION_DENIED: "The user doesn't have permission to perform the operation",
    ID_MAX_SESSIONS: "Max number of active sessions exceeded",
    HOST_MAINTENANCE_FAILED: "UNABLE_TO_ENTER_MAINTENANCE_MODE",
    HOST_RECONNECT_FAILED: "UNABLE_TO_RECONNECT_HOST",
    VM_NOT_IN_CORRECT_STATE: "NOT_IN_CORRECT_STATE",
}

# ---- business error details (503 + {"error": ...}) ----
PARAM_VALIDATOR_CLASS = "org.zstack.header.message.ApiMessageParamValidator"
MANDATORY_FIELD = "field[{field}] of message[" + PARAM_VALIDATOR_CLASS + "] is mandatory, can not be null"
NONEMPTY_LIST = "field[{field}] must be a nonempty list"
INVALID_VALUE = "valid value for field[{field}] of message[" + PARAM_VALIDATOR_CLASS + "] are {valid}, but {value} found"
RESOURCE_NOT_FOUND = "invalid field[{field}], resource[uuid:{uuid}, type:{type}] not found"
UUIDS_WRONG_TYPE = "The 'uuids' parameter must belong to the VmInstanceVO or HostVO"
SESSION_EXPIRED = "Session expired"
SESSION_UUID_NULL = "session uuid is null"
WRONG_ACCOUNT_PASSWORD = "wrong account name or password"
WRONG_USER_PASSWORD = "wrong account or username or password"
MAX_SESSIONS = "Login sessions hit limit of max allowed concurrent login sessions"
HOST_NOT_CONNECTED_MAINTAIN = "can not maintain host[uuid:{uuid}, status:{status}] which is not Connected"
HOST_BAD_STATE = "host[uuid:{uuid}, name:{name}] is in state[{state}], cannot perform required operation"
HOST_NOT_CONNECTED_OP = "host[uuid:{uuid}, name:{name}] is in status[{status}], cannot perform required operation"
VM_BAD_STATE = "current vm instance state[{state}] doesn't allow to proceed message[{message}], allowed states are {allowed}"
NO_MIGRATION_HOST = "cannot adapt version for the bellow rpm: libvirt / qemu / cpumodel"
NO_CANDIDATE_HOST = "no candidate host found for vm[uuid:{uuid}]"
NUMBER_RANGE = "field[{field}] must be in range of [{low}, {high}], but {value} found"  # (approx)
NOT_AN_INTEGER = "field[{field}] must be an integer, but {value} found"  # (approx)
QUERY_BAD_FIELD = "condition name[{field}] is invalid, no such field on inventory class[{cls}]"
INTERNAL_NPE = "java.lang.NullPointerException"

# ---- REST-layer plain-text bodies (4xx) ----
MISSING_AUTH_HEADER = "missing header 'Authorization'"
BAD_AUTH_TYPE = "Authorization type must be 'OAuth'"
DATE_MISSING = "'Date' must be incuded in request header"
DATE_FORMAT = "'Date' format error, correct format is 'EEE, dd MMM yyyy HH:mm:ss z'"
TIME_SKEWED = "requestTimeTooSkewed"
ACCESS_KEY_FORMAT = "accessKey format is 'ZStack AccessKeyId:Signature'"
ACCESS_KEY_UNKNOWN = "access key id: {id} does not existed or disabled"
ACCESS_KEY_BAD_SIGNATURE = "wrong accessKey signature"
NO_API_MAPPING = "no api mapping to {path}"
NO_ACTION_MAPPING = "the body doesn't contain action mapping to the URL[{path}]"
METHOD_NOT_ALLOWED = "The method[{method}] is not allowed for the path[{path}]"
NO_CREATIONAL_API = "No creational API found for the path[{path}]"
NO_QUERY_API = "No query API found for the path[{path}]"
NO_DELETE_API = "No delete API found for the path[{path}]"
JOB_EXPIRED = "the job has been expired"
JOB_GET_ONLY = "only GET method is allowed for querying job status"
BAD_JOB_UUID = "Invalid header[X-Job-UUID], it must be a UUID with '-' stripped"
DUPLICATE_JOB_UUID = "Duplicate job uuid[{uuid}]"
LIMIT_NOT_INT = "Invalid query parameter. 'limit' must be an integer"
START_NOT_INT = "Invalid query parameter. 'start' must be an integer"
FIELDS_EMPTY = "Invalid query parameter. 'fields' contains zero field"
Q_NO_OPERATOR = "Invalid query parameter. The '{cond}' in the parameter[q] doesn't contain any query operator. Valid query operators are {ops}"
Q_NOT_PAIR = "Invalid query parameter. The '{cond}' in parameter[q] is not a key-value pair split by {op}"
SCALAR_TWICE = "Invalid query parameter[{name}], only one value is allowed for the parameter but multiple values found"
REQUEST_URI_TOO_LONG = "Request-URI Too Long"
OUTSIDE_CONTEXT = "HTTP Status 404 - Not Found: The requested resource [{path}] is not available"  # Tomcat, outside /zstack
BAD_JSON_BODY = "Could not read JSON: {error}"

# Query operators in the fixed order RestServer checks them (section 5).
QUERY_OPERATORS = ("!=", ">=", "<=", "!?=", "!~=", "~=", "?=", "=", ">", "<", "is null", "not null")

# ---- remediation flows (section 6); texts marked (approx) are not settled by the fact sheet ----
MSG_MIGRATE_VM = "org.zstack.header.vm.APIMigrateVmMsg"
MSG_GET_CANDIDATES = "org.zstack.header.vm.APIGetVmMigrationCandidateHostsMsg"
MSG_REBOOT_VM = "org.zstack.header.vm.APIRebootVmInstanceMsg"
MSG_STOP_VM = "org.zstack.header.vm.APIStopVmInstanceMsg"
MSG_START_VM = "org.zstack.header.vm.APIStartVmInstanceMsg"
MAINTENANCE_FAILED = "failed to put host[uuid:{uuid}] into maintenance mode, {count} vm(s) cannot be migrated"  # (approx)
HOST_UNREACHABLE = "unable to connect to kvm host[uuid:{uuid}, ip:{ip}]"  # (approx)
RECONNECT_FAILED = "failed to reconnect host[uuid:{uuid}]"  # (approx)
HOST_NOT_IN_CLUSTER = "host[uuid:{host}] is not in cluster[uuid:{cluster}]"  # (approx)
UPDATE_OS_HOST_NOT_CONNECTED = "host[uuid:{uuid}] is not Connected, cannot update its OS"  # (approx)
LONGJOB_NOT_CANCELABLE = "long job[uuid:{uuid}] is in state[{state}], it cannot be canceled"  # (approx)
CONFIG_NOT_FOUND = "unable to find global config[category:{category}, name:{name}]"  # (approx)
CONFIG_BAD_VALUE = "the value[{value}] is not a valid value for global config[category:{category}, name:{name}], valid values are {valid}"  # (approx)
