# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of plugin_utils/_common.py: the shared vocabulary, orderings and list handling."""

from __future__ import annotations

import os

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils import _virtualizer
from ansible_collections.zstack.cloud.plugins.plugin_utils import _common
from ansible_collections.zstack.cloud.plugins.plugin_utils._common import (
    ComplianceError,
    as_list,
    kind_of,
    name_key,
    natural,
    option,
    sort_key,
    summary_counts,
)


def test_the_verdicts_are_the_modules_own():
    assert (_common.MATCHED, _common.UNMATCHED, _common.UNKNOWN, _common.NO_RECORD, _common.NOT_FOUND) == (
        _virtualizer.MATCHED, _virtualizer.UNMATCHED, _virtualizer.UNKNOWN, _virtualizer.NO_RECORD, _virtualizer.NOT_FOUND)


def test_option_names_the_role_variable():
    assert option('batch_size') == 'virtualizer_compliance_batch_size'


@pytest.mark.parametrize('value,kind', [('HostVO', 'host'), ('host', 'host'), ('VmInstanceVO', 'vm'), ('vm', 'vm'),
                                        ('L3NetworkVO', None), (None, None)])
def test_kind_of(value, kind):
    assert kind_of(value) == kind


def test_natural_order_and_keys():
    names = ['vm-10', 'vm-9', 'vm-1', 'a', None]
    assert sorted(names, key=natural) == [None, 'a', 'vm-1', 'vm-9', 'vm-10']
    entries = [{'uuid': '2', 'name': 'b', 'resource_type': 'vm', 'cluster_uuid': 'c1'},
               {'uuid': '1', 'name': 'z', 'resource_type': 'host', 'cluster_uuid': 'c2'}]
    assert [e['uuid'] for e in sorted(entries, key=sort_key)] == ['2', '1']  # by cluster first
    assert [e['uuid'] for e in sorted(entries, key=name_key)] == ['1', '2']  # hosts first


def test_natural_order_of_any_digits():
    # a digit that \d does not match (superscript two) is text: it once went to int() and failed the sort
    assert natural('vm-1\u00b2') == ((1, 0, 'vm-'), (0, 1, ''), (1, 0, '\u00b2'))
    assert sorted(['vm-1\u00b2', 'vm-2', 'vm-10', 'vm-1'], key=natural) == ['vm-1', 'vm-1\u00b2', 'vm-2', 'vm-10']
    assert natural('\u0663x') == ((0, 3, ''), (1, 0, 'x'))  # an Arabic-Indic three is a number, as int() reads it
    assert natural('007-b') == ((0, 7, ''), (1, 0, '-b'))


def test_as_list():
    assert as_list(None, 'x') == []
    assert as_list({'a': 1, 'b': 2}, 'x') == [1, 2]
    assert as_list((1, 2), 'x') == [1, 2]
    for bad in ('abc', b'abc', 3):
        with pytest.raises(ComplianceError, match='hosts must be a list, got'):
            as_list(bad, 'hosts')


def test_summary_counts_refuses_unknown_verdicts_naming_the_uuid():
    assert summary_counts([{'uuid': 'a', 'verdict': 'Matched'}])['matched'] == 1
    with pytest.raises(ComplianceError, match="unknown verdict 'Odd' for abc"):
        summary_counts({'abc': {'uuid': 'abc', 'verdict': 'Odd'}})
    with pytest.raises(ComplianceError, match='an entry that is not a dict'):
        summary_counts(['Matched'])


def test_collection_version_from_the_manifest_then_galaxy_yml(tmp_path):
    from ansible_collections.zstack.cloud.plugins.plugin_utils._common import COLLECTION_ROOT, collection_version
    (tmp_path / 'galaxy.yml').write_text("namespace: zstack\nversion: '3.1.4'  # the next\n")
    assert collection_version(str(tmp_path)) == '3.1.4'
    (tmp_path / 'MANIFEST.json').write_text('{"collection_info": {"version": "3.1.5"}}')
    assert collection_version(str(tmp_path)) == '3.1.5'
    (tmp_path / 'MANIFEST.json').write_text('not json')
    assert collection_version(str(tmp_path)) == '3.1.4'
    assert collection_version(str(tmp_path / 'nowhere')) is None
    with open(os.path.join(COLLECTION_ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        assert 'version: %s\n' % collection_version() in handle.read()
