#!/usr/bin/env bash
# Integration test of the zstack.cloud.virtualizer_compliance role against the simulator.
#
# The harness writes the simulator URL into tests/integration/integration_config.yml;
# a runme.sh target reads that file itself. For a manual run:
#   ZSTACK_SIM_URL=http://127.0.0.1:PORT ./runme.sh
# Each test_*.yml is a playbook with setup (reset the simulator), test (run the role) and
# assert phases. test_check_mode.yml runs with --check. check_html.py then checks the HTML
# report in headless Chromium (skipped only when chromium is absent AND CI is unset).
set -eux

here="$(cd "$(dirname "$0")" && pwd)"
config="${here}/../../integration_config.yml"

yaml_value() {
    sed -n "s/^$1:[[:space:]]*//p" "$config" 2>/dev/null | head -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"
}

SIM_URL="${ZSTACK_SIM_URL:-$(yaml_value zstack_sim_url)}"
PY="${ANSIBLE_TEST_PYTHON_INTERPRETER:-$(yaml_value zstack_sim_python)}"
PY="${PY:-python3}"
if [[ -z "$SIM_URL" ]]; then
    echo "no simulator URL: set zstack_sim_url in ${config} or ZSTACK_SIM_URL" >&2
    exit 1
fi

out="${OUTPUT_DIR:-$(mktemp -d)}/role_virtualizer_compliance"
rm -rf "$out"
mkdir -p "$out"
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
