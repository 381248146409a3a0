#!/usr/bin/env bash
# Bad answers and bad inputs through real ansible-playbook runs of the role and the modules, faults
# injected with the simulator's control plane; cases.py drives them and prints the figures.
# For a manual run: ZSTACK_SIM_URL=http://127.0.0.1:PORT ./runme.sh
set -eu

here="$(cd "$(dirname "$0")" && pwd)"
config="${here}/../../integration_config.yml"

yaml_value() {
    sed -n "s/^$1:[[:space:]]*//p" "$config" 2>/dev/null | head -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"
}

SIM_URL="${ZSTACK_SIM_URL:-$(yaml_value zstack_sim_url)}"
PY="${ZSTACK_SIM_PYTHON:-$(yaml_value zstack_sim_python)}"
PY="${PY:-${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}}"
SIM_SRC="${ZSTACK_SIM_SRC:-$(yaml_value zstack_sim_src)}"
SIM_SRC="${SIM_SRC:-${here}/../../../simulator}"
if [[ -z "$SIM_URL" ]]; then
    echo "no simulator URL: set zstack_sim_url in ${config} or ZSTACK_SIM_URL" >&2
    exit 1
fi
work="${OUTPUT_DIR:-$(mktemp -d)}/hardening_answers"
rm -rf "$work"
mkdir -p "$work"
PYTHONPATH="${SIM_SRC}${PYTHONPATH:+:${PYTHONPATH}}" exec "$PY" "$here/cases.py" "$SIM_URL" "$work" "$PY"
