# shellcheck shell=bash
# Release-readiness checks with the dev venv: stage release of scripts/test.
# Sourced by scripts/test after scripts/lib/common.sh; uses counts, BUILD,
# BUILD_ROOT, VENV_PY.
#
#   release   - changelogs/changelog.yaml passes `antsibull-changelog
#               lint-changelog-yaml`;
#             - when galaxy.yml's version is already a release in it (the
#               release is being prepared): every fragment in
#               changelogs/fragments/ is recorded in changelog.yaml and
#               CHANGELOG.md is exactly what `antsibull-changelog generate`
#               makes of it (fix: `antsibull-changelog release
#               --update-existing`, then commit both files);
#             - meta/runtime.yml: requires_ansible is set, plugin_routing is
#               present, and every module listed in action_groups exists;
#             - galaxy.yml's version is a semantic version.

stage_release() {
    local passed=0 failed=0 tmp version
    cd "$BUILD" || return 1
    check() { # check DESCRIPTION COMMAND...
        local what="$1"
        shift
        if "$@"; then
            echo "ok:   $what"
            passed=$((passed + 1))
        else
            echo "FAIL: $what"
            failed=$((failed + 1))
        fi
    }
    check "changelogs/changelog.yaml is valid (antsibull-changelog lint-changelog-yaml)" \
        antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
    version="$("$VENV_PY" -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')"
    check "galaxy.yml version ${version} is a semantic version" \
        "$VENV_PY" -c 'import sys, semantic_version; semantic_version.Version(sys.argv[1])' "$version"
    if "$VENV_PY" - "$version" <<'PY'
import sys, yaml
data = yaml.safe_load(open('changelogs/changelog.yaml'))
sys.exit(0 if sys.argv[1] in (data.get('releases') or {}) else 1)
PY
    then
        check "every fragment is recorded in release ${version} of changelogs/changelog.yaml" \
            "$VENV_PY" - "$version" <<'PY'
import os, sys, yaml
data = yaml.safe_load(open('changelogs/changelog.yaml'))
known = set()
for release in (data.get('releases') or {}).values():
    known.update(release.get('fragments') or [])
present = {f for f in os.listdir('changelogs/fragments') if f.endswith(('.yml', '.yaml'))}
missing = sorted(present - known)
for name in missing:
    print('  not in changelog.yaml: changelogs/fragments/%s' % name)
if missing:
    print('  run `antsibull-changelog release --update-existing` (ANSIBLE_COLLECTIONS_PATH set to the folder that holds'
          ' ansible_collections/) and commit changelogs/changelog.yaml and CHANGELOG.md')
sys.exit(1 if missing else 0)
PY
        tmp="$(mktemp -d "${TMPDIR:-/tmp}/zstack-release.XXXXXX")"
        mkdir -p "$tmp/ansible_collections/zstack"
        cp -a "$BUILD" "$tmp/ansible_collections/zstack/cloud"
        rm -rf "$tmp/ansible_collections/zstack/cloud/tests/output"
        (cd "$tmp/ansible_collections/zstack/cloud" &&
            ANSIBLE_COLLECTIONS_PATH="$tmp" antsibull-changelog generate >/dev/null 2>&1)
        check "CHANGELOG.md is what antsibull-changelog generate makes of changelogs/changelog.yaml" \
            diff -u "$BUILD/CHANGELOG.md" "$tmp/ansible_collections/zstack/cloud/CHANGELOG.md"
        rm -rf "$tmp"
    else
        echo "note: ${version} is not a release in changelogs/changelog.yaml yet: fragments are collected for it"
    fi
    check "meta/runtime.yml: requires_ansible, plugin_routing, action_groups name existing modules" \
        "$VENV_PY" - <<'PY'
import os, sys, yaml
rt = yaml.safe_load(open('meta/runtime.yml'))
ok = True
if not rt.get('requires_ansible'):
    print('  requires_ansible is missing'); ok = False
if not isinstance(rt.get('plugin_routing'), dict):
    print('  plugin_routing is missing (keep an empty structure for future renames)'); ok = False
routed = set((rt.get('plugin_routing') or {}).get('modules') or {})
for group, names in (rt.get('action_groups') or {}).items():
    for name in names:
        if isinstance(name, dict):
            continue
        short = name.split('.')[-1]
        if not os.path.exists('plugins/modules/%s.py' % short) and short not in routed:
            print('  action group %s names %s, which is no module' % (group, name)); ok = False
sys.exit(0 if ok else 1)
PY
    counts "$passed" "$failed"
    return $((failed > 0))
}
