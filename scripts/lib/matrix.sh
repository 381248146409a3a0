# shellcheck shell=bash
# The oldest end of the supported ansible-core range (meta/runtime.yml
# requires_ansible ">=2.18.0"): stages sanity-oldest, units-oldest and integration-oldest of
# scripts/test. The newest end (ansible-core 2.21 on Python 3.12, .venv) is
# what the stages sanity and units test.
#
# Sourced by scripts/test after scripts/lib/common.sh and scripts/lib/venvs.sh;
# uses its helpers counts, guard_all_skipped, LOGDIR, VENV_PY.
#
# Each stage:
#  - makes .venvs/ansible-2.18 from requirements-matrix-2.18.txt (Python 3.11),
#    and the get-pip stand-in for the pip version that ansible-test 2.18 wants;
#  - refreshes its own build copy .build/oldest/ansible_collections/zstack/cloud
#    (git-listed files, its own `git init`: toolchain trap 3);
#  - runs ansible-test of ansible-core 2.18 with that venv first on PATH and
#    an explicit --python 3.11 (trap 2). No ignore entries allowed either.

MATRIX_CORE="2.18"
MATRIX_PY="3.11"
MATRIX_REQ="${ROOT}/requirements-matrix-${MATRIX_CORE}.txt"
MATRIX_VENV_NAME="ansible-${MATRIX_CORE}"

# matrix_prepare: venv + stand-in + build copy; sets MATRIX_BUILD and PATH.
matrix_prepare() {
    local venv
    venv="$(ensure_venv "$MATRIX_VENV_NAME" "$MATRIX_REQ" "$MATRIX_PY")" || return 1
    ensure_get_pip_standin "$venv/bin/python" || return 1
    export PATH="${venv}/bin:${PATH}"
    export VIRTUAL_ENV="$venv"
    set_build_root "${BUILD_ROOT}/oldest"
    MATRIX_BUILD="$BUILD"
    build_copy || { echo "ERROR: could not create the build copy in $MATRIX_BUILD"; return 1; }
    local core
    core="$("$venv/bin/python" -c 'from ansible.release import __version__ as v; print(v)')" || return 1
    echo "ansible-core ${core} ($(command -v ansible-test)), Python ${MATRIX_PY}, build copy ${MATRIX_BUILD#"$ROOT"/}"
    [[ "$core" == "${MATRIX_CORE}".* ]] || {
        echo "ERROR: .venvs/${MATRIX_VENV_NAME} has ansible-core ${core}, not ${MATRIX_CORE}.x"
        return 1
    }
    cd "$MATRIX_BUILD" || return 1
}

stage_sanity_oldest() {
    local f bad=0 log="$LOGDIR/sanity-oldest.ansible-test.log" rc
    matrix_prepare || return 1
    for f in tests/sanity/ignore-*.txt; do
        [[ -e "$f" ]] || continue
        if grep -v -E '^[[:space:]]*(#|$)' "$f"; then
            echo "ERROR: $f has entries; fix the code instead of ignoring sanity errors"
            bad=1
        fi
    done
    # shellcheck disable=SC2086  # ZSTACK_SANITY_ARGS: extra words, e.g. "--test pep8"
    ansible-test sanity --venv --python "$MATRIX_PY" ${ZSTACK_SANITY_ARGS:-} 2>&1 | tee "$log"
    rc="${PIPESTATUS[0]}"
    # shellcheck disable=SC2046
    counts $("$VENV_PY" "$ROOT/scripts/lib/results.py" sanity "$log" "$rc")
    guard_all_skipped "$log" sanity || return 1
    return $((rc || bad))
}

stage_units_oldest() {
    # one ansible-test run per test context, as in stage units
    local log="$LOGDIR/units-oldest.ansible-test.log" rc=0 one f group
    local -a modules=() module_utils=() controller=()
    matrix_prepare || return 1
    while IFS= read -r -d '' f; do
        case "$f" in
            tests/unit/plugins/modules/*) modules+=("$f") ;;
            tests/unit/plugins/module_utils/*) module_utils+=("$f") ;;
            *) controller+=("$f") ;;
        esac
    done < <(find tests/unit -name 'test_*.py' -print0 2>/dev/null | sort -z)
    if ((${#modules[@]} + ${#module_utils[@]} + ${#controller[@]} == 0)); then
        echo "no unit tests under tests/unit"
        counts 0 0
        return 0
    fi
    rm -rf tests/output/junit
    : >"$log"
    for group in modules module_utils controller; do
        local -n files="$group"
        ((${#files[@]})) || { unset -n files; continue; }
        echo "---- unit tests: $group context (${#files[@]} files)"
        ansible-test units --local --python "$MATRIX_PY" "${files[@]}" 2>&1 | tee -a "$log"
        one="${PIPESTATUS[0]}"
        ((one == 0)) || rc="$one"
        unset -n files
    done
    # shellcheck disable=SC2046
    counts $("$VENV_PY" "$ROOT/scripts/lib/results.py" junit tests/output/junit)
    guard_all_skipped "$log" unit || return 1
    return "$rc"
}

stage_integration_oldest() {
    # the role's steps run on one path on every ansible-core: its target runs here too (modules under the
    # matrix venv's Python, which has requests; the simulator from .venv)
    matrix_prepare || return 1
    # shellcheck disable=SC2086  # ZSTACK_OLDEST_INTEGRATION_TARGETS: target names
    run_integration "$MATRIX_PY" "$VIRTUAL_ENV/bin/python" integration-oldest ${ZSTACK_OLDEST_INTEGRATION_TARGETS:-role_virtualizer_compliance}
}
