# shellcheck shell=bash
# Shared helpers of the development scripts (sourced, never executed).
# Paths: ROOT (the repo = collection root), VENV (.venv), BUILD_ROOT (.build,
# the folder that contains ansible_collections/) and BUILD (the build copy).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
VENV="${ROOT}/.venv"
VENV_PY="${VENV}/bin/python"
BUILD_ROOT="${ROOT}/.build"
BUILD="${BUILD_ROOT}/ansible_collections/zstack/cloud"
export ROOT VENV VENV_PY BUILD_ROOT BUILD

# set_build_root DIR: build the collection copy under DIR/ansible_collections.
set_build_root() {
    BUILD_ROOT="$1"
    BUILD="${BUILD_ROOT}/ansible_collections/zstack/cloud"
    export BUILD_ROOT BUILD
}

# HOME may be unset, empty or brand new (CI): ansible-test keeps its venvs and
# the get-pip stand-in under ~/.ansible/test, so HOME must be a real folder.
if [[ -z "${HOME:-}" ]]; then
    export HOME="${BUILD_ROOT}/home"
fi
mkdir -p "${HOME}"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# find_python MAJOR.MINOR: print the path of a working interpreter of that
# version. Candidates are EXECUTED (pyenv shims on PATH exist but fail).
find_python() {
    local want="$1" cand real
    local -a cands=()
    [[ -n "${ZSTACK_DEV_PYTHON:-}" ]] && cands+=("${ZSTACK_DEV_PYTHON}")
    local pyenv_root
    for pyenv_root in "${PYENV_ROOT:-}" "${HOME:-/nonexistent}/.pyenv" /root/.pyenv /opt/pyenv; do
        [[ -n "$pyenv_root" && -d "$pyenv_root/versions" ]] || continue
        for cand in "$pyenv_root"/versions/"$want"*/bin/python"$want" "$pyenv_root"/versions/"$want"*/bin/python; do
            [[ -x "$cand" ]] && cands+=("$cand")
        done
    done
    cands+=("python$want" "/usr/bin/python$want" "/usr/local/bin/python$want" python3 python)
    for cand in "${cands[@]}"; do
        real="$("$cand" -c "import sys; print(sys.executable if '%d.%d' % sys.version_info[:2] == '$want' else '')" 2>/dev/null)" || continue
        if [[ -n "$real" && -x "$real" ]]; then
            printf '%s\n' "$real"
            return 0
        fi
    done
    return 1
}

# java_major: the major version of the java on PATH (0 when there is none).
java_major() {
    local v
    v="$(java -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')"
    v="${v#1.}"
    v="${v%%[.+-]*}"
    [[ "$v" =~ ^[0-9]+$ ]] && printf '%s\n' "$v" || echo 0
}

# venv_env: put the dev venv first on PATH (ansible-test --python 3.12 then
# finds .venv/bin/python3.12, never a pyenv shim).
venv_env() {
    export PATH="${VENV}/bin:${PATH}"
    export VIRTUAL_ENV="${VENV}"
    unset PYTHONHOME
}

# build_copy: refresh the build copy that ansible-test, ansible-lint and
# ansible-galaxy work on: every file git lists (tracked and untracked-but-not-
# ignored, so new files are tested too), with its OWN git repository (without
# it ansible-test walks up to the outer repo, lists nothing and passes).
build_copy() {
    local f
    rm -rf "${BUILD_ROOT}/ansible_collections"
    mkdir -p "${BUILD}"
    (
        cd "${ROOT}" || exit 1
        git ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' f; do
                # skip tracked files deleted in the work tree
                if [[ -e "$f" || -L "$f" ]]; then printf '%s\0' "$f"; fi
            done |
            tar --null -T - -cf -
    ) | tar -xf - -C "${BUILD}"
    (
        cd "${BUILD}" || exit 1
        git init -q
        git add -A
        git -c user.name=zstack-cloud-ci -c user.email=ci@localhost.invalid \
            -c commit.gpgsign=false commit -q --no-verify -m "build copy" >/dev/null
    )
}
