# shellcheck shell=bash
# Extra pinned virtual environments under .venvs/ (git-ignored), next to the
# main .venv of scripts/bootstrap. Sourced after scripts/lib/common.sh.
#
# ensure_venv NAME REQUIREMENTS PYTHON_VERSION
#   .venvs/NAME on a real Python PYTHON_VERSION (found by executing candidates,
#   never a pyenv shim), with REQUIREMENTS installed; reinstalled only when the
#   requirements file or the Python version changed (stamp .venvs/NAME/.stamp).
#   Prints the venv's folder. One install per venv at a time (flock).
# ensure_get_pip_standin VENV_PYTHON
#   the offline get-pip stand-in (toolchain trap 1) for the pip version that
#   the ansible-test of that venv bootstraps into its sanity venvs.

VENVS_ROOT="${ROOT}/.venvs"

ensure_venv() {
    local name="$1" req="$2" pyver="$3" dir python want
    dir="${VENVS_ROOT}/${name}"
    [[ -f "$req" ]] || { echo "ERROR: no requirements file $req" >&2; return 1; }
    mkdir -p "$VENVS_ROOT"
    (
        exec 7>"${VENVS_ROOT}/.${name}.lock"
        flock 7
        want="$(sha256sum "$req" | cut -d' ' -f1) ${pyver}"
        if [[ -x "$dir/bin/python" ]] && ! "$dir/bin/python" -c 'import sys' 2>/dev/null; then
            rm -rf "$dir"
        fi
        if [[ -x "$dir/bin/python" && "$(cat "$dir/.stamp" 2>/dev/null || true)" == "$want" ]]; then
            log ".venvs/${name} is up to date with ${req#"$ROOT"/}"
            exit 0
        fi
        rm -rf "$dir"
        python="$(find_python "$pyver")" || {
            echo "ERROR: no working Python ${pyver} for .venvs/${name}" >&2
            exit 1
        }
        log "creating .venvs/${name} with ${python} (log: .venvs/${name}/pip-install.log)"
        "$python" -m venv "$dir" || exit 1
        if ! "$dir/bin/python" -m pip install --disable-pip-version-check -r "$req" >"$dir/pip-install.log" 2>&1; then
            grep -v "is neither a file nor a directory" "$dir/pip-install.log" | tail -n 40 >&2
            echo "ERROR: pip install -r ${req#"$ROOT"/} into .venvs/${name} failed" >&2
            exit 1
        fi
        printf '%s\n' "$want" >"$dir/.stamp"
    ) >&2 || return 1
    printf '%s\n' "$dir"
}

ensure_get_pip_standin() {
    local py="$1" pip_version cache_dir standin
    pip_version="$("$py" - <<'PY'
import os, re, ansible_test
path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
with open(path, encoding='utf-8') as f:
    m = re.search(r"""\bpip=['"]([0-9.]+)['"]""", f.read())
print(m.group(1) if m else '')
PY
)"
    [[ -n "$pip_version" ]] || { echo "ERROR: no pip version in $py's ansible_test" >&2; return 1; }
    cache_dir="${HOME}/.ansible/test/cache"
    standin="${cache_dir}/get_pip_${pip_version//./_}.py"
    mkdir -p "$cache_dir"
    cmp -s "${ROOT}/scripts/lib/get_pip_standin.py" "$standin" ||
        cp "${ROOT}/scripts/lib/get_pip_standin.py" "$standin"
}
