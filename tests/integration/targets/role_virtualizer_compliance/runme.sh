#!/usr/bin/env bash
# Integration test of the zstack.cloud.virtualizer_compliance role against the simulator.
#
# The simulator's URL and the Pythons come from ../setup_zstack_sim/env.sh. For a manual run:
#   ZSTACK_SIM_URL=http://127.0.0.1:PORT ./runme.sh
# Each test_*.yml is a playbook with setup (reset the simulator), test (run the role) and
# assert phases. test_check_mode.yml runs with --check. check_html.py then checks the HTML
# report in headless Chromium (skipped only when chromium is absent AND CI is unset).
set -eux

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tests/integration/targets/setup_zstack_sim/env.sh
source "${here}/../setup_zstack_sim/env.sh"
PY="$TEST_PY"  # the modules' interpreter: the Python ansible-test runs this target with
target_work role_virtualizer_compliance
out="$WORK"
cd "$here"

play() {
    ansible-playbook -i localhost, -c local \
        -e "ansible_python_interpreter=${PY}" -e "zstack_sim_url=${SIM_URL}" -e "rvc_out=${out}" "$@"
}

play test_compliant.yml
play test_check_mode.yml --check
play test_policies.yml
play test_remediate.yml
play test_cap_budget.yml
play test_job_failure.yml
play test_host_methods.yml
play test_vm_fallback.yml
play test_inputs.yml
play test_batch_error.yml
# an interpreter that logs each module it runs: on the controller, the role's reads start none
module_log="${out}/module_runs.log"
# shellcheck disable=SC2016  # "$1" is the shim's own argument, written literally
printf '#!/bin/sh\necho "$1" >> "%s"\nexec "%s" "$@"\n' "$module_log" "$(command -v "$PY")" > "${out}/module_python"
chmod +x "${out}/module_python"
play test_reads_here.yml --check -e "ansible_python_interpreter=${out}/module_python" -e "rvc_module_log=${module_log}"


"$PY" "${here}/check_html.py" "${out}/remediate/virtualizer-compliance.html" "${out}/remediate/virtualizer-compliance.json" "${out}/html"
"$PY" "${here}/check_html.py" "${out}/check_mode/virtualizer-compliance.html" "${out}/check_mode/virtualizer-compliance.json" "${out}/html-check"
# a run that acted (migrations with their seconds) and left one resource failing
"$PY" "${here}/check_html.py" "${out}/cap_budget/virtualizer-compliance.html" "${out}/cap_budget/virtualizer-compliance.json" "${out}/html-cap"
