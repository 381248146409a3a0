# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Answers of the wrong shape: a successful status with a body that is not what the API defines is a bad
answer, never an empty result (an empty GetVirtualizerInfo list would make every UUID "no record", and a
role would report Unmatched hosts as compliant). Each names method, path, status, what came, the remedy."""

from __future__ import annotations

import json

import pytest

from zstack_simulator.fleet import fixed_uuid

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackBadAnswerError
from ansible_collections.zstack.cloud.plugins.module_utils._virtualizer import VirtualizerInfoFetcher

HOST = fixed_uuid('demo', 'kvm-3')  # the demo fleet's Unmatched host: a wrong "no record" would hide it
OTHER = fixed_uuid('demo', 'kvm-2')
#: (label, the body of a 200 answer to GetVirtualizerInfo, what the message must name)
BAD_BODIES = [
    ('empty body', '', '"inventories"'),
    ('inventories null', '{"inventories": null}', '"inventories" is null'),
    ('no inventories', '{"total": 3}', '"inventories"'),
    ('inventories a string', '{"inventories": "oops"}', '"inventories" is a string'),
    ('a list of strings', '{"inventories": ["%s"]}' % HOST, 'inventories[0] is a string'),
    ('an entry without uuid', '{"inventories": [{"resourceType": "HostVO", "infoList": []}]}', 'inventories[0] has no uuid'),
    ('uuid not a string', '{"inventories": [{"uuid": 7, "infoList": []}]}', 'inventories[0] has no uuid'),
    ('infoList not a list', '{"inventories": [{"uuid": "%s", "infoList": "Matched"}]}' % HOST, 'infoList'),
    ('infoList of strings', '{"inventories": [{"uuid": "%s", "infoList": ["Matched"]}]}' % HOST, 'infoList'),
    ('an entry not asked for', json.dumps({'inventories': [{'uuid': OTHER, 'resourceType': 'HostVO', 'infoList': [
        {'hypervisor': 'qemu-kvm', 'matchState': 'Matched'}]}]}), 'did not ask for'),
    ('a JSON list', '[]', 'not a JSON object'),
    ('JSON null', 'null', 'not a JSON object'),
]


@pytest.mark.parametrize('body, needle', [case[1:] for case in BAD_BODIES], ids=[case[0] for case in BAD_BODIES])
@pytest.mark.hardening('fault', 'malformed 200 from GetVirtualizerInfo')
def test_a_malformed_answer_is_a_bad_answer_not_no_record(hz, sim, client, body, needle):
    sim.fault(status=200, body=body, content_type='application/json', method='GET', path=hz.VI, count=1)
    api = client()
    uuids = [hz.HOST_UNMATCHED, hz.VM_RUNNING]
    with pytest.raises(ZStackBadAnswerError) as caught:
        VirtualizerInfoFetcher(api).fetch(uuids)
    hz.assert_clear(str(caught.value), hz.GET_VI, 'HTTP 200', 'a bad answer', needle, 'api_url')
    assert sim.requests_to(hz.GET_VI) == 1  # a 200 is not retried: it is wrong, not transient
    api.close()
    assert sim.counters()['active_sessions'] == 0


@pytest.mark.hardening('fault', 'malformed 200 from GetVirtualizerInfo')
def test_a_malformed_answer_fails_the_module(hz, sim, ansible):
    """The issue's case: an empty body made every UUID "no record" and the role called Unmatched hosts compliant."""
    sim.fault(status=200, body='{"inventories": null}', content_type='application/json', method='GET', path=hz.VI, count=5)
    run = ansible.run(hz.conn(sim, uuids=[hz.HOST_UNMATCHED, hz.VM_RUNNING, hz.VM_STOPPED]))
    assert run.failed and run.status == 'FAILED!', run.describe()
    hz.assert_clear(run.msg, hz.GET_VI, 'HTTP 200', '"inventories" is null', 'api_url')
    assert run.result['error']['type'] == 'ZStackBadAnswerError'
    assert 'virtualizer_info' not in run.result and 'Traceback' not in run.output
    assert run.delta('active_sessions') <= 0 and run.delta('logins') == run.delta('logouts')


@pytest.mark.hardening('fault', 'malformed 200 from GetVirtualizerInfo')
def test_an_answer_echoing_a_secret_shows_it_masked(hz, sim, client):
    sim.fault(status=200, body=json.dumps({'inventories': 'login with %s' % hz.PASSWORD}), content_type='application/json',
              method='GET', path=hz.VI, count=1)
    with pytest.raises(ZStackBadAnswerError) as caught:
        VirtualizerInfoFetcher(client()).fetch([hz.HOST_MATCHED])
    message = str(caught.value)
    assert hz.PASSWORD not in message and '********' in message, message


@pytest.mark.parametrize('body, needle', [
    ('{"inventories": null}', '"inventories" is null'),
    ('{"schema": {}}', '"inventories"'),
    ('{"inventories": [{"name": "kvm-1"}]}', 'inventories[0] has no uuid'),
])
@pytest.mark.hardening('fault', 'malformed 200 from a query')
def test_a_malformed_query_answer_is_a_bad_answer(hz, sim, client, body, needle):
    """The isolating QueryHost (after SYS.1007 for an unknown UUID): a bad answer, never "these UUIDs do not exist"."""
    sim.fault(status=200, body=body, content_type='application/json', method='GET', path='/v1/hosts', count=1)
    with pytest.raises(ZStackBadAnswerError) as caught:
        VirtualizerInfoFetcher(client()).fetch([hz.HOST_MATCHED, hz.MISSING])
    hz.assert_clear(str(caught.value), 'GET /v1/hosts', 'HTTP 200', needle)


@pytest.mark.hardening('fault', 'malformed 200 from a query')
def test_a_malformed_read_of_one_host_is_not_reported_as_not_found(hz, sim, ansible):
    sim.fault(status=200, body='{}', content_type='application/json', method='GET', path='/v1/hosts/', count=5)
    run = ansible.run(hz.conn(sim, uuid=hz.HOST_MATCHED, state='disabled'), module='zstack.cloud.zstack_host')
    assert run.failed, run.describe()
    hz.assert_clear(run.msg, 'GET /v1/hosts/%s' % hz.HOST_MATCHED, 'HTTP 200', 'a bad answer')
    assert 'no host with UUID' not in run.msg
    assert run.result['changed'] is False and run.delta('mutating_requests') == 0


@pytest.mark.hardening('fault', 'malformed 200 from an async job')
def test_a_job_result_without_inventory_fails_and_reports_the_change(hz, sim, ansible):
    """The job ran (its answer came): changed is true, and the message says what state the host may be in."""
    sim.fault(status=200, body='{"success": true}', content_type='application/json', method='GET', path='/v1/api-jobs/', count=5)
    run = ansible.run(hz.conn(sim, uuid=hz.HOST_MATCHED, state='disabled'), module='zstack.cloud.zstack_host')
    assert run.failed, run.describe()
    hz.assert_clear(run.msg, 'PUT /v1/hosts/%s/actions' % hz.HOST_MATCHED, 'a bad answer', '"inventory"',
                    'changeHostState was submitted', 'check its state')
    assert run.result['changed'] is True, run.describe()
    assert run.delta('active_sessions') <= 0


@pytest.mark.parametrize('body, needle', [
    ('{}', '"inventory"'),
    ('{"inventory": "1f3e6c2b9d8a4b7c8e5f6a7b8c9d0e1f"}', '"inventory" is a string'),
    ('{"inventory": {"accountUuid": "x"}}', 'no session'),
])
@pytest.mark.hardening('fault', 'malformed 200 from the login')
def test_a_malformed_login_answer_is_a_bad_answer(hz, sim, client, body, needle):
    sim.fault(status=200, body=body, content_type='application/json', method='PUT', path='/v1/accounts/login', count=1)
    with pytest.raises(ZStackBadAnswerError) as caught:
        VirtualizerInfoFetcher(client()).fetch([hz.HOST_MATCHED])
    hz.assert_clear(str(caught.value), 'PUT /v1/accounts/login', 'HTTP 200', needle)
    assert '1f3e6c2b9d8a4b7c8e5f6a7b8c9d0e1f' not in str(caught.value) or '"inventory" is a string' in needle
    assert sim.requests_to(hz.GET_VI) == 0


@pytest.mark.hardening('fault', 'malformed 202 from an async action')
def test_a_202_whose_location_is_not_a_url_is_a_bad_answer(hz, sim, client):
    sim.fault(status=202, body='{"location": 42}', content_type='application/json', method='PUT', path='/v1/hosts/', count=1)
    with pytest.raises(ZStackBadAnswerError) as caught:
        client().action('/hosts', hz.HOST_MATCHED, 'reconnectHost')
    hz.assert_clear(str(caught.value), 'PUT /v1/hosts/%s/actions' % hz.HOST_MATCHED, 'HTTP 202', 'location')
    assert caught.value.changed is True  # accepted by whatever answered: the change may have been made


# ---------------------------------------------------------------- redirects
@pytest.mark.parametrize('status', [301, 302, 307])
@pytest.mark.hardening('fault', 'redirect (portal or proxy)')
def test_a_redirect_names_its_location_and_the_likely_cause(hz, sim, client, status):
    sim.fault(status=status, body='', headers={'Location': 'https://sso.example.com/login?next=/zstack/v1/'},
              method='PUT', path='/v1/accounts/login', count=1)
    with pytest.raises(Exception) as caught:
        VirtualizerInfoFetcher(client()).fetch([hz.HOST_MATCHED])
    hz.assert_clear(str(caught.value), 'PUT /v1/accounts/login', 'HTTP %d' % status,
                    'a redirect to https://sso.example.com/login', 'portal or a proxy', 'api_url')
    assert 'empty body' not in str(caught.value)


@pytest.mark.hardening('fault', 'redirect (portal or proxy)')
def test_a_redirect_through_the_module(hz, sim, ansible):
    sim.fault(status=302, body='', headers={'Location': '/portal/'}, method='GET', path=hz.VI, count=5)
    run = ansible.run(hz.conn(sim, uuids=[hz.HOST_MATCHED]))
    assert run.failed, run.describe()
    hz.assert_clear(run.msg, hz.GET_VI, 'HTTP 302', 'a redirect to /portal/', 'portal or a proxy')
    assert run.requests_to(hz.GET_VI) == 1 and run.delta('active_sessions') <= 0


# ---------------------------------------------------------------- failed logout
@pytest.mark.hardening('fault', 'logout fails')
def test_a_failed_logout_warns(hz, sim, ansible, groups_by_uuid):
    sim.fault(status=500, body='java.lang.NullPointerException', method='DELETE', path='/v1/accounts/sessions/', count=5)
    run = ansible.run(hz.conn(sim, uuids=[hz.HOST_MATCHED]))
    assert not run.failed, run.describe()  # the real result is not hidden
    warnings = json.dumps(run.result.get('warnings'))  # strings, or dicts with ansible-core 2.19+
    assert 'logging out' in warnings and 'HTTP 500' in warnings and 'expires' in warnings, run.describe()
    assert '/accounts/sessions/<session>' in warnings
    assert dict((u, facts[0]) for u, facts in groups_by_uuid(run.result['groups']).items()) == {hz.HOST_MATCHED: 'Matched'}
    # the one session whose logout failed stays open on the management node until it expires: said, and counted apart
    assert run.delta('active_sessions') == 1 and run.delta('logouts') == 0, run.describe()
    props = ansible.request.node.user_properties
    props.remove(('sessions_left_open', 1))
    props.append(('sessions_left_warned', 1))
    sim.expire_sessions()
