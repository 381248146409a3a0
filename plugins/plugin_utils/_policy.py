# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The compliance policy: every resource passes, fails, warns or is ignored, with its reason.

Private to this collection: not a public API, may change without notice.

:func:`evaluate` applies the policy to the verdicts that ``zstack.cloud.zstack_virtualizer_info``
returned (``virtualizer_info``, keyed by UUID, or its ``groups``).
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.zstack.cloud.plugins.plugin_utils._common import (
    brief,
    FAIL,
    HOST,
    IGNORE,
    MATCHED,
    NO_RECORD,
    NOT_FOUND,
    OUTCOMES,
    PASS,
    POLICY_CHOICES,
    UNKNOWN,
    UNMATCHED,
    WARN,
    GROUP_FIELDS,
    ComplianceError,
    kind_of,
    sort_key,
    summary_counts,
    type_name,
)

#: the verdict of a UUID that could not be read (zstack_virtualizer_info on_batch_error=report)
ERROR = 'Error'


def check_policy(policy):
    """A complete policy dict with validated values: ``{unknown, no_record, error}``."""
    policy = dict(policy or {})
    result = {'unknown': policy.get('unknown', FAIL), 'no_record': policy.get('no_record', WARN),
              'error': policy.get('error', FAIL)}
    for key, value in result.items():
        if value not in POLICY_CHOICES:
            raise ComplianceError('policy %s must be one of %s, got %r' % (key, ', '.join(POLICY_CHOICES), value))
    return result


def outcome_of(verdict, policy):
    """pass / fail / warn / ignore for one verdict under a policy (Unmatched and NotFound always fail).

    ``Error`` is the verdict of a UUID whose batch kept failing when the module was asked to
    report such batches instead of failing whole: nothing is known of it, so it fails unless
    the policy says otherwise.
    """
    if verdict == MATCHED:
        return PASS
    if verdict in (UNMATCHED, NOT_FOUND):
        return FAIL
    if verdict == UNKNOWN:
        return policy['unknown']
    if verdict == NO_RECORD:
        return policy['no_record']
    if verdict == ERROR:
        return policy['error']
    raise ComplianceError('unknown verdict %r' % (verdict,))


def _snapshot(verdict_entry):
    return {
        'verdict': verdict_entry.get('verdict'),
        'current_version': verdict_entry.get('current_version'),
        'expect_version': verdict_entry.get('expect_version'),
        'reason': verdict_entry.get('reason'),
    }


def verdicts_of(read, order=None):
    """The verdicts of a zstack_virtualizer_info result, keyed by UUID, as :func:`evaluate` reads them.

    ``read`` is the module's ``virtualizer_info`` dict (``output=facts`` or ``full``), or the module's
    whole result, whose ``groups`` every output returns: then each UUID of a group gets the group's
    verdict, versions and reason (one dict per group, shared). ``order`` (UUIDs) puts those first,
    in its order. A malformed ``groups`` is refused, never read as fewer UUIDs.
    """
    if not isinstance(read, Mapping) or 'groups' not in read:
        return read
    groups = read['groups']
    if not isinstance(groups, list):
        raise ComplianceError('the groups of the zstack_virtualizer_info result must be a list, got %s' % type(groups).__name__)
    by_uuid = {}
    for index, group in enumerate(groups):
        if not isinstance(group, Mapping) or not isinstance(group.get('uuids'), list) or 'verdict' not in group:
            got = 'a dict with keys %s' % ', '.join(sorted(map(str, group))) if isinstance(group, Mapping) else type_name(group)
            raise ComplianceError('groups[%d] of the zstack_virtualizer_info result is not a group of UUIDs with a verdict '
                                  '(a dict with a list uuids and a verdict expected, got %s): pass the result the module '
                                  'returned' % (index, got))
        shared = dict((key, group.get(key)) for key in GROUP_FIELDS)
        for uuid in group['uuids']:
            by_uuid[uuid] = shared
    if order:
        ordered = dict((uuid, by_uuid[uuid]) for uuid in order if uuid in by_uuid)
        if len(ordered) < len(by_uuid):
            ordered.update(by_uuid)
        by_uuid = ordered
    return by_uuid


def evaluate(virtualizer_info, scope=None, policy=None):
    """Apply the policy to the verdicts.

    ``virtualizer_info`` is the module's dict keyed by UUID, or the module's whole result (its
    ``groups``, see :func:`verdicts_of`).  Returns
    ``{resources, summary, failing, warnings, ignored, compliant, policy}``;
    each resource carries its inventory facts (name, cluster, host) from the
    scope, its verdict snapshot and its outcome.
    """
    policy = check_policy(policy)
    virtualizer_info = verdicts_of(virtualizer_info, (scope or {}).get('uuids'))
    if not isinstance(virtualizer_info, Mapping):
        raise ComplianceError('virtualizer_info must be the dict returned by zstack_virtualizer_info, got %s'
                              % type(virtualizer_info).__name__)
    known = (scope or {}).get('resources') or {}
    resources = {}
    for uuid, entry in virtualizer_info.items():
        facts = known.get(uuid) or {}  # only read: the scope's entry itself, not a copy of it
        kind = facts.get('resource_type') or kind_of(entry.get('resource_type'))
        snap = _snapshot(entry)
        outcome = outcome_of(snap['verdict'], policy)
        resources[uuid] = {
            'uuid': uuid,
            'name': facts.get('name') or uuid,
            'resource_type': kind,
            'zone_uuid': facts.get('zone_uuid'),
            'cluster_uuid': facts.get('cluster_uuid'),
            'host_uuid': facts.get('host_uuid'),
            'state': facts.get('state'),
            'status': facts.get('status'),
            'verdict': snap['verdict'],
            'current_version': snap['current_version'],
            'expect_version': snap['expect_version'],
            'reason': snap['reason'],
            'outcome': outcome,
        }
    return _evaluation(resources, policy)


def _evaluation(resources, policy):
    summary = summary_counts(resources)
    by_outcome = dict((o, []) for o in OUTCOMES)
    for entry in sorted(resources.values(), key=lambda e: (e['resource_type'] != HOST,) + sort_key(e)):
        by_outcome[entry['outcome']].append(brief(entry))
    summary.update({'failing': len(by_outcome[FAIL]), 'warning': len(by_outcome[WARN]),
                    'ignored': len(by_outcome[IGNORE]), 'passing': len(by_outcome[PASS])})
    return {
        'resources': resources,
        'summary': summary,
        'failing': by_outcome[FAIL],
        'warnings': by_outcome[WARN],
        'ignored': by_outcome[IGNORE],
        'compliant': not by_outcome[FAIL],
        'policy': policy,
    }
