# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The read modules the role's steps run, run in the controller's own process.

Private to this collection: not a public API, may change without notice.

A step of ``zstack.cloud.virtualizer_compliance`` reads the fleet through read-only
modules (discovery, the verdicts, the names of zones and clusters, a global
configuration): six or more module runs per assessment, each a Python process that
imports Ansible's module code and requests, about half a second apiece.  When the
step's task runs on the controller itself (the ``local`` connection, the role's usual
``hosts: localhost``), a module's process would run where the step already runs, so
:func:`run_read` runs the same module code here instead: the module's ``ARGUMENT_SPEC``
validated with its connection options and their environment fallbacks, its ``gather``
called through ``_module.call`` (the body of every module run), its warnings and failure
scrubbed of secrets as a module's are, and every secret masked in its result as
``exit_json`` masks it.  A task on another host, with ``environment``, or with ``become``
runs the module there as before (:func:`runs_here` decides).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import json
import re

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.zstack.cloud.plugins.module_utils._client import HAS_REQUESTS
from ansible_collections.zstack.cloud.plugins.module_utils._module import call, connection_argument_spec, connection_warnings

COLLECTION = 'zstack.cloud.'
#: characters the JSON encoder writes as an escape
_ESCAPED = re.compile(r'["\\\x00-\x1f]')

#: the modules that only read, whose ``ARGUMENT_SPEC`` and ``gather`` :func:`run_read` runs
READ_MODULES = frozenset((
    'zstack_cluster_info',
    'zstack_global_config_info',
    'zstack_host_info',
    'zstack_virtualizer_info',
    'zstack_vm_instance_info',
    'zstack_zone_info',
))


def readable(name):
    """Whether module ``name`` (its FQCN) is a read module that :func:`run_read` can run here."""
    return HAS_REQUESTS and name.startswith(COLLECTION) and name[len(COLLECTION):] in READ_MODULES


def runs_here(connection_transport, environment, become):
    """Whether a module of the task would run in the controller's process environment.

    ``connection_transport`` is the task's connection plugin (after ``delegate_to``);
    a task ``environment`` (the list of the task's and its parents' ``environment``
    keywords, empty ones ``{}``) or ``become`` changes what a module's process sees,
    so either keeps the module run.
    """
    return connection_transport == 'local' and not any(environment or ()) and not become


class _Module:
    """What a module's ``gather`` uses of an AnsibleModule: ``params``, ``check_mode`` and ``warn``."""

    def __init__(self, params, check_mode):
        self.params = params
        self.check_mode = check_mode
        self.warnings = []

    def warn(self, warning):
        self.warnings.append(warning)


def mask(result, no_log_values):
    """``result`` with every no_log value masked as ``exit_json`` masks it (``remove_values``).

    ``remove_values`` copies the whole result, value by value: a second or more for a fleet's
    inventories, when no secret is usually in it at all.  So the result's JSON text (the C
    encoder) is searched for each secret first; only a result that holds one is walked.  A
    secret with a character JSON escapes (``"``, ``\\``, a control character) could hide in the
    text, so it is always walked for.
    """
    secrets = set(value for value in no_log_values if value)  # an empty one would mask between every character
    if not secrets:
        return result
    if any(not isinstance(value, str) or _ESCAPED.search(value) for value in secrets):
        return remove_values(result, secrets)
    text = json.dumps(result, ensure_ascii=False, default=str)
    if any(value in text for value in secrets):
        return remove_values(result, secrets)
    return result


def run_read(name, args, check_mode=False):
    """The result of read module ``name`` (FQCN) with ``args``, as its module run would return it.

    Invalid arguments fail as AnsibleModule fails them (``failed`` and ``msg``, which names
    the module); a ZStack error fails as the module does (``msg`` and ``error``, scrubbed).
    """
    module = importlib.import_module('ansible_collections.zstack.cloud.plugins.modules.' + name[len(COLLECTION):])
    spec = connection_argument_spec()
    spec.update(module.ARGUMENT_SPEC)
    validation = ArgumentSpecValidator(spec).validate(dict(args))
    no_log_values = set(validation._no_log_values)  # pylint: disable=protected-access
    if validation.error_messages:
        return {'failed': True, 'msg': remove_values('%s: %s' % (name, '; '.join(validation.error_messages)), no_log_values)}
    standin = _Module(validation.validated_parameters, check_mode)
    result, failure, warnings, secrets = call(standin, module.gather)
    no_log_values.update(secrets)
    warnings = connection_warnings(standin.params) + [remove_values(w, no_log_values) for w in standin.warnings] + warnings
    if failure is not None:
        result = dict(failure, failed=True)
    else:
        result = mask(result, no_log_values)
    if warnings:
        result['warnings'] = warnings
    return result
