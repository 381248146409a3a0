# shellcheck shell=bash
# The eda stage of scripts/test: the real ansible-rulebook (PyPI, pinned in
# requirements-eda.txt, in its own venv .venvs/eda so that it cannot disturb the
# dev venv's ansible-core) runs the collection's rulebook
# zstack.cloud.continuous_compliance against the simulator (tests/eda, pytest from
# the dev venv): a drift made through the simulator's control plane reaches the
# rulebook as an event and runs the check playbook for that host only; with
# remediation on, the host is brought back to Matched.
#
# ansible-rulebook needs a Java 17+ runtime (scripts/bootstrap installs Debian's
# openjdk-17-jre-headless). When it cannot run here, the stage says why and
# counts as skipped; under CI (CI=true) that is a failure. The event source's
# unit tests (tests/unit/extensions) run in the units stage either way.
#
# Sourced by scripts/test after scripts/lib/common.sh and scripts/lib/venvs.sh;
# uses its helpers counts, LOGDIR, BUILD, BUILD_ROOT, VENV_PY.

EDA_PY="3.12"
EDA_REQ="${ROOT}/requirements-eda.txt"

# eda_cannot_run VENV_DIR: prints why ansible-rulebook cannot run (nothing when it can).
eda_cannot_run() {
    local venv="$1" major out
    major="$(java_major)"
    if ((major < 17)); then
        if ((major == 0)); then
            echo "no java on PATH: ansible-rulebook needs a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless; scripts/bootstrap does it as root)"
        else
            echo "java is version ${major}: ansible-rulebook needs Java 17+ (Debian: apt-get install openjdk-17-jre-headless)"
        fi
        return 0
    fi
    if ! out="$("$venv/bin/ansible-rulebook" --version 2>&1)"; then
        echo "ansible-rulebook --version failed: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
    fi
}

stage_eda() {
    local venv problem rc junit="$LOGDIR/eda-junit"
    if ! venv="$(ensure_venv eda "$EDA_REQ" "$EDA_PY")"; then
        problem="the pinned requirements-eda.txt could not be installed into .venvs/eda (see above)"
    else
        problem="$(eda_cannot_run "$venv")"
    fi
    if [[ -n "$problem" ]]; then
        echo "eda: ansible-rulebook cannot run on this machine: ${problem}"
        echo "eda: the event source's unit tests (tests/unit/extensions) still run in the units stage"
        if [[ "${CI:-}" == true ]]; then
            echo "FAIL: CI must run the eda stage"
            counts 0 1
            return 1
        fi
        counts 0 0 1
        return 0
    fi
    "$venv/bin/ansible-rulebook" --version
    cd "$BUILD" || return 1
    rm -rf "$junit"
    ZSTACK_EDA_VENV="$venv" ANSIBLE_COLLECTIONS_PATH="$BUILD_ROOT" \
        "$VENV_PY" -m pytest -p no:cacheprovider -v tests/eda --junitxml "$junit/eda.xml"
    rc=$?
    # shellcheck disable=SC2046
    counts $("$VENV_PY" "$ROOT/scripts/lib/results.py" junit "$junit")
    return "$rc"
}
