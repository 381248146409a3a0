# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check what the collection tarball holds (stage galaxy of scripts/test): what a user installs, nothing more.

Usage: tarball_contents.py zstack-cloud-X.Y.Z.tar.gz [SOURCE]

Every path of SHIPPED must be in the tarball (a file, or a directory with at least one file), and no
path may start with one of LEFT_OUT (galaxy.yml's build_ignore keeps them out). With SOURCE (the
checkout the tarball was built from, a git work tree), every file git lists there under one of
COMPLETE must be in the tarball too. Prints one line per problem and exits 1 when there is one.
"""

import subprocess
import sys
import tarfile

SHIPPED = (
    'MANIFEST.json', 'FILES.json', 'README.md', 'COPYING', 'CHANGELOG.md', 'changelogs/changelog.yaml',
    '.ansible-lint', 'meta/runtime.yml', 'meta/execution-environment.yml', 'meta/ee-requirements.txt', 'requirements.txt',
    'plugins/modules/', 'plugins/module_utils/', 'plugins/plugin_utils/', 'plugins/plugin_utils/templates/',
    'plugins/action/', 'plugins/filter/', 'plugins/inventory/', 'plugins/doc_fragments/',
    'roles/virtualizer_compliance/', 'playbooks/compliance_check.yml', 'playbooks/compliance_remediate.yml',
    'extensions/eda/plugins/event_source/', 'extensions/eda/rulebooks/',
    'docs/docsite/extra-docs.yml', 'docs/docsite/rst/', 'docs/execution-environment/',
    'tests/unit/', 'tests/integration/targets/', 'tests/simulator/',
)
#: where every file of the checkout must ship (the Event-Driven Ansible content, which galaxy-importer reads)
COMPLETE = ('extensions', 'meta/extensions.yml')
LEFT_OUT = (
    'benchmarks/', 'scripts/', '.ci/', '.build/', '.venv', '.git/', '.gitignore', 'reports/',
    'requirements-dev.txt', 'requirements-tools.txt', 'requirements-eda.txt', 'requirements-matrix-',
    'playbooks/demo.yml', 'tests/eda/', 'tests/output/', 'changelogs/.plugin-cache.yaml',
)


def problems(names, tracked=()):
    files = set(n for n, is_dir in names if not is_dir)
    found = ['missing from the tarball: %s (galaxy.yml build_ignore?)' % path for path in tracked if path not in files]
    for path in SHIPPED:
        if path.endswith('/'):
            if not any(f.startswith(path) for f in files):
                found.append('missing from the tarball: %s (no file under it)' % path)
        elif path not in files:
            found.append('missing from the tarball: %s' % path)
    for name, _is_dir in names:
        if name.startswith(LEFT_OUT) or '/__pycache__/' in '/' + name or name.endswith('.pyc'):
            found.append('in the tarball but should not be (add it to build_ignore in galaxy.yml): %s' % name)
    return found


def tracked_files(source):
    """The files git lists under COMPLETE in the checkout ``source``."""
    listed = subprocess.run(['git', 'ls-files', '--'] + list(COMPLETE), cwd=source, check=True, capture_output=True, text=True)
    return listed.stdout.splitlines()


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with tarfile.open(argv[1]) as tar:
        names = [(m.name[2:] if m.name.startswith('./') else m.name, m.isdir()) for m in tar.getmembers()]
    tracked = tracked_files(argv[2]) if len(argv) == 3 else []
    if len(argv) == 3 and not tracked:
        print('FAIL: git lists no file of %s in %s' % (' or '.join(COMPLETE), argv[2]))
        return 1
    found = problems(names, tracked)
    for line in found:
        print('FAIL: %s' % line)
    if not found:
        print('ok:   the tarball holds %d files: what a user installs (every one of the %d files of %s), none of the dev checkout'
              % (sum(1 for _n, d in names if not d), len(tracked), ' and '.join(COMPLETE)))
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
