# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make the simulator package (tests/simulator/zstack_simulator) importable in unit tests; helpers that read results."""

from __future__ import annotations

import os
import sys

import pytest

SIMULATOR_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', 'simulator'))
if SIMULATOR_DIR not in sys.path:
    sys.path.insert(0, SIMULATOR_DIR)


GROUP_FACTS = ('verdict', 'resource_type', 'current_version', 'expect_version', 'reason')


def _result_values(data):
    """How many values (containers and scalars, dict keys not counted) Ansible walks in a result."""
    if isinstance(data, dict):
        return 1 + sum(_result_values(v) for v in data.values())
    if isinstance(data, list):
        return 1 + sum(_result_values(v) for v in data)
    return 1


def _groups_by_uuid(groups):
    """uuid -> the tuple of GROUP_FACTS of its entry in zstack_virtualizer_info's ``groups``; fails on a UUID in two entries."""
    found = {}
    for group in groups:
        assert group['count'] == len(group['uuids'])
        for uuid in group['uuids']:
            assert uuid not in found, 'a UUID in two groups: %s' % uuid
            found[uuid] = tuple(group[k] for k in GROUP_FACTS)
    return found


@pytest.fixture(name='result_values')
def result_values_fixture():
    return _result_values


@pytest.fixture(name='groups_by_uuid')
def groups_by_uuid_fixture():
    return _groups_by_uuid
