# shellcheck shell=bash
# Release checks with tools that live in their own pinned venv (.venvs/tools,
# requirements-tools.txt: galaxy-importer pins packages that clash with the
# dev venv): stages importer and ee of scripts/test.
#
# Sourced by scripts/test after scripts/lib/common.sh and scripts/lib/venvs.sh;
# uses its helpers counts, LOGDIR, BUILD, VENV_PY.
#
#   importer  ansible-galaxy collection build of the build copy, then
#             galaxy-importer on that tarball, offline and without a container
#             runtime (config written by tools_importer_config: no ansible-test
#             run, ansible-lint offline, ansible-doc, changelog and Galaxy tag
#             checks on). Any ERROR or WARNING line of the importer fails.
#   ee        the collection's own EE metadata and the example EE definition:
#             the built tarball installed into a scratch collections path,
#             `ansible-builder introspect` must report every line of
#             meta/ee-requirements.txt for zstack.cloud, and
#             `ansible-builder create` of docs/execution-environment/ and of
#             docs/decision-environment/ must write a build context each
#             (Containerfile + _build/) (no image build: no container runtime
#             here), and `ansible-builder introspect` with the decision
#             environment's own files must list requests (from the collection),
#             ansible-rulebook and Java 17.

TOOLS_PY="3.12"
TOOLS_REQ="${ROOT}/requirements-tools.txt"
EE_EXAMPLE_DIR="docs/execution-environment"
DE_EXAMPLE_DIR="docs/decision-environment"

# tools_prepare: the tools venv first on PATH (prints nothing else).
tools_prepare() {
    local venv
    venv="$(ensure_venv tools "$TOOLS_REQ" "$TOOLS_PY")" || return 1
    export PATH="${venv}/bin:${PATH}"
    export VIRTUAL_ENV="$venv"
    TOOLS_VENV="$venv"
}

# tools_build_tarball DIR: ansible-galaxy build of the build copy into DIR;
# prints the tarball's path.
tools_build_tarball() {
    local out="$1"
    (cd "$BUILD" && ansible-galaxy collection build --force --output-path "$out" . >&2) || return 1
    ls "$out"/zstack-cloud-*.tar.gz
}

# tools_importer_config FILE: an offline galaxy-importer configuration.
tools_importer_config() {
    cat >"$1" <<EOF
[galaxy-importer]
# offline, no container runtime: ansible-test runs in the sanity stages instead
run_ansible_test = False
ansible_test_local_image = False
local_image_docker = False
# ansible-lint with the importer's own profile, offline (no Galaxy)
run_ansible_lint = True
offline_ansible_lint = True
run_ansible_doc = True
# flake8 of plugins/ is covered by sanity (pep8, pylint); the importer's flake8
# also parses the YAML documentation files of filter plugins as Python
run_flake8 = False
check_changelog = True
check_required_tags = True
require_v1_or_greater = True
log_level_main = INFO
tmp_root_dir = $2
EOF
}

stage_importer() {
    local tmp tarball rc problems
    tools_prepare || return 1
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/zstack-importer.XXXXXX")"
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" EXIT
    mkdir -p "$tmp/dist" "$tmp/work"
    tarball="$(tools_build_tarball "$tmp/dist")" || { echo "FAIL: ansible-galaxy collection build"; return 1; }
    tools_importer_config "$tmp/importer.cfg" "$tmp/work"
    echo "galaxy-importer $("$TOOLS_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("galaxy-importer"))') on ${tarball##*/}"
    cd "$tmp" || return 1
    GALAXY_IMPORTER_CONFIG="$tmp/importer.cfg" ANSIBLE_LOCAL_TEMP="$tmp/work/ansible-tmp" \
        python -m galaxy_importer.main --print-result "$tarball" >"$tmp/out" 2>&1
    rc=$?
    # the log lines, then the result JSON (kept in the stage log directory)
    sed -n '/^{/q;p' "$tmp/out"
    sed -n '/^{/,$p' "$tmp/out" >"$LOGDIR/importer.result.json"
    problems="$(grep -c -E '^(ERROR|WARNING|CRITICAL)[: ]' "$tmp/out")"
    if ((rc != 0)) || ! grep -q 'Importer processing completed successfully' "$tmp/out"; then
        echo "FAIL: galaxy-importer exited $rc"
        counts 0 1
        return 1
    fi
    if ((problems > 0)); then
        echo "FAIL: galaxy-importer reported $problems warning(s)/error(s) (above)"
        counts 0 1
        return 1
    fi
    # the result names every module, plugin and role of the collection
    "$VENV_PY" - "$LOGDIR/importer.result.json" <<'PY' || { counts 0 1; return 1; }
import json, sys
data = json.load(open(sys.argv[1], encoding='utf-8'))
contents = data.get('contents') or []
kinds = {}
for item in contents:
    kinds.setdefault(item.get('content_type'), []).append(item.get('name'))
print('importer contents: ' + ', '.join('%s %d' % (k, len(v)) for k, v in sorted(kinds.items())))
if not kinds.get('module') or not kinds.get('role'):
    print('FAIL: the importer found no modules or no roles')
    sys.exit(1)
for item in contents:
    if item.get('content_type') in ('module', 'inventory') and not item.get('description'):
        print('FAIL: %s %s has no description for Galaxy' % (item.get('content_type'), item.get('name')))
        sys.exit(1)
PY
    counts 1 0
}

stage_ee() {
    local tmp tarball inst line bad=0 passed=0 ctx
    tools_prepare || return 1
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/zstack-ee.XXXXXX")"
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" EXIT
    echo "ansible-builder $(ansible-builder --version)"
    # 1. the collection's metadata, as ansible-builder reads it from an installed collection
    tarball="$(tools_build_tarball "$tmp/dist")" || { echo "FAIL: ansible-galaxy collection build"; return 1; }
    ansible-galaxy collection install --offline -p "$tmp/inst" "$tarball" 2>&1 |
        grep -v 'is not part of the configured Ansible collections paths'
    inst="$tmp/inst/ansible_collections/zstack/cloud"
    [[ -f "$inst/meta/execution-environment.yml" ]] || { echo "FAIL: meta/execution-environment.yml is not in the tarball"; return 1; }
    if ansible-builder introspect --sanitize "$tmp/inst" >"$tmp/introspect.yml" 2>&1; then
        cat "$tmp/introspect.yml"
        while IFS= read -r line; do
            line="${line%%#*}"
            line="${line//[[:space:]]/}"
            [[ -n "$line" ]] || continue
            if grep -q -F -- "${line}" "$tmp/introspect.yml"; then
                echo "ok:   introspect lists ${line} for zstack.cloud"
            else
                echo "FAIL: ansible-builder introspect does not list ${line} (meta/ee-requirements.txt)"
                bad=1
            fi
        done <"$BUILD/meta/ee-requirements.txt"
        ((bad)) || passed=$((passed + 1))
    else
        cat "$tmp/introspect.yml"
        echo "FAIL: ansible-builder introspect"
        bad=1
    fi
    # 2. the example EE and DE definitions: a build context each, no image
    local example file
    for example in "${EE_EXAMPLE_DIR}:execution-environment.yml" "${DE_EXAMPLE_DIR}:decision-environment.yml"; do
        file="${example##*:}" example="${example%%:*}" ctx="$tmp/context-${file%%.*}"
        if (cd "$BUILD/$example" && ansible-builder create --file "$file" --context "$ctx" --output-filename Containerfile -v 2) &&
            [[ -f "$ctx/Containerfile" && -d "$ctx/_build" ]]; then
            echo "ok:   ansible-builder create of $example/$file wrote $(find "$ctx" -type f | wc -l) files:"
            (cd "$ctx" && find . -type f | sort | sed 's/^/      /')
            if grep -q 'ansible-galaxy collection install' "$ctx/Containerfile" &&
                grep -q 'zstack.cloud' "$ctx/_build/requirements.yml"; then
                passed=$((passed + 1))
            else
                echo "FAIL: the Containerfile installs no collections, or _build/requirements.yml lacks zstack.cloud"
                bad=1
            fi
        else
            echo "FAIL: ansible-builder create of $example/$file"
            bad=1
        fi
    done
    # 3. the decision environment: the collection's requests plus its own ansible-rulebook and Java
    if ansible-builder introspect --sanitize --user-pip "$BUILD/$DE_EXAMPLE_DIR/requirements.txt" \
        --user-bindep "$BUILD/$DE_EXAMPLE_DIR/bindep.txt" "$tmp/inst" >"$tmp/introspect-de.yml" 2>&1 &&
        grep -q 'requests' "$tmp/introspect-de.yml" && grep -q 'ansible-rulebook' "$tmp/introspect-de.yml" &&
        grep -q 'java-17-openjdk' "$tmp/introspect-de.yml"; then
        echo "ok:   introspect of the decision environment lists requests, ansible-rulebook and java-17-openjdk"
        passed=$((passed + 1))
    else
        cat "$tmp/introspect-de.yml"
        echo "FAIL: ansible-builder introspect of $DE_EXAMPLE_DIR lacks requests, ansible-rulebook or java-17-openjdk"
        bad=1
    fi
    counts "$passed" "$bad"
    return "$bad"
}
