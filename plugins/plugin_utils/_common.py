# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every controller-side compliance step shares: the error, the vocabulary, ordering.

Private to this collection: not a public API, may change without notice.

The verdicts (Matched, Unmatched, ...) and their summary come from one place,
``plugins/module_utils/_virtualizer.py``, which the module computes them with; this
file adds the role's own words (resource kinds, policy outcomes) and the orderings
that every report and plan uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ansible_collections.zstack.cloud.plugins.module_utils import _virtualizer as verdicts

MATCHED = verdicts.MATCHED
UNMATCHED = verdicts.UNMATCHED
UNKNOWN = verdicts.UNKNOWN
NO_RECORD = verdicts.NO_RECORD
NOT_FOUND = verdicts.NOT_FOUND
HOST_TYPE = verdicts.HOST_TYPE
VM_TYPE = verdicts.VM_TYPE

HOST = 'host'
VM = 'vm'

FAIL = 'fail'
WARN = 'warn'
IGNORE = 'ignore'
PASS = 'pass'
POLICY_CHOICES = (FAIL, WARN, IGNORE)
OUTCOMES = (PASS, FAIL, WARN, IGNORE)

PREFIX = 'virtualizer_compliance_'


class ComplianceError(ValueError):
    """Bad input to the compliance logic (a wrong option value, a malformed verdict)."""


def option(name):
    """The role input that an option of the logic comes from (``batch_size`` -> ``virtualizer_compliance_batch_size``)."""
    return PREFIX + name


def summary_counts(entries):
    """Counts per verdict over verdict entries (a dict or a list), as the module's ``summary``."""
    listed = as_list(entries, 'verdicts')
    for entry in listed:
        if not isinstance(entry, Mapping) or entry.get('verdict') not in verdicts.VERDICTS:
            raise ComplianceError('unknown verdict %r for %s' % (
                entry.get('verdict') if isinstance(entry, Mapping) else entry,
                entry.get('uuid') if isinstance(entry, Mapping) else 'an entry that is not a dict'))
    return verdicts.summarize(listed)


def kind_of(resource_type):
    """``host`` / ``vm`` for a ZStack resource type or a kind; None for anything else."""
    if resource_type in (HOST_TYPE, HOST):
        return HOST
    if resource_type in (VM_TYPE, VM):
        return VM
    return None


def natural(text):
    """'vm-10' sorts after 'vm-9'."""
    return tuple((0, int(part), '') if part.isdigit() else (1, 0, part) for part in re.split(r'(\d+)', text or '') if part)


def sort_key(entry):
    """Zone, cluster, then name in natural order: the order of plans and of the report's tables."""
    return (entry.get('zone_uuid') or '', entry.get('cluster_uuid') or '', natural(entry.get('name')), entry.get('uuid') or '')


def name_key(entry):
    """Hosts first, then by name: the order of the console table."""
    return (entry.get('resource_type') != HOST, natural(entry.get('name')), entry.get('uuid') or '')


_PLAIN_TYPES = {str: 'a string', bool: 'a boolean', int: 'an integer', float: 'a number', dict: 'a dict', list: 'a list',
                tuple: 'a list', bytes: 'bytes'}


def type_name(value):
    """What a value is, in words a user knows (ansible-core's tagged subclasses of str, dict ... show as their base)."""
    if value is None:
        return 'null'
    for cls in type(value).__mro__:
        if cls in _PLAIN_TYPES:
            return _PLAIN_TYPES[cls]
    return type(value).__name__


def as_list(value, what):
    """``value`` as a list (a dict gives its values); a string or a scalar is an error naming ``what``."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return list(value.values())
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ComplianceError('%s must be a list, got %s' % (what, type_name(value)))
    return list(value)
