# shellcheck shell=bash
# Start and stop the ZStack REST simulator (tests/simulator) from the dev venv.
# Used by the integration stage of scripts/test and by scripts/demo.
#
#   sim_start SRC_ROOT LOGFILE   sets SIM_PID, SIM_URL, SIM_PORT
#   sim_stop                     idempotent; safe in an EXIT trap
#
# SRC_ROOT is a collection root that holds tests/simulator. Set SIM_SEED to
# change the fleet (default: demo).

SIM_PID=""
SIM_URL=""
SIM_PORT=""
SIM_TMP=""

sim_start() {
    local src="$1" logfile="$2" py="${VENV_PY:-python}" waited=0 content=""
    SIM_TMP="$(mktemp -d "${TMPDIR:-/tmp}/zstack-sim.XXXXXX")"
    local port_file="${SIM_TMP}/port"
    PYTHONPATH="${src}/tests/simulator${PYTHONPATH:+:${PYTHONPATH}}" \
        "$py" -m zstack_simulator --host 127.0.0.1 --port 0 \
        --seed "${SIM_SEED:-demo}" --port-file "$port_file" \
        >"$logfile" 2>&1 </dev/null &
    SIM_PID=$!
    # wait up to 30 s for the port file
    while (( waited < 300 )); do
        if [[ -s "$port_file" ]]; then
            content="$(tr -d '[:space:]' <"$port_file")"
            [[ -n "$content" ]] && break
        fi
        if ! kill -0 "$SIM_PID" 2>/dev/null; then
            printf 'ERROR: the simulator exited before it wrote its port file; its log (%s):\n' "$logfile" >&2
            tail -n 30 "$logfile" >&2 || true
            SIM_PID=""
            return 1
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    if [[ -z "$content" ]]; then
        printf 'ERROR: the simulator wrote no port file within 30 s; its log (%s):\n' "$logfile" >&2
        tail -n 30 "$logfile" >&2 || true
        sim_stop
        return 1
    fi
    # The port file holds the port number (or a whole URL).
    if [[ "$content" == http* ]]; then
        SIM_URL="$content"
        SIM_PORT="${content##*:}"
        SIM_PORT="${SIM_PORT%%/*}"
    else
        SIM_PORT="$content"
        SIM_URL="http://127.0.0.1:${content}"
    fi
    export SIM_URL SIM_PORT SIM_PID
    return 0
}

sim_stop() {
    if [[ -n "${SIM_PID}" ]] && kill -0 "${SIM_PID}" 2>/dev/null; then
        kill -TERM "${SIM_PID}" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "${SIM_PID}" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "${SIM_PID}" 2>/dev/null || true
        wait "${SIM_PID}" 2>/dev/null || true
    fi
    SIM_PID=""
    if [[ -n "${SIM_TMP}" ]]; then
        rm -rf "${SIM_TMP}"
        SIM_TMP=""
    fi
    return 0
}
