#!/usr/bin/env bash
# Secrets and sessions of the zstack.cloud.virtualizer_compliance role at -vvv.
#
# Runs the role against the simulator through recorder.py (a TCP relay that notes every session
# id), with a known password, then checks that the password, its SHA-512 hex, every session id
# and the access key secret appear nowhere in stdout, stderr or the reports, and that every
# session the role opened was logged out (the active-session counter is back where it started).
# Then the same run under a proxy answering 502: a failure naming the status, no traceback, no
# session left open, no secret in the output.
# The module and the inventory plugin are covered by tests/unit/hardening.
# For a manual run: ZSTACK_SIM_URL=http://127.0.0.1:PORT ./runme.sh (see ../setup_zstack_sim/env.sh)
set -eu

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tests/integration/targets/setup_zstack_sim/env.sh
source "${here}/../setup_zstack_sim/env.sh"
PY="$SIM_PY"  # recorder.py relays with the simulator's zstack_simulator.relay (SIM_SRC)

PASSWORD='Hs-r0le-pa55w0rd-4b1e!'
AK_SECRET='hsAccessKeySecret-31d7c0e5a9b24f68'
ADMIN_UUID=36c27e8ff05c4780bf6d2fa65700f22e
KVM1=a948c4699d993322c62f116627d20232  # demo fleet: kvm-1 (Matched)

target_work hardening_secrets
work="$WORK"
mkdir -p "$work/private" "$work/reports"

recorder_pid=""
# shellcheck disable=SC2329  # invoked by the EXIT trap
cleanup() {
    [[ -n "$recorder_pid" ]] && kill "$recorder_pid" 2>/dev/null || true
    sim POST /_sim/reset '{"fleet": "demo"}' >/dev/null || true
}
trap cleanup EXIT

sim POST /_sim/reset "{\"fleet\": \"demo\", \"accounts\": [{\"name\": \"admin\", \"password\": \"${PASSWORD}\", \"uuid\": \"${ADMIN_UUID}\"}], \"access_keys\": [{\"id\": \"hsAccessKeyId\", \"secret\": \"${AK_SECRET}\"}]}" >/dev/null

PYTHONPATH="${SIM_SRC}${PYTHONPATH:+:${PYTHONPATH}}" "$PY" "$here/recorder.py" "$SIM_URL" "$work/recorder.url" "$work/sessions.txt" &
recorder_pid=$!
for _ in $(seq 1 100); do [[ -s "$work/recorder.url" ]] && break; sleep 0.1; done
REC_URL="$(cat "$work/recorder.url")"
: >"$work/sessions.txt"

# the VM list comes from the simulator: every running VM of kvm-1
uuids="[\"${KVM1}\"]"
printf '{"hs_password": "%s", "hs_url": "%s", "hs_reports": "%s", "hs_uuids": %s, "ansible_python_interpreter": "%s"}\n' \
    "$PASSWORD" "$REC_URL" "$work/reports" "$uuids" "$PY" >"$work/private/vars.json"

before="$(sim GET /_sim/counters | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["active_sessions"])')"
set +e
ANSIBLE_NOCOLOR=1 ansible-playbook -i localhost, -c local "$here/role.yml" -e "@$work/private/vars.json" -vvv \
    >"$work/stdout.txt" 2>"$work/stderr.txt"
rc=$?
set -e
after_json="$(sim GET /_sim/counters)"
after="$(echo "$after_json" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["active_sessions"])')"
echo "role run: exit ${rc}; $(grep -c '' "$work/stdout.txt") lines of stdout; active sessions ${before} -> ${after}"
if [[ "$rc" -ne 0 ]]; then
    tail -n 40 "$work/stdout.txt" "$work/stderr.txt"
    echo "FAIL: the role run itself failed" >&2
    exit 1
fi
ls "$work/reports"
[[ -n "$(ls -A "$work/reports")" ]] || { echo "FAIL: the role wrote no report" >&2; exit 1; }

status=0
"$PY" "$here/scan.py" "$work/sessions.txt" "$PASSWORD" "$AK_SECRET" \
    "$work/stdout.txt" "$work/stderr.txt" "$work/reports" || status=1
if [[ "$after" -ne "$before" ]]; then
    echo "FAIL: sessions left open: $((after - before))" >&2
    status=1
fi

# A proxy in front of the management node answers 502 to every GetVirtualizerInfo: the role must stop
# with a message that names the status, without a traceback, and still close its sessions.
sim POST /_sim/faults '{"status": 502, "body": "Bad Gateway (nginx)", "method": "GET", "path": "/v1/vm-instances/virtualizer-info", "count": 100}' >/dev/null
before="$(sim GET /_sim/counters | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["active_sessions"])')"
: >"$work/sessions.txt"
set +e
ANSIBLE_NOCOLOR=1 ansible-playbook -i localhost, -c local "$here/role.yml" -e "@$work/private/vars.json" \
    >"$work/fault-stdout.txt" 2>"$work/fault-stderr.txt"
set -e
sim DELETE /_sim/faults >/dev/null
after="$(sim GET /_sim/counters | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["active_sessions"])')"
if ! grep -q 'HTTP 502' "$work/fault-stdout.txt"; then
    tail -n 30 "$work/fault-stdout.txt"
    echo "FAIL: the role's failure under a 502 does not name the status" >&2
    status=1
fi
if grep -q 'Traceback' "$work/fault-stdout.txt" "$work/fault-stderr.txt"; then
    echo "FAIL: a traceback in the role's output under a 502" >&2
    status=1
fi
if [[ "$after" -ne "$before" ]]; then
    echo "FAIL: sessions left open after the 502 failure: $((after - before))" >&2
    status=1
fi
"$PY" "$here/scan.py" "$work/sessions.txt" "$PASSWORD" "$AK_SECRET" "$work/fault-stdout.txt" "$work/fault-stderr.txt" || status=1

echo "hardening_secrets: secret scan, session count and 502 failure done (status ${status})"
exit "$status"
