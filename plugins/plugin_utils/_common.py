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

import contextlib
import functools
import gc
import json
import os
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
#: what the UUIDs of one ``groups`` entry of zstack_virtualizer_info share: all that the policy reads of a verdict
GROUP_FIELDS = verdicts.GROUP_FIELDS

HOST = 'host'
VM = 'vm'


@contextlib.contextmanager
def gc_paused():
    """Python's cyclic garbage collector paused for the block (and left as it was found afterwards).

    A step runs in an Ansible worker, a process forked for one task from a controller that holds the whole
    play, and makes a fleet's worth of dicts and tuples: every few thousand of them set off a collection,
    and each full one walked every object of the controller again (a third of the scope step's time on
    11,000 resources).  What a step makes holds few reference cycles, if any, and the worker (with all it
    made) ends with its task.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


FAIL = 'fail'
WARN = 'warn'
IGNORE = 'ignore'
PASS = 'pass'
POLICY_CHOICES = (FAIL, WARN, IGNORE)
OUTCOMES = (PASS, FAIL, WARN, IGNORE)

PREFIX = 'virtualizer_compliance_'


class ComplianceError(ValueError):
    """Bad input to the compliance logic (a wrong option value, a malformed verdict)."""


#: the collection's root directory (plugins/plugin_utils/ is two levels below it)
COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def collection_version(root=COLLECTION_ROOT):
    """The version of this collection: MANIFEST.json of an installed one, else galaxy.yml of a checkout; None if neither."""
    try:
        with open(os.path.join(root, 'MANIFEST.json'), encoding='utf-8') as handle:
            return str(json.load(handle)['collection_info']['version'])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        with open(os.path.join(root, 'galaxy.yml'), encoding='utf-8') as handle:
            for line in handle:
                found = re.match(r'''^version:\s*['"]?([^'"\s#]+)''', line)
                if found:
                    return found.group(1)
    except OSError:
        pass
    return None


#: how the console and the reports name the kinds of resources
KIND_WORDS = {HOST: 'host', VM: 'VM'}


def brief(entry):
    """An evaluated resource as the outcome lists (failing, warnings, ...) hold it; the reason is never empty."""
    reason = entry.get('reason')
    if not reason and entry.get('verdict') != MATCHED:
        reason = '%s is %s' % (entry.get('resource_type') or 'resource', entry.get('verdict'))
    return {'uuid': entry['uuid'], 'name': entry.get('name'), 'resource_type': entry.get('resource_type'),
            'verdict': entry.get('verdict'), 'reason': reason or None}


def plural(count, word, plural_word=None):
    """``1 resource``, ``2 resources``, ``0 warnings``: the count and the word in agreement."""
    return '%d %s' % (count, word if count == 1 else (plural_word or word + 's'))


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


_DIGITS = re.compile(r'(\d+)')


@functools.lru_cache(maxsize=65536)
def natural(text):
    """'vm-10' sorts after 'vm-9'.

    Cached: the scope, the policy, the plan and the reports sort the same names of a fleet again.
    """
    parts = _DIGITS.split(text or '')  # text, digits, text, digits, ..., text
    return tuple((0, int(part), '') if index % 2 else (1, 0, part) for index, part in enumerate(parts) if part)


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
