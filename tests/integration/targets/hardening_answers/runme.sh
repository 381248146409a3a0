#!/usr/bin/env bash
# Bad answers and bad inputs through real ansible-playbook runs of the role and the modules, faults
# injected with the simulator's control plane; cases.py drives them and prints the figures.
# For a manual run: ZSTACK_SIM_URL=http://127.0.0.1:PORT ./runme.sh (see ../setup_zstack_sim/env.sh)
set -eu

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tests/integration/targets/setup_zstack_sim/env.sh
source "${here}/../setup_zstack_sim/env.sh"
target_work hardening_answers
work="$WORK"
PYTHONPATH="${SIM_SRC}${PYTHONPATH:+:${PYTHONPATH}}" exec "$SIM_PY" "$here/cases.py" "$SIM_URL" "$work" "$SIM_PY"
