# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an EDA controller needs to build a decision environment for zstack.cloud, kept in line with the code.

The event source's third-party imports (followed through the collection's own module_utils) must be declared
in the collection's EE metadata (meta/execution-environment.yml -> meta/ee-requirements.txt, which
ansible-builder adds to every EE and DE holding the collection) and pinned in requirements-eda.txt (what the
eda tests run); the example decision environment (docs/decision-environment/) must bring the ansible-rulebook
and ansible-core those tests run, and Java; meta/extensions.yml must name every extension folder.
"""

from __future__ import annotations

import ast
import os
import re
import sys

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
SOURCE = os.path.join(ROOT, 'extensions', 'eda', 'plugins', 'event_source', 'virtualizer_drift.py')
DE_DIR = os.path.join(ROOT, 'docs', 'decision-environment')
COLLECTION_PREFIX = 'ansible_collections.zstack.cloud.'
#: import name -> distribution on PyPI (add a line when the source imports a new library)
DISTRIBUTIONS = {'requests': 'requests', 'ansible': 'ansible-core', 'yaml': 'PyYAML'}
#: the folders galaxy-importer lists as EDA content (its ALLOWED_EXTENSION_DIRS)
IMPORTER_EXTENSION_DIRS = {'eda/plugins/event_source', 'eda/plugins/event_filter'}


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding='utf-8') as fobj:
        return fobj.read()


def _requirements(*parts):
    """name (lower case) -> Requirement of a pip requirements file."""
    out = {}
    for line in _read(*parts).splitlines():
        line = line.split('#', 1)[0].strip()
        if line:
            req = Requirement(line)
            out[req.name.lower()] = req
    return out


def _imports(path):
    """Top-level names of every absolute import of a Python file (also inside try / functions), except the
    fallbacks of an ``except ImportError:`` (Python 2 names such as urlparse)."""
    with open(path, encoding='utf-8') as fobj:
        tree = ast.parse(fobj.read(), path)
    names, todo = set(), [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.ExceptHandler):
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        todo.extend(ast.iter_child_nodes(node))
    return names


def third_party_imports(path):
    """The third-party top-level modules that a file imports, following the collection's own modules."""
    seen, todo, found = set(), [path], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for name in _imports(current):
            if name.startswith(COLLECTION_PREFIX):
                target = os.path.join(ROOT, *name[len(COLLECTION_PREFIX):].split('.')) + '.py'
                assert os.path.exists(target), '%s imports %s, which is no file of the collection' % (current, name)
                todo.append(target)
                continue
            top = name.split('.')[0]
            if top not in sys.stdlib_module_names and top not in ('__future__', 'ansible_collections'):
                found.add(top)
    return found, seen


def test_the_walk_finds_requests_through_the_collections_client():
    found, files = third_party_imports(SOURCE)
    assert 'requests' in found  # imported by plugins/module_utils/_client.py, not by the source itself
    assert os.path.join(ROOT, 'plugins', 'module_utils', '_client.py') in files


def test_every_library_of_the_source_is_declared_for_ee_and_de_and_pinned_for_the_tests():
    found, _files = third_party_imports(SOURCE)
    unknown = sorted(found - set(DISTRIBUTIONS))
    assert not unknown, 'map these imports of the event source to their PyPI distribution in DISTRIBUTIONS: %s' % unknown
    meta = yaml.safe_load(_read('meta', 'execution-environment.yml'))
    ee_file = meta['dependencies']['python']
    declared = _requirements(*ee_file.split('/'))
    runtime = _requirements('requirements.txt')
    pinned = _requirements('requirements-eda.txt')
    for module in sorted(found):
        dist = DISTRIBUTIONS[module].lower()
        if dist == 'ansible-core':
            continue  # the EE / DE base provides ansible-core (ansible_core in the definitions)
        assert dist in declared, '%s (imported by the event source) is missing from %s' % (dist, ee_file)
        assert dist in runtime, '%s is missing from requirements.txt' % dist
        assert dist in pinned, '%s is missing from requirements-eda.txt' % dist
        (spec,) = pinned[dist].specifier
        assert spec.operator == '==', 'requirements-eda.txt pins every package (==): %s' % pinned[dist]
        assert declared[dist].specifier.contains(spec.version), (
            'requirements-eda.txt tests %s %s, outside what %s declares (%s)' % (dist, spec.version, ee_file, declared[dist]))


def _pin(name):
    (spec,) = _requirements('requirements-eda.txt')[name].specifier
    return Version(spec.version)


def test_the_example_decision_environment_runs_what_the_eda_tests_run():  # pylint: disable=too-many-locals
    de = yaml.safe_load(_read('docs', 'decision-environment', 'decision-environment.yml'))
    assert de['version'] == 3
    deps = de['dependencies']
    files = dict((key, os.path.join(DE_DIR, deps[key])) for key in ('python', 'system', 'galaxy'))
    for key, path in files.items():
        assert os.path.exists(path), 'dependencies.%s names %s, which does not exist' % (key, path)
    # ansible-rulebook: the version that tests/eda runs
    python = _requirements('docs', 'decision-environment', deps['python'])
    assert 'ansible-rulebook' in python
    assert python['ansible-rulebook'].specifier.contains(str(_pin('ansible-rulebook')))
    assert 'requests' not in python  # it comes from the collection's own metadata: listing it twice drifts
    # ansible-core: within requires_ansible, and admitting the one the eda tests run
    core = Requirement(deps['ansible_core']['package_pip'])
    assert core.name == 'ansible-core' and core.specifier.contains(str(_pin('ansible-core')))
    requires = yaml.safe_load(_read('meta', 'runtime.yml'))['requires_ansible']
    floor = re.match(r'>=\s*([0-9.]+)', requires).group(1)
    assert core.specifier.contains(floor) and str(core.specifier).count('>=%s' % floor) == 1
    # Java 17+ for the rule engine, on both package families
    with open(files['system'], encoding='utf-8') as fobj:
        system = [line.split('#', 1)[0].strip() for line in fobj if line.split('#', 1)[0].strip()]
    for family in ('rpm', 'dpkg'):
        javas = [line for line in system if '[platform:%s]' % family in line and re.search(r'(jre|jdk)', line)]
        assert javas and all(int(re.search(r'-(\d+)-', j).group(1)) >= 17 for j in javas), (family, system)
    # the collection itself, in a version range that holds the release that added the event source, and this
    # release once it has the source (before the version bump galaxy.yml still names the release before)
    galaxy = yaml.safe_load(_read('galaxy.yml'))
    wanted = yaml.safe_load(_read('docs', 'decision-environment', deps['galaxy']))['collections']
    (entry,) = [c for c in wanted if c['name'] == '%s.%s' % (galaxy['namespace'], galaxy['name'])]
    versions = Requirement('x' + entry['version'].replace(' ', '')).specifier
    added = yaml.safe_load(_read('extensions', 'eda', 'plugins', 'event_source', 'virtualizer_drift.py')
                           .split("DOCUMENTATION = r'''", 1)[1].split("'''", 1)[0])['version_added']
    assert versions.contains(str(added)), (entry, added)
    if Version(galaxy['version']) >= Version(str(added)):
        assert versions.contains(galaxy['version']), (entry, galaxy['version'])


def test_meta_extensions_names_every_extension_folder():
    data = yaml.safe_load(_read('meta', 'extensions.yml'))
    listed = [ext['args']['ext_dir'] for ext in data['extensions']]
    present = sorted(os.path.relpath(root, os.path.join(ROOT, 'extensions'))
                     for root, _dirs, names in os.walk(os.path.join(ROOT, 'extensions', 'eda', 'plugins'))
                     if any(n.endswith('.py') and n != '__init__.py' for n in names))
    assert sorted(listed) == present
    assert set(listed) <= IMPORTER_EXTENSION_DIRS  # any other folder galaxy-importer warns about and leaves out


@pytest.mark.parametrize('rulebook', sorted(os.listdir(os.path.join(ROOT, 'extensions', 'eda', 'rulebooks'))))
def test_rulebooks_use_the_collections_sources_and_playbooks(rulebook):
    text = _read('extensions', 'eda', 'rulebooks', rulebook)
    sources = [key for ruleset in yaml.safe_load(text) for source in ruleset['sources'] for key in source
               if key != 'name']
    assert sources
    for name in sources:
        assert name.startswith('zstack.cloud.'), name
        assert os.path.exists(os.path.join(ROOT, 'extensions', 'eda', 'plugins', 'event_source', name.split('.')[-1] + '.py'))
    playbooks = set(re.findall(r'zstack\.cloud\.(compliance_\w+)', text))
    assert playbooks
    for name in playbooks:
        assert os.path.exists(os.path.join(ROOT, 'playbooks', name + '.yml')), name
