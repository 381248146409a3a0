# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the validate step (plugin_utils/_inputs.py): every problem with the role inputs, named by its variable."""

from __future__ import annotations

import os

import pytest

from ansible_collections.zstack.cloud.plugins.plugin_utils import _inputs, _steps
from ansible_collections.zstack.cloud.plugins.plugin_utils._common import ComplianceError
from ansible_collections.zstack.cloud.tests.unit.plugins.plugin_utils.compliance_fleet import Recorder, role_inputs, u


def validate(tmp_path, environ=None, **changes):
    return _steps.step_validate(Recorder(start=0), role_inputs(tmp_path, **changes), environ={} if environ is None else environ)


def problems(tmp_path, environ=None, **changes):
    with pytest.raises(ComplianceError) as info:
        validate(tmp_path, environ, **changes)
    return str(info.value)


def test_the_defaults_pass_and_give_what_the_later_steps_need(tmp_path):
    out = validate(tmp_path)
    assert out['actions'] == [] and out['vm_plan'] is None and out['after'] is None
    checked = out['output']
    assert checked['started_at'] == '1970-01-01T00:00:00Z'  # the context's clock
    assert checked['uuids'] == [u(1)] and checked['discover'] is False  # UUIDs named: no discovery unless asked
    assert checked['options']['max_actions'] == 20 and checked['options']['vm_method'] == 'migrate'
    assert checked['policy'] == {'unknown': 'fail', 'no_record': 'warn', 'error': 'fail'}
    assert checked['on_batch_error'] == 'fail'
    assert (checked['wait_timeout'], checked['verify_timeout'], checked['verify_interval']) == (3600, 600, 10)
    assert checked['report_dir'] == str(tmp_path)
    assert checked['reports'] == {'json': str(tmp_path / 'virtualizer-compliance.json'),
                                  'junit': str(tmp_path / 'virtualizer-compliance.junit.xml'),
                                  'html': str(tmp_path / 'virtualizer-compliance.html')}


def test_a_batch_that_keeps_failing_may_be_reported_and_its_error_verdict_judged(tmp_path):
    checked = validate(tmp_path, on_batch_error='report', error_policy='warn')['output']
    assert checked['on_batch_error'] == 'report'
    assert checked['policy'] == {'unknown': 'fail', 'no_record': 'warn', 'error': 'warn'}
    # null (a role variable left unset) is the default
    assert validate(tmp_path, on_batch_error=None, error_policy=None)['output']['policy']['error'] == 'fail'


def test_discovery_conditions(tmp_path):
    checked = validate(tmp_path, uuids=[], zone_uuids=[u(2001)], cluster_uuids=[u(1001), u(1002)])['output']
    assert checked['discover'] is True
    assert checked['conditions'] == ['zoneUuid?=%s' % u(2001), 'clusterUuid?=%s,%s' % (u(1001), u(1002))]


def test_a_string_for_the_uuid_list_is_named(tmp_path):
    text = problems(tmp_path, uuids=u(1))
    assert 'virtualizer_compliance_uuids must be a list of UUIDs, got a string (%r)' % u(1) in text
    assert 'give a YAML list, e.g. virtualizer_compliance_uuids: [%s]' % u(1) in text  # the remedy shows the YAML list


@pytest.mark.parametrize('bad', ['\n', '\r\n', '\t', ' '])
def test_uuids_with_white_space_around_them_are_named(tmp_path, bad):
    text = problems(tmp_path, uuids=[u(7), u(1) + bad])
    assert 'virtualizer_compliance_uuids[1] %r has surrounding white space' % (u(1) + bad) in text
    assert 'remove it' in text
    assert u(7) + "'" not in text  # the good one is not named


def test_uuids_with_white_space_before_them_are_named(tmp_path):
    text = problems(tmp_path, uuids=['\t' + u(1), ' ' + u(2)], zone_uuids=['\n' + u(3)], discover=True)
    assert "virtualizer_compliance_uuids[0] '\\t%s'" % u(1) in text
    assert "virtualizer_compliance_uuids[1] ' %s'" % u(2) in text
    assert "virtualizer_compliance_zone_uuids[0] '\\n%s'" % u(3) in text


@pytest.mark.parametrize('basename,fragment', [
    ('../../x', "virtualizer_compliance_report_basename '../../x' must be a plain file name"),
    ('a/b', "virtualizer_compliance_report_basename 'a/b' must be a plain file name"),
    ('.hidden', "virtualizer_compliance_report_basename '.hidden' must be a plain file name"),
    (' x', "virtualizer_compliance_report_basename ' x' must be a plain file name"),
    ('', 'virtualizer_compliance_report_basename is empty'),
])
def test_report_basename_must_be_a_plain_file_name(tmp_path, basename, fragment):
    text = problems(tmp_path, report_basename=basename)
    assert fragment in text
    assert 'virtualizer_compliance_report_dir' in text or 'e.g. virtualizer-compliance' in text


def test_no_report_needs_no_basename(tmp_path):
    assert validate(tmp_path, report_formats=[], report_basename='')['output']['reports'] == {}


def test_report_dir_that_is_a_file(tmp_path):
    target = tmp_path / 'file'
    target.write_text('x')
    text = problems(tmp_path, report_dir=str(target))
    assert 'virtualizer_compliance_report_dir %s is not a directory: choose a directory for the reports' % target in text


def test_report_dir_under_a_file(tmp_path):
    target = tmp_path / 'file'
    target.write_text('x')
    text = problems(tmp_path, report_dir=str(target / 'sub' / 'dir'))
    assert 'virtualizer_compliance_report_dir %s cannot be created: %s is not a directory' % (target / 'sub' / 'dir', target) in text


def test_report_dir_to_be_created_passes(tmp_path):
    assert validate(tmp_path, report_dir=str(tmp_path / 'new' / 'dir'))['output']['report_dir'] == str(tmp_path / 'new' / 'dir')
    assert not (tmp_path / 'new').exists()  # validate only checks: the result step creates it


def test_report_dir_not_writable(tmp_path):
    locked = tmp_path / 'locked'
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(str(locked), os.W_OK):
            # running as root: a 0500 directory is writable for this user, and validate rightly takes it
            # (the file and under-a-file cases above are what refuse a directory here)
            assert validate(tmp_path, report_dir=str(locked))['output']['report_dir'] == str(locked)
        else:
            text = problems(tmp_path, report_dir=str(locked / 'sub'))
            assert 'virtualizer_compliance_report_dir %s is not writable by this user (%s)' % (locked / 'sub', locked) in text
    finally:
        locked.chmod(0o700)


def test_report_dir_not_writable_message(tmp_path, monkeypatch):
    # what a user who is not root sees, whoever runs the tests: os.access says no for the directory
    locked = str(tmp_path / 'locked')
    os.mkdir(locked)
    real = os.access
    monkeypatch.setattr(_inputs.os, 'access', lambda path, mode: False if path == locked else real(path, mode))
    text = problems(tmp_path, report_dir=locked)
    assert ('virtualizer_compliance_report_dir %s is not writable by this user (%s): choose another directory or fix its '
            'permissions' % (locked, locked)) in text


def test_report_formats(tmp_path):
    assert "virtualizer_compliance_report_formats must be a list of formats (json, junit, html), got a string ('json')" in problems(
        tmp_path, report_formats='json')
    assert "virtualizer_compliance_report_formats: unknown format 'pdf'" in problems(tmp_path, report_formats=['json', 'pdf'])
    assert sorted(validate(tmp_path, report_formats=['html', 'html'])['output']['reports']) == ['html']


def test_api_url_from_the_variable_or_the_environment(tmp_path):
    text = problems(tmp_path, api_url=None)
    assert 'set virtualizer_compliance_api_url' in text and 'export ZSTACK_API_URL' in text
    assert problems(tmp_path, environ={'ZSTACK_USER_NAME': 'x'}, api_url='')
    assert validate(tmp_path, environ={'ZSTACK_API_URL': 'http://zstack.example.com:8080'}, api_url=None)['output']['uuids'] == [u(1)]


def test_validate_reads_the_controller_environment_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv('ZSTACK_API_URL', 'http://zstack.example.com:8080')
    assert _steps.step_validate(Recorder(), role_inputs(tmp_path, api_url=None))['output']['uuids'] == [u(1)]
    monkeypatch.delenv('ZSTACK_API_URL')
    with pytest.raises(ComplianceError, match='no ZStack API URL'):
        _steps.step_validate(Recorder(), role_inputs(tmp_path, api_url=None))


@pytest.mark.parametrize('changes', [{'vm_method': 'reboot'}, {'vm_reboot_fallback': True}])
def test_reboot_without_downtime(tmp_path, changes):
    text = problems(tmp_path, **changes)
    assert 'Set virtualizer_compliance_allow_vm_downtime=true to allow it' in text
    assert validate(tmp_path, allow_vm_downtime=True, **changes)['output']['options']['allow_vm_downtime'] is True


def test_host_method_needs_its_file(tmp_path):
    assert 'virtualizer_compliance_host_method=tasks needs virtualizer_compliance_host_tasks_file' in problems(
        tmp_path, host_method='tasks')
    assert 'virtualizer_compliance_host_method=playbook needs virtualizer_compliance_host_playbook' in problems(
        tmp_path, host_method='playbook')
    assert validate(tmp_path, host_method='tasks', host_tasks_file='upgrade.yml')['output']['options']['host_method'] == 'tasks'


@pytest.mark.parametrize('name,value,fragment', [
    ('batch_size', 0, 'virtualizer_compliance_batch_size must be at least 1, got 0'),
    ('batch_size', 'many', "virtualizer_compliance_batch_size must be an integer, got 'many'"),
    ('failure_budget', -1, 'virtualizer_compliance_failure_budget must be at least 0, got -1'),
    ('max_actions', -1, 'virtualizer_compliance_max_actions must be at least 0 (0: no cap), got -1'),
    ('wait_timeout', 0, 'virtualizer_compliance_wait_timeout must be at least 1, got 0'),
    ('wait_timeout', 'soon', "virtualizer_compliance_wait_timeout must be an integer, got 'soon'"),
    ('wait_timeout', True, 'virtualizer_compliance_wait_timeout must be an integer, got True'),
    ('verify_timeout', -1, 'virtualizer_compliance_verify_timeout must be at least 0, got -1'),
    ('verify_interval', 0, 'virtualizer_compliance_verify_interval must be at least 1, got 0'),
    ('verify_interval', None, 'virtualizer_compliance_verify_interval must be an integer, got None'),
    ('unknown_policy', 'maybe', "virtualizer_compliance_unknown_policy must be one of fail, warn, ignore, got 'maybe'"),
    ('no_record_policy', 'x', "virtualizer_compliance_no_record_policy must be one of fail, warn, ignore, got 'x'"),
    ('error_policy', 'pass', "virtualizer_compliance_error_policy must be one of fail, warn, ignore, got 'pass'"),
    ('on_batch_error', 'retry', "virtualizer_compliance_on_batch_error must be one of fail, report, got 'retry'"),
    ('on_noncompliance', 'ignore', "virtualizer_compliance_on_noncompliance must be one of fail, warn, got 'ignore'"),
    ('remediate', 'maybe', "virtualizer_compliance_remediate must be true or false, got 'maybe'"),
    ('allow_empty_scope', 'sure', "virtualizer_compliance_allow_empty_scope must be true or false, got 'sure'"),
    ('host_maintenance', 'perhaps', "virtualizer_compliance_host_maintenance must be true or false, got 'perhaps'"),
])
def test_ranges_and_choices(tmp_path, name, value, fragment):
    assert fragment in problems(tmp_path, **{name: value})


@pytest.mark.parametrize('name', ['wait_timeout', 'verify_timeout', 'verify_interval', 'batch_size', 'max_actions',
                                  'failure_budget'])
def test_the_lowest_value_passes(tmp_path, name):
    low = dict([r[:2] for r in _inputs.TIMING_RANGES] + [('batch_size', 1), ('max_actions', 0), ('failure_budget', 0)])[name]
    out = validate(tmp_path, **{name: low})['output']
    assert (out[name] if name in out else out['options'][name]) == low


def test_bool_strings_are_accepted(tmp_path):
    out = validate(tmp_path, remediate='yes', allow_empty_scope='no', include_host_vms='no', host_maintenance='yes',
                   allow_vm_downtime='yes', vm_reboot_fallback='yes', discover='yes')['output']
    assert out['remediate'] is True and out['allow_empty_scope'] is False and out['include_host_vms'] is False
    assert out['discover'] is True
    assert out['options']['host_maintenance'] is True and out['options']['vm_reboot_fallback'] is True


def test_nothing_to_check(tmp_path):
    text = problems(tmp_path, uuids=[], discover=False)
    assert 'nothing to check: virtualizer_compliance_discover is false and virtualizer_compliance_uuids is empty' in text
    assert 'virtualizer_compliance_zone_uuids / virtualizer_compliance_cluster_uuids narrow the discovery, which is off' in problems(
        tmp_path, zone_uuids=[u(2001)], discover=False)


def test_every_problem_is_named_at_once(tmp_path):
    text = problems(tmp_path, uuids='abc', report_basename='a/b', api_url=None, wait_timeout=0, remediate='maybe',
                    on_noncompliance='later')
    assert text.startswith('6 problems with the role inputs: ')
    for fragment in ('virtualizer_compliance_uuids', 'virtualizer_compliance_report_basename', 'virtualizer_compliance_api_url',
                     'virtualizer_compliance_wait_timeout', 'virtualizer_compliance_remediate',
                     'virtualizer_compliance_on_noncompliance'):
        assert fragment in text


@pytest.mark.parametrize('changes,fragments', [
    ({'host_method': 'yum', 'batch_size': 0},
     ['virtualizer_compliance_host_method must be one of', 'virtualizer_compliance_batch_size must be at least 1']),
    ({'vm_method': 'reboot', 'batch_size': 0},
     ['virtualizer_compliance_allow_vm_downtime=true', 'virtualizer_compliance_batch_size must be at least 1']),
])
def test_option_problems_are_named_together(tmp_path, changes, fragments):
    # one run names every problem: the user should not fix them one at a time
    text = problems(tmp_path, **changes)
    for fragment in fragments:
        assert fragment in text


# ------------------------------------------------------------------ previous report and audit
def test_previous_report_defaults_to_auto_and_may_be_turned_off(tmp_path):
    assert validate(tmp_path)['output']['previous_report'] == 'auto'
    for off in (None, '', 'none', 'None', False):
        assert validate(tmp_path, previous_report=off)['output']['previous_report'] is None


def test_previous_report_path_must_be_a_file(tmp_path):
    report = tmp_path / 'old.json'
    report.write_text('{}')
    assert validate(tmp_path, previous_report=str(report))['output']['previous_report'] == str(report)
    message = problems(tmp_path, previous_report=str(tmp_path / 'missing.json'))
    assert 'virtualizer_compliance_previous_report %s is not a file' % (tmp_path / 'missing.json') in message
    assert 'auto (the newest in virtualizer_compliance_report_dir) or none' in message
    assert 'must be a path, auto or none, got a list' in problems(tmp_path, previous_report=['a'])


@pytest.mark.parametrize('credentials, environ, auth, principal', [
    ({'account_name': 'admin', 'password': True}, {}, 'account', 'admin'),
    ({'account_name': 'acme', 'user_name': 'ops', 'password': 'True'}, {}, 'user', 'acme/ops'),
    ({'access_key_id': 'AKID', 'access_key_secret': True}, {}, 'access_key', 'AKID'),
    ({'session_uuid': True}, {}, 'session', None),
    # the role's flags are strings on ansible-core 2.18; the environment fills in what the role leaves out
    ({'password': 'False'}, {'ZSTACK_ACCOUNT_NAME': 'envadmin', 'ZSTACK_PASSWORD': 's3cret'}, 'account', 'envadmin'),
    ({}, {'ZSTACK_ACCESS_KEY_ID': 'EK', 'ZSTACK_ACCESS_KEY_SECRET': 'topsecret'}, 'access_key', 'EK'),
    # conflicting or missing credentials: the module names the problem; the audit says nothing
    ({'account_name': 'a', 'password': True, 'session_uuid': True}, {}, None, None),
    ({}, {}, None, None),
])
def test_audit_says_who_reads_and_never_a_secret(tmp_path, credentials, environ, auth, principal):
    environ = dict(environ, ZSTACK_API_URL='https://ops:hunter2@zstack.example.com:8443/path?token=abc')
    audit = validate(tmp_path, environ, api_url=None, credentials=credentials)['output']['audit']
    assert audit['auth'] == auth and audit['principal'] == principal
    assert audit['api_url'] == 'https://zstack.example.com:8443/path'
    assert audit['collection_version'] and audit['ansible_core_version'] is None  # the action gives the core version
    text = repr(audit)
    for secret in ('s3cret', 'topsecret', 'hunter2', 'token'):
        assert secret not in text


def test_the_steps_fall_back_on_the_role_defaults():
    """A step called without one of these inputs uses the role's own default (defaults/main.yml and
    meta/argument_specs.yml), never a second value of its own: max_actions once fell back on 0 (no cap)."""
    import yaml  # pylint: disable=import-outside-toplevel

    from ansible_collections.zstack.cloud.plugins.plugin_utils._plan import DEFAULT_OPTIONS  # pylint: disable=import-outside-toplevel

    role = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(_inputs.__file__)))),
                        'roles', 'virtualizer_compliance')
    with open(os.path.join(role, 'defaults', 'main.yml'), encoding='utf-8') as fobj:
        defaults = yaml.safe_load(fobj)
    with open(os.path.join(role, 'meta', 'argument_specs.yml'), encoding='utf-8') as fobj:
        specs = yaml.safe_load(fobj)['argument_specs']['main']['options']
    ours = dict(DEFAULT_OPTIONS)
    del ours['maintenance_policy']  # read from ZStack, not a role input
    ours.update((name, default) for name, _low, default in _inputs.TIMING_RANGES)
    for name, value in ours.items():
        variable = 'virtualizer_compliance_' + name
        assert (variable, defaults[variable], specs[variable].get('default')) == (variable, value, value)
