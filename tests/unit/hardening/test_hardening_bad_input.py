# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bad input: each gives a clear error naming the input and the remedy, before any API call
where possible (the simulator's request counter proves it), and never a traceback."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError
from ansible_collections.zstack.cloud.plugins.module_utils._virtualizer import VirtualizerInfoFetcher, validate_uuid, validate_uuids

GET_VI = 'GET /v1/vm-instances/virtualizer-info'


def conn(sim, **extra):
    args = {'api_url': sim.url, 'account_name': 'admin', 'password': '{{ hz_password }}'}
    args.update(extra)
    return args


def assert_rejected_before_any_call(hz, run, *needles):
    assert run.failed and run.status == 'FAILED!', run.describe()
    hz.assert_clear(run.msg, *needles)
    assert 'Traceback' not in run.output and 'exception' not in run.result, run.describe()
    assert run.delta('total_requests') == 0, run.describe()


# ---------------------------------------------------------------- UUIDs
@pytest.mark.hardening('bad-input', 'malformed UUIDs')
def test_malformed_uuids_are_named_one_by_one(hz, sim, ansible):
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED, 'not-a-uuid', '1234', '3ce46fb7-eb2e-369c-88d5-fd671d1c1694']))
    assert_rejected_before_any_call(hz, run, "uuids[1] 'not-a-uuid'", 'uuids[2]', 'uuids[3]', 'dashes',
                                    '3ce46fb7eb2e369c88d5fd671d1c1694', '32 lower-case hexadecimal')
    assert '3 invalid UUIDs' in run.msg


@pytest.mark.hardening('bad-input', 'upper-case UUIDs')
def test_upper_case_uuid_is_named_with_its_fix(hz, sim, ansible):
    run = ansible.run(conn(sim, uuids=[hz.VM_RUNNING, hz.HOST_MATCHED.upper()]))
    assert_rejected_before_any_call(hz, run, 'uuids[1]', 'upper case', hz.HOST_MATCHED)


@pytest.mark.hardening('bad-input', 'UUIDs with white space')
def test_uuid_with_white_space_is_named(hz, sim, ansible):
    run = ansible.run(conn(sim, uuids=[' %s\n' % hz.HOST_MATCHED]))
    assert_rejected_before_any_call(hz, run, 'uuids[0]', 'white space')


@pytest.mark.hardening('bad-input', 'duplicate UUIDs')
def test_duplicates_are_removed_and_asked_once(hz, sim, ansible):
    """Documented behaviour: duplicates are removed (ZStack itself would fail the whole call with SYS.1007)."""
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED, hz.VM_RUNNING, hz.HOST_MATCHED, hz.HOST_MATCHED]))
    assert not run.failed, run.describe()
    assert [x for g in run.result['groups'] for x in g['uuids']] == [hz.HOST_MATCHED, hz.VM_RUNNING]
    assert run.result['summary']['total'] == 2
    assert run.requests_to(GET_VI) == 1  # one request with two distinct UUIDs, no SYS.1007 isolation round


@pytest.mark.hardening('bad-input', 'non-string UUIDs')
def test_non_strings_are_named_with_their_type(hz):
    with pytest.raises(ZStackConfigError) as caught:
        validate_uuids([hz.HOST_MATCHED, 123, None, ['x'], {'uuid': hz.VM_RUNNING}])
    hz.assert_clear(str(caught.value), 'uuids[1] is 123 (int), not a string', 'uuids[2] is None', 'uuids[3]', 'uuids[4]',
                    '4 invalid UUIDs')


@pytest.mark.hardening('bad-input', 'non-string UUIDs')
def test_non_strings_through_the_module_are_named(hz, sim, ansible):
    run = ansible.run(conn(sim, uuids=[123, True, 4.5]))
    assert_rejected_before_any_call(hz, run, 'uuids[0]', 'uuids[1]', 'uuids[2]')


@pytest.mark.hardening('bad-input', 'non-string UUIDs')
def test_uuids_given_as_a_mapping_is_refused_by_name(hz, sim, ansible):
    run = ansible.run(conn(sim, uuids={'host': hz.HOST_MATCHED}))
    assert run.failed, run.describe()
    assert 'uuids' in run.msg and 'list' in run.msg, run.describe()
    assert 'Traceback' not in run.output and run.delta('total_requests') == 0


@pytest.mark.hardening('bad-input', 'empty UUID list')
def test_empty_list_makes_no_call_at_all(hz, sim, ansible):
    """Documented behaviour: an empty list returns empty results without logging in."""
    run = ansible.run(conn(sim, uuids=[]))
    assert not run.failed, run.describe()
    assert run.result['groups'] == [] and run.result['summary']['total'] == 0
    assert run.delta('total_requests') == 0 and run.delta('logins') == 0


def _uuids(count, seed=7):
    rng = random.Random(seed)
    return ['%032x' % rng.getrandbits(128) for _index in range(count)]


@pytest.mark.hardening('bad-input', '100,000 UUIDs')
def test_100000_uuids_with_one_bad_fail_fast_and_name_it(hz, sim, ansible):
    uuids = _uuids(100000)
    uuids[-1] = uuids[-1].upper()
    run = ansible.run(conn(sim, uuids=uuids))
    assert_rejected_before_any_call(hz, run, 'uuids[99999]', 'upper case')
    assert run.elapsed < 20


@pytest.mark.hardening('bad-input', '100,000 UUIDs')
def test_100000_bad_uuids_give_a_bounded_message(hz):
    uuids = ['bad-%d' % i for i in range(100000)]
    started = time.monotonic()
    with pytest.raises(ZStackConfigError) as caught:
        validate_uuids(uuids)
    assert time.monotonic() - started < 5
    message = str(caught.value)
    hz.assert_clear(message, '100000 invalid UUIDs', 'and 99980 more')
    assert len(message) < 4000


@pytest.mark.hardening('bad-input', '100,000 UUIDs')
def test_many_unknown_uuids_are_answered_in_bounded_requests(hz, sim, client):
    """10,000 UUIDs no host or VM has (a tenth of the 100,000 above, to keep the suite fast): one answer each,
    a bounded number of requests, one session."""
    uuids = _uuids(10000, seed=11)
    uuids[:2] = [hz.HOST_MATCHED, hz.VM_RUNNING]
    started = time.monotonic()
    result = VirtualizerInfoFetcher(client(), batch_size=200, workers=8).fetch(uuids)
    elapsed = time.monotonic() - started
    assert result['summary']['total'] == 10000
    assert result['summary']['not_found'] == 9998 and result['summary']['matched'] == 2
    counters = sim.counters()
    # per batch of 200: GetVirtualizerInfo (SYS.1007), QueryHost + QueryVmInstance, GetVirtualizerInfo of the valid ones
    assert counters['total_requests'] <= 50 * 4 + 2
    assert counters['logins'] == 1
    assert elapsed < 30


# ---------------------------------------------------------------- api_url
@pytest.mark.parametrize('url, needle', [
    ('zstack.example.com:8080', 'not an http(s) URL'),
    ('http://', 'not an http(s) URL'),
])
@pytest.mark.hardening('bad-input', 'api_url without scheme')
def test_api_url_without_scheme(hz, sim, ansible, url, needle):
    run = ansible.run(conn(sim, api_url=url, uuids=[hz.HOST_MATCHED]))
    assert_rejected_before_any_call(hz, run, 'api_url', needle, 'http://zstack.example.com:8080')


@pytest.mark.hardening('bad-input', 'api_url with a wrong path')
def test_api_url_with_a_wrong_path(hz, sim, ansible):
    run = ansible.run(conn(sim, api_url=sim.url + '/api/v2', uuids=[hz.HOST_MATCHED]))
    assert_rejected_before_any_call(hz, run, 'api_url', "'/api/v2'", '/zstack/v1')


@pytest.mark.hardening('bad-input', 'api_url missing')
def test_api_url_missing_names_the_option_and_its_variable(hz, sim, ansible):
    run = ansible.run({'account_name': 'admin', 'password': '{{ hz_password }}', 'uuids': [hz.HOST_MATCHED]})
    assert_rejected_before_any_call(hz, run, 'api_url is required: set api_url or the ZSTACK_API_URL environment variable',
                                    'http://zstack.example.com:8080')
    assert 'missing required arguments' not in run.msg


@pytest.mark.hardening('bad-input', 'api_url missing')
def test_api_url_from_the_environment_alone_is_enough(hz, sim, ansible):
    run = ansible.run({'account_name': 'admin', 'password': '{{ hz_password }}', 'uuids': [hz.HOST_MATCHED]},
                      env={'ZSTACK_API_URL': sim.url})
    assert not run.failed, run.describe()
    assert run.result['summary']['total'] == 1


@pytest.mark.hardening('bad-input', 'api_url unreachable')
def test_api_url_unreachable(hz, ansible):
    run = ansible.run({'api_url': 'http://127.0.0.1:%d' % hz.closed_port(), 'account_name': 'admin',
                       'password': '{{ hz_password }}', 'uuids': [hz.HOST_MATCHED]})
    assert run.failed, run.describe()
    hz.assert_clear(run.msg, 'api_url', 'connection failed', '127.0.0.1')
    assert 'Traceback' not in run.output and 'exception' not in run.result


# ---------------------------------------------------------------- credentials
@pytest.mark.hardening('bad-input', 'no credentials')
def test_no_credentials(hz, sim, ansible):
    run = ansible.run({'api_url': sim.url, 'uuids': [hz.HOST_MATCHED]})
    assert_rejected_before_any_call(hz, run, 'no credentials', 'account_name', 'session_uuid', 'access_key_id')


@pytest.mark.hardening('bad-input', 'conflicting credentials')
def test_conflicting_credentials_in_options(hz, sim, ansible):
    run = ansible.run(conn(sim, session_uuid='{{ hz_session }}', uuids=[hz.HOST_MATCHED]), session='ab' * 16)
    assert_rejected_before_any_call(hz, run, 'conflicting credentials', 'session_uuid')


@pytest.mark.hardening('bad-input', 'conflicting credentials')
def test_conflicting_credentials_from_the_environment(hz, sim, ansible):
    env = {'ZSTACK_ACCESS_KEY_ID': hz.ACCESS_KEY_ID, 'ZSTACK_ACCESS_KEY_SECRET': hz.ACCESS_KEY_SECRET}
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED]), env=env)
    assert_rejected_before_any_call(hz, run, 'conflicting credentials', 'ZSTACK_')


@pytest.mark.hardening('bad-input', 'wrong password (ID.1000)')
def test_wrong_password(hz, sim, ansible):
    sim.reset(accounts=[{'name': 'admin', 'password': 'another-password', 'uuid': hz.FLEET['accounts'][0]['uuid']}])
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED]))
    assert run.failed, run.describe()
    hz.assert_clear(run.msg, 'ID.1000', 'wrong account name or password', 'password')
    assert 'Traceback' not in run.output and 'exception' not in run.result
    assert run.requests_to('PUT /v1/accounts/login') == 1  # never retried
    assert run.requests_to(GET_VI) == 0
    assert run.result['error']['code'] == 'ID.1000'


# ---------------------------------------------------------------- other options
@pytest.mark.parametrize('timeout', [-1, 0])
@pytest.mark.hardening('bad-input', 'timeout not positive')
def test_timeout_not_positive_is_named(hz, sim, ansible, timeout):
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED], timeout=timeout))
    assert_rejected_before_any_call(hz, run, 'timeout')


@pytest.mark.hardening('bad-input', 'ca_path that does not exist')
def test_missing_ca_path_is_named(hz, sim, ansible, tmp_path):
    missing = str(tmp_path / 'no-such-ca.pem')
    run = ansible.run(conn(sim, api_url=sim.url.replace('http://', 'https://'), uuids=[hz.HOST_MATCHED], ca_path=missing))
    assert_rejected_before_any_call(hz, run, 'ca_path', missing)


@pytest.mark.parametrize('option, value', [('batch_size', 1000), ('workers', 0)])
@pytest.mark.hardening('bad-input', 'batch_size / workers out of range')
def test_batch_size_and_workers_out_of_range(hz, sim, ansible, option, value):
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED], **{option: value}))
    assert_rejected_before_any_call(hz, run, option, repr(value))


# ---------------------------------------------------------------- the role's argument spec
ROLE = 'virtualizer_compliance'


def _role_spec_path():
    from ansible_collections.zstack.cloud.plugins.module_utils import _client  # pylint: disable=import-outside-toplevel
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(_client.__file__))))
    return root, os.path.join(root, 'roles', ROLE, 'meta', 'argument_specs.yml')


_ROOT, _ROLE_SPEC = _role_spec_path()


def _first_string_variable(spec_path):
    import yaml  # pylint: disable=import-outside-toplevel
    with open(spec_path, encoding='utf-8') as fobj:
        spec = yaml.safe_load(fobj)
    options = spec['argument_specs']['main'].get('options') or {}
    for name, option in options.items():
        if option.get('type', 'str') in ('int', 'bool', 'list', 'dict'):
            return name, option['type']
    return next(iter(options)), options[next(iter(options))].get('type', 'str')


if os.path.exists(_ROLE_SPEC):
    @pytest.mark.hardening('bad-input', 'role inputs outside the argument spec')
    def test_role_input_outside_its_argument_spec_is_named(hz, sim, tmp_path):
        name, kind = _first_string_variable(_ROLE_SPEC)
        bad = {'int': 'not-a-number', 'bool': 'maybe', 'list': 42, 'dict': 'not-a-dict'}.get(kind, {'a': ['nested']})
        playbook = tmp_path / 'play.yml'
        playbook.write_text(
            '- hosts: localhost\n  gather_facts: false\n  roles:\n    - role: zstack.cloud.%s\n      vars:\n        %s: %s\n'
            % (ROLE, name, json.dumps(bad)), encoding='utf-8')
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.dirname(os.path.dirname(os.path.dirname(_ROOT))),
                   ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0')
        for key in ('ANSIBLE_INVENTORY', 'ANSIBLE_CONFIG', 'ANSIBLE_HOST_PATTERN_MISMATCH'):
            env.pop(key, None)
        proc = subprocess.run([sys.executable, '-m', 'ansible.cli.playbook', '-i', 'localhost,', '-c', 'local', str(playbook),
                               '-e', 'ansible_python_interpreter=%s' % sys.executable],
                              cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=120, check=False)
        output = proc.stdout + proc.stderr
        assert proc.returncode != 0, output
        assert name in output, output
        assert 'argument' in output.lower(), output
        assert sim.counters()['total_requests'] == 0


# ---------------------------------------------------------------- white space in every UUID option
#: white space a UUID picks up from a file, a spreadsheet or a template; match() with "$" let a final "\n" through
WHITE_SPACE = [
    ('trailing LF', '{}\n'), ('trailing CRLF', '{}\r\n'), ('trailing tab', '{}\t'), ('leading space', ' {}'),
    ('trailing space', '{} '), ('inner space', '{}'), ('vertical tab', '{}\v'), ('form feed', '\f{}'),
    ('no-break space', '{}\u00a0'), ('line separator', '{}\u2028'),
]


def _spaced(uuid, template, label):
    if label == 'inner space':
        return uuid[:16] + ' ' + uuid[16:]
    return template.format(uuid)


@pytest.mark.parametrize('label, template', WHITE_SPACE, ids=[w[0] for w in WHITE_SPACE])
@pytest.mark.hardening('bad-input', 'UUIDs with white space')
def test_the_shared_validator_refuses_every_white_space(hz, label, template):
    value = _spaced(hz.HOST_MATCHED, template, label)
    with pytest.raises(ZStackConfigError) as caught:
        validate_uuids([hz.VM_RUNNING, value])
    hz.assert_clear(str(caught.value), 'uuids[1]', 'white space', '32 lower-case hexadecimal')
    with pytest.raises(ZStackConfigError) as caught:
        validate_uuid(value, 'host_uuid')
    hz.assert_clear(str(caught.value), 'host_uuid', 'white space')


#: (module, the UUID option, the other options it needs): every module option that takes a UUID
UUID_OPTIONS = [
    ('zstack.cloud.zstack_virtualizer_info', 'uuids', {}),
    ('zstack.cloud.zstack_host', 'uuid', {'state': 'disabled'}),
    ('zstack.cloud.zstack_vm_instance', 'uuid', {'state': 'stopped'}),
    ('zstack.cloud.zstack_vm_instance', 'host_uuid', {'state': 'running'}),
    ('zstack.cloud.zstack_vm_migration', 'uuid', {}),
    ('zstack.cloud.zstack_vm_migration', 'host_uuid', {}),
    ('zstack.cloud.zstack_cluster_os_update', 'cluster_uuid', {}),
    ('zstack.cloud.zstack_cluster_os_update', 'host_uuid', {}),
    ('zstack.cloud.zstack_host_info', 'uuids', {}),
    ('zstack.cloud.zstack_host_info', 'zone_uuid', {}),
    ('zstack.cloud.zstack_host_info', 'cluster_uuid', {}),
    ('zstack.cloud.zstack_vm_instance_info', 'uuids', {}),
    ('zstack.cloud.zstack_vm_instance_info', 'zone_uuid', {}),
    ('zstack.cloud.zstack_vm_instance_info', 'cluster_uuid', {}),
    ('zstack.cloud.zstack_vm_instance_info', 'host_uuid', {}),
    ('zstack.cloud.zstack_zone_info', 'uuids', {}),
    ('zstack.cloud.zstack_cluster_info', 'uuids', {}),
    ('zstack.cloud.zstack_cluster_info', 'zone_uuid', {}),
]


@pytest.mark.parametrize('module, option, extra', UUID_OPTIONS, ids=['%s %s' % (m.split('.')[-1], o) for m, o, _e in UUID_OPTIONS])
@pytest.mark.hardening('bad-input', 'UUID options with a line break')
def test_every_uuid_option_refuses_a_line_break_before_any_call(hz, sim, ansible, module, option, extra):
    """The issue's case: "<uuid>\\n" went out as %0A and an existing host came back NotFound."""
    args = conn(sim, **extra)
    short = module.split('.')[-1]
    if short in ('zstack_host', 'zstack_vm_instance', 'zstack_vm_migration') and option != 'uuid':
        args['uuid'] = hz.VM_RUNNING
    if short == 'zstack_cluster_os_update' and option != 'cluster_uuid':
        args['cluster_uuid'] = hz.demo('cluster-1a')
    value = hz.HOST_MATCHED + '\n'
    args[option] = [hz.VM_RUNNING, value] if option == 'uuids' else value
    run = ansible.run(args, module=module)
    shown = 'uuids[1]' if option == 'uuids' else option
    assert_rejected_before_any_call(hz, run, shown, repr(value), 'white space')
    assert run.result.get('changed') is False


@pytest.mark.parametrize('label, template', WHITE_SPACE[:4], ids=[w[0] for w in WHITE_SPACE[:4]])
@pytest.mark.hardening('bad-input', 'UUID options with a line break')
def test_host_and_migration_refuse_other_white_space(hz, sim, ansible, label, template):
    run = ansible.run(conn(sim, uuid=_spaced(hz.HOST_MATCHED, template, label), state='disabled'), module='zstack.cloud.zstack_host')
    assert_rejected_before_any_call(hz, run, 'uuid', 'white space')
    run = ansible.run(conn(sim, uuid=hz.VM_RUNNING, host_uuid=_spaced(hz.HOST_MATCHED, template, label)),
                      module='zstack.cloud.zstack_vm_migration')
    assert_rejected_before_any_call(hz, run, 'host_uuid', 'white space')


# ---------------------------------------------------------------- wait_timeout
WAITS = [
    ('zstack.cloud.zstack_host', {'uuid': 'HOST', 'state': 'disabled'}),
    ('zstack.cloud.zstack_vm_instance', {'uuid': 'VM', 'state': 'stopped'}),
    ('zstack.cloud.zstack_vm_migration', {'uuid': 'VM'}),
    ('zstack.cloud.zstack_cluster_os_update', {'cluster_uuid': 'CLUSTER'}),
]


@pytest.mark.parametrize('value', [0, -1, -3600])
@pytest.mark.parametrize('module, extra', WAITS, ids=[m.split('.')[-1] for m, _e in WAITS])
@pytest.mark.hardening('bad-input', 'wait_timeout zero or negative')
def test_wait_timeout_must_be_positive_before_any_call(hz, sim, ansible, module, extra, value):
    """zstack_host with wait_timeout 0 submitted the change, gave up at once and said changed: false."""
    names = {'HOST': hz.HOST_MATCHED, 'VM': hz.VM_RUNNING, 'CLUSTER': hz.demo('cluster-1a')}
    args = conn(sim, wait_timeout=value, **dict((k, names.get(v, v)) for k, v in extra.items()))
    run = ansible.run(args, module=module)
    assert_rejected_before_any_call(hz, run, 'wait_timeout', 'positive number of seconds', str(value))
    assert run.result.get('changed') is False and run.delta('mutating_requests') == 0
