# shellcheck shell=bash
# The simulator and the Pythons of the runme.sh targets, in one place. A target that needs it has
# needs/target/setup_zstack_sim in its aliases and sources this file:
#
#   here="$(cd "$(dirname "$0")" && pwd)"
#   source "${here}/../setup_zstack_sim/env.sh"
#
# scripts/test starts the simulator and writes its URL into tests/integration/integration_config.yml
# (ansible-test passes that file to playbook targets as extra vars; a runme.sh reads it here).
# For a manual run: ZSTACK_SIM_URL=http://127.0.0.1:PORT ./runme.sh
#
#   SIM_URL   the simulator's base URL: ZSTACK_SIM_URL, else zstack_sim_url
#   SIM_PY    a Python with the simulator's packages (for its control plane, relays, checks):
#             ZSTACK_SIM_PYTHON, else zstack_sim_python, else the Python ansible-test runs
#   TEST_PY   the Python ansible-test runs the target with (the modules' interpreter), else zstack_sim_python
#   SIM_SRC   the simulator's sources: ZSTACK_SIM_SRC, else zstack_sim_src, else tests/simulator
#   target_work NAME          sets WORK to a new, empty work directory for the target (under OUTPUT_DIR)
#   sim METHOD PATH [JSON]    a call to the simulator's control plane (/_sim/...); prints the answer

zstack_sim_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
zstack_sim_config="${zstack_sim_here}/../../integration_config.yml"

zstack_sim_value() {  # a top-level "key: value" of integration_config.yml, quotes removed
    sed -n "s/^$1:[[:space:]]*//p" "$zstack_sim_config" 2>/dev/null | head -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"
}

SIM_URL="${ZSTACK_SIM_URL:-$(zstack_sim_value zstack_sim_url)}"
SIM_PY="${ZSTACK_SIM_PYTHON:-$(zstack_sim_value zstack_sim_python)}"
SIM_PY="${SIM_PY:-${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}}"
TEST_PY="${ANSIBLE_TEST_PYTHON_INTERPRETER:-$(zstack_sim_value zstack_sim_python)}"
TEST_PY="${TEST_PY:-python3}"
SIM_SRC="${ZSTACK_SIM_SRC:-$(zstack_sim_value zstack_sim_src)}"
SIM_SRC="${SIM_SRC:-${zstack_sim_here}/../../../simulator}"
export SIM_URL SIM_PY TEST_PY SIM_SRC
if [[ -z "$SIM_URL" ]]; then
    echo "no simulator URL: set zstack_sim_url in ${zstack_sim_config} or ZSTACK_SIM_URL" >&2
    exit 1
fi

target_work() {  # not in $(...): there set -e would not stop the target when a step here fails
    WORK="${OUTPUT_DIR:-}"
    if [[ -z "$WORK" ]]; then
        WORK="$(mktemp -d)"
    fi
    WORK="${WORK}/$1"
    rm -rf "$WORK"
    mkdir -p "$WORK"
}

sim() {
    "$SIM_PY" "${zstack_sim_here}/sim.py" "$SIM_URL" "$@"
}
