# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Faults over real HTTP: each one recovers by retry, or fails once with a message that names
the HTTP status or ZStack code and says what to do; never a traceback; nothing half-done unreported.

Module-level cases run the real module (``ansible -m ... -vvv``); client-level cases drive
ZStackClient / VirtualizerInfoFetcher against the same simulator, with tiny backoff.
"""

from __future__ import annotations

import json
import threading
import time

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._client import Credentials, RetryPolicy
from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackAPIError,
    ZStackHTTPError,
    ZStackJobError,
    ZStackSessionError,
    ZStackTransportError,
)
from ansible_collections.zstack.cloud.plugins.module_utils._virtualizer import OUTPUTS, VirtualizerInfoFetcher

VI = '/v1/vm-instances/virtualizer-info'
GET_VI = 'GET /v1/vm-instances/virtualizer-info'


def conn(sim, **extra):
    args = {'api_url': sim.url, 'account_name': 'admin', 'password': '{{ hz_password }}'}
    args.update(extra)
    return args


def assert_failed_cleanly(hz, run, *needles):
    """One failure, a clear message, no traceback, read-only, and every session closed."""
    assert run.failed, run.describe()
    assert run.status == 'FAILED!', run.describe()
    hz.assert_clear(run.msg, *needles)
    assert 'Traceback' not in run.output, run.describe()
    assert 'exception' not in run.result, run.describe()
    assert run.delta('mutating_requests') == 0, run.describe()
    assert run.delta('active_sessions') <= 0, run.describe()


def assert_ok(run):
    assert not run.failed, run.describe()
    assert 'Traceback' not in run.output, run.describe()
    assert run.delta('mutating_requests') == 0, run.describe()
    assert run.delta('active_sessions') <= 0, run.describe()


# ---------------------------------------------------------------- connection refused
@pytest.mark.hardening('fault', 'connection refused')
def test_connection_refused_fails_after_bounded_retries(hz, client):
    """Through the module: test_hardening_bad_input.py::test_api_url_unreachable."""
    api = client(url='http://127.0.0.1:%d' % hz.closed_port())
    started = time.monotonic()
    with pytest.raises(ZStackTransportError) as caught:
        VirtualizerInfoFetcher(api).fetch([hz.HOST_MATCHED])
    hz.assert_clear(str(caught.value), 'Connection refused', 'after 4 attempts', 'api_url')
    assert api.request_count == 4
    assert time.monotonic() - started < 5


# ---------------------------------------------------------------- connection reset
@pytest.mark.hardening('fault', 'connection reset mid-response')
def test_reset_mid_body_of_a_get_recovers(hz, sim, client):
    sim.proxy.add_rule('cut', method='GET', path=VI, count=1)
    result = VirtualizerInfoFetcher(client()).fetch([hz.HOST_MATCHED, hz.VM_RUNNING])
    assert result['summary']['matched'] == 2
    assert sim.requests_to(GET_VI) == 2  # the cut answer, then the retry


@pytest.mark.hardening('fault', 'connection reset mid-response')
def test_connection_closed_before_the_answer_recovers(hz, sim, client):
    sim.fault(drop=True, method='GET', path=VI, count=2)
    result = VirtualizerInfoFetcher(client()).fetch([hz.HOST_UNMATCHED])
    assert [(g['verdict'], g['uuids']) for g in result['groups']] == [('Unmatched', [hz.HOST_UNMATCHED])]
    assert sim.requests_to(GET_VI) == 3


@pytest.mark.hardening('fault', 'connection reset mid-response')
def test_reset_on_every_answer_fails_cleanly_and_logs_out(hz, sim, client):
    sim.proxy.add_rule('cut', method='GET', path=VI, count=50)
    api = client()
    with pytest.raises(ZStackTransportError) as caught:
        VirtualizerInfoFetcher(api).fetch([hz.HOST_MATCHED])
    hz.assert_clear(str(caught.value), GET_VI, 'after 4 attempts', 'api_url')
    assert sim.requests_to(GET_VI) == 4
    api.close()
    assert sim.counters()['active_sessions'] == 0


@pytest.mark.hardening('fault', 'connection reset mid-response')
def test_lost_answer_of_an_action_is_not_repeated_and_is_reported(hz, sim, client):
    """A PUT whose answer is lost may have been carried out: never send it twice, and say so."""
    sim.proxy.add_rule('cut', method='PUT', path='/v1/hosts/', count=1)
    api = client()
    with pytest.raises(ZStackTransportError) as caught:
        api.action('/hosts', hz.HOST_MATCHED, 'reconnectHost')
    assert sim.counters()['actions'].get('reconnectHost') == 1  # done once on the MN, not repeated
    message = str(caught.value)
    assert 'PUT /v1/hosts/%s/actions' % hz.HOST_MATCHED in message
    # nothing half-done left unreported: the operator must learn the action may have happened
    assert 'may have' in message and 'state' in message, message


# ---------------------------------------------------------------- read timeout
@pytest.mark.hardening('fault', 'read timeout')
def test_one_read_timeout_recovers(hz, sim, client):
    sim.fault(delay=1.6, method='GET', path=VI, count=1)
    started = time.monotonic()
    result = VirtualizerInfoFetcher(client(timeout=1.0)).fetch([hz.VM_RUNNING])  # a margin for a loaded CI machine
    assert result['summary']['matched'] == 1
    assert sim.requests_to(GET_VI) == 2
    assert time.monotonic() - started < 6


@pytest.mark.hardening('fault', 'read timeout')
def test_read_timeout_every_time_fails_after_bounded_retries(hz, sim, client):
    sim.fault(delay=0.5, method='GET', path=VI, count=4)
    started = time.monotonic()
    with pytest.raises(ZStackTransportError) as caught:
        VirtualizerInfoFetcher(client(timeout=0.2)).fetch([hz.HOST_MATCHED])
    hz.assert_clear(str(caught.value), GET_VI, 'read timeout', 'after 4 attempts')
    assert sim.requests_to(GET_VI) == 4
    assert time.monotonic() - started < 5


# ---------------------------------------------------------------- 502 / 504 from a proxy
@pytest.mark.parametrize('status', [502, 504])
@pytest.mark.hardening('fault', '502 / 504 plain text from a proxy')
def test_proxy_error_is_retried_then_succeeds(hz, sim, client, status):
    sim.fault(status=status, body='<html><body>%d Gateway error (nginx)</body></html>' % status, content_type='text/html',
              method='GET', path=VI, count=2)
    result = VirtualizerInfoFetcher(client()).fetch([hz.HOST_MATCHED])
    assert result['summary']['matched'] == 1
    assert sim.requests_to(GET_VI) == 3


@pytest.mark.hardening('fault', '502 / 504 plain text from a proxy')
def test_502_every_time_fails_with_status_and_remedy(hz, sim, ansible):
    sim.fault(status=502, body='502 Bad Gateway (nginx)', method='GET', path=VI, count=10)
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED]))
    assert_failed_cleanly(hz, run, 'HTTP 502', 'nginx', 'after 4 attempts')
    assert run.requests_to(GET_VI) == 4
    assert run.result['error']['status'] == 502


@pytest.mark.hardening('fault', '502 / 504 plain text from a proxy')
def test_504_every_time_fails_with_status_and_remedy(hz, sim, client):
    sim.fault(status=504, body='504 Gateway Time-out (nginx)', method='GET', path=VI, count=10)
    with pytest.raises(ZStackHTTPError) as caught:
        VirtualizerInfoFetcher(client()).fetch([hz.HOST_MATCHED])
    hz.assert_clear(str(caught.value), 'HTTP 504', 'Gateway Time-out', 'timeout', 'after 4 attempts')
    assert sim.requests_to(GET_VI) == 4


# ---------------------------------------------------------------- 503 with Retry-After
@pytest.mark.hardening('fault', '503 with Retry-After')
def test_503_retry_after_is_honoured(hz, sim, client):
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        time.sleep(min(seconds, 0.05))

    sim.fault(status=503, body='Service Unavailable', headers={'Retry-After': '1.5'}, method='GET', path=VI, count=1)
    api = client(retry=RetryPolicy(retries=3, backoff=0.01, sleep=sleep))
    result = VirtualizerInfoFetcher(api).fetch([hz.HOST_MATCHED])
    assert result['summary']['matched'] == 1
    assert slept == [1.5]


@pytest.mark.hardening('fault', '503 with Retry-After')
def test_503_retry_after_recovers_through_the_module(hz, sim, ansible):
    sim.fault(status=503, body='Service Unavailable', headers={'Retry-After': '1'}, method='GET', path=VI, count=1)
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED]))
    assert_ok(run)
    assert run.result['summary']['matched'] == 1
    assert run.requests_to(GET_VI) == 2


@pytest.mark.hardening('fault', '503 with Retry-After')
def test_503_plain_text_every_time_fails_with_remedy(hz, sim, client):
    sim.fault(status=503, body='Service Unavailable', headers={'Retry-After': '0'}, method='GET', path=VI, count=10)
    with pytest.raises(ZStackHTTPError) as caught:
        VirtualizerInfoFetcher(client()).fetch([hz.HOST_MATCHED])
    hz.assert_clear(str(caught.value), 'HTTP 503', 'try again later')
    assert sim.requests_to(GET_VI) == 4


# ---------------------------------------------------------------- 503 business error
@pytest.mark.hardening('fault', '503 business error (no retry)')
def test_business_error_is_not_retried_and_names_the_code(hz, sim, ansible):
    sim.fault(status=503, body={'error': {'code': 'SYS.1006', 'description': 'An operation failed',
                                          'details': 'the management node is busy with host maintenance'}},
              method='GET', path=VI, count=1)
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED]))
    assert_failed_cleanly(hz, run, 'SYS.1006', 'HTTP 503', 'busy with host maintenance')
    assert run.requests_to(GET_VI) == 1  # a business error is never retried
    assert run.result['error']['code'] == 'SYS.1006'


@pytest.mark.hardening('fault', '503 business error (no retry)')
def test_ownership_error_of_a_tenant_is_not_retried(hz, sim, client):
    sim.reset(accounts=hz.FLEET['accounts'] + [{'name': 'tenant', 'password': hz.PASSWORD}])
    api = client(credentials=Credentials(account_name='tenant', password=hz.PASSWORD))
    with pytest.raises(ZStackAPIError) as caught:
        VirtualizerInfoFetcher(api).fetch([hz.HOST_MATCHED])
    assert caught.value.code == 'SYS.1007'
    assert 'not owned' in str(caught.value)
    assert sim.requests_to(GET_VI) == 1
    hz.assert_clear(str(caught.value), 'SYS.1007')


# ---------------------------------------------------------------- session expired mid-run
@pytest.mark.hardening('fault', 'session expired mid-run')
def test_session_expiry_mid_run_with_password_logs_in_again(hz, sim, ansible):
    sim.fault(delay=1.0, method='GET', path=VI, count=1)
    pending = ansible.start(conn(sim, uuids=[hz.HOST_MATCHED, hz.VM_RUNNING]))
    sim.expire_during_call(pending)
    run = pending.wait()
    assert_ok(run)
    assert run.result['summary']['matched'] == 2
    assert run.delta('logins') == 2  # the first session, then one re-login
    assert run.delta('logouts') == 1  # the fresh session is closed; the expired one is gone anyway
    assert run.after['active_sessions'] == run.before['active_sessions']


@pytest.mark.hardening('fault', 'session expired mid-run')
def test_session_expiry_mid_run_with_session_uuid_fails_clearly(hz, sim, ansible):
    session = sim.login()
    sim.fault(delay=1.0, method='GET', path=VI, count=1)
    pending = ansible.start({'api_url': sim.url, 'session_uuid': '{{ hz_session }}', 'uuids': [hz.HOST_MATCHED]},
                            session=session)
    sim.expire_during_call(pending)
    run = pending.wait()
    assert_failed_cleanly(hz, run, 'ID.1001', 'session_uuid')
    assert run.delta('logins') == 0  # never logs in behind the operator's back
    assert run.result['error']['code'] == 'ID.1001'


@pytest.mark.hardening('fault', 'session expired mid-run')
def test_session_expiry_between_calls_relogins_once(hz, sim, client):
    api = client()
    fetcher = VirtualizerInfoFetcher(api)
    assert fetcher.fetch([hz.HOST_MATCHED])['summary']['matched'] == 1
    sim.expire_sessions()
    assert fetcher.fetch([hz.HOST_MATCHED])['summary']['matched'] == 1
    assert api.relogins == 1
    api.close()
    assert sim.counters()['active_sessions'] == 0


@pytest.mark.hardening('fault', 'session expired mid-run')
def test_expired_given_session_is_not_relogged(hz, sim, client):
    session = sim.login()
    sim.expire_sessions([session])
    api = client(credentials=Credentials(session_uuid=session))
    with pytest.raises(ZStackSessionError) as caught:
        VirtualizerInfoFetcher(api).fetch([hz.HOST_MATCHED])
    hz.assert_clear(str(caught.value), 'ID.1001', 'session_uuid')
    assert session not in str(caught.value)


# ---------------------------------------------------------------- truncated or non-JSON body
@pytest.mark.hardening('fault', 'truncated or non-JSON body')
def test_truncated_json_answer_fails_clearly(hz, sim, ansible):
    sim.fault(status=200, body='{"inventories": [{"uuid": "%s", "resourceType": "Ho' % hz.HOST_MATCHED,
              content_type='application/json', method='GET', path=VI, count=1)
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED]))
    assert_failed_cleanly(hz, run, 'HTTP 200', 'not JSON')
    assert run.delta('logouts') == 1


@pytest.mark.hardening('fault', 'truncated or non-JSON body')
def test_html_page_instead_of_json_fails_clearly(hz, sim, client):
    sim.fault(status=200, body='<html><head><title>Login portal</title></head></html>', content_type='text/html',
              method='GET', path=VI, count=1)
    with pytest.raises(ZStackHTTPError) as caught:
        VirtualizerInfoFetcher(client()).fetch([hz.HOST_MATCHED])
    hz.assert_clear(str(caught.value), 'HTTP 200', 'not JSON', 'Login portal')


@pytest.mark.hardening('fault', 'truncated or non-JSON body')
def test_truncated_error_envelope_is_treated_as_transient(hz, sim, client):
    sim.fault(status=503, body='{"error": {"code": "SYS', content_type='application/json', method='GET', path=VI, count=1)
    result = VirtualizerInfoFetcher(client()).fetch([hz.HOST_MATCHED])
    assert result['summary']['matched'] == 1
    assert sim.requests_to(GET_VI) == 2


# ---------------------------------------------------------------- 414 request line too long
@pytest.mark.hardening('fault', '414 request line too long')
def test_414_splits_the_batch_and_answers_every_uuid(hz, sim, ansible):
    sim.reset(max_request_line=620)  # about 8 UUIDs a request (the limit counts the headers too, ~210 bytes here)
    uuids = [hz.demo('kvm-%d' % i) for i in range(1, 7)] + [hz.demo('vm-%d' % i) for i in range(1, 16)]
    run = ansible.run(conn(sim, uuids=uuids))
    assert_ok(run)
    assert sorted(x for g in run.result['groups'] for x in g['uuids']) == sorted(uuids)
    assert run.result['summary']['total'] == 21 and run.result['summary']['not_found'] == 0


@pytest.mark.hardening('fault', '414 request line too long')
def test_414_for_a_single_uuid_fails_with_status_and_remedy(hz, sim, ansible):
    sim.reset(max_request_line=275)  # shorter than one GetVirtualizerInfo request head (~300 bytes); login and logout (~250) still fit
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED]))
    assert_failed_cleanly(hz, run, 'HTTP 414')
    assert run.delta('logouts') == 1


# ---------------------------------------------------------------- async jobs
@pytest.mark.hardening('fault', 'async job expired (404)')
def test_expired_job_fails_with_job_id_and_remedy(hz, sim, client):
    sim.fault(status=404, body='the job has been expired', method='GET', path='/v1/api-jobs/', count=1)
    api = client(poll_interval=0.02)
    with pytest.raises(ZStackJobError) as caught:
        api.action('/hosts', hz.HOST_MATCHED, 'reconnectHost')
    hz.assert_clear(str(caught.value), 'HTTP 404', caught.value.job_uuid, 'the job has been expired', 'state')
    assert sim.counters()['mutating_requests'] == 1  # the action was sent once, never again


@pytest.mark.hardening('fault', 'async job never finishes (deadline)')
def test_job_deadline_fails_with_job_id_and_remedy(hz, sim, client):
    sim.jobs(10 ** 6)
    api = client(poll_interval=0.02, job_timeout=0.4)
    started = time.monotonic()
    with pytest.raises(ZStackJobError) as caught:
        api.action('/hosts', hz.HOST_MATCHED, 'reconnectHost')
    assert time.monotonic() - started < 3
    hz.assert_clear(str(caught.value), 'did not finish within', caught.value.job_uuid, 'still run')
    assert sim.counters()['mutating_requests'] == 1


# ---------------------------------------------------------------- 500 plain text
@pytest.mark.hardening('fault', '500 plain text')
def test_500_plain_text_every_time_fails_with_status_attempts_and_remedy(hz, sim, ansible):
    sim.fault(status=500, body='java.lang.NullPointerException', method='GET', path=VI, count=50)
    run = ansible.run(conn(sim, uuids=[hz.VM_RUNNING]))
    assert_failed_cleanly(hz, run, 'HTTP 500', 'NullPointerException', 'after 4 attempts')
    assert run.requests_to(GET_VI) == 4  # a GET is safe to repeat: bounded retries, then one clear failure
    assert run.delta('logouts') == 1


@pytest.mark.hardening('fault', '500 plain text')
def test_one_500_on_a_get_is_retried(hz, sim, client, groups_by_uuid):
    sim.fault(status=500, body='java.lang.NullPointerException', method='GET', path=VI, count=1)
    result = VirtualizerInfoFetcher(client()).fetch([hz.VM_RUNNING])
    assert [facts[0] for facts in groups_by_uuid(result['groups']).values()] == ['Matched'] and result['summary']['matched'] == 1
    assert sim.requests_to(GET_VI) == 2


@pytest.mark.hardening('fault', '500 plain text')
def test_500_on_an_action_is_not_repeated(hz, sim, client):
    """A PUT is never repeated on a 500: the management node may have carried it out."""
    sim.fault(status=500, body='java.lang.NullPointerException', method='PUT', path='/v1/hosts/', count=50)
    with pytest.raises(ZStackHTTPError) as caught:
        client().action('/hosts', hz.HOST_MATCHED, 'reconnectHost')
    hz.assert_clear(str(caught.value), 'HTTP 500', 'PUT /v1/hosts/%s/actions' % hz.HOST_MATCHED)
    assert sim.requests_to('PUT /v1/hosts/{uuid}/actions') == 1


# ---------------------------------------------------------------- a management node without the API
@pytest.mark.hardening('fault', 'management node without GetVirtualizerInfo')
def test_missing_api_is_detected_from_the_query_fallthrough(hz, sim, ansible):
    sim.reset(premium=False)
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED, hz.VM_RUNNING]))
    assert_failed_cleanly(hz, run, 'GetVirtualizerInfo', 'HTTP 200')
    assert 'needs a ZStack' in run.msg
    assert run.delta('logouts') == 1


@pytest.mark.hardening('fault', 'session expired mid-run')
def test_session_expiry_under_parallel_batches_relogins_once(hz, sim, client):
    """Eight batches in flight meet the expired session together: one re-login serves them all."""
    uuids = [hz.demo('kvm-%d' % i) for i in range(1, 7)] + [hz.demo('vm-%d' % i) for i in range(1, 16)]
    sim.fault(delay=0.5, method='GET', path=VI, count=8)
    api = client()
    fetcher = VirtualizerInfoFetcher(api, batch_size=1, workers=8)
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.setdefault('result', fetcher.fetch(uuids)))
    worker.start()
    deadline = time.monotonic() + 10
    while sim.requests_to(GET_VI) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sim.expire_sessions() == 1
    worker.join(30)
    assert sorted(x for g in outcome['result']['groups'] for x in g['uuids']) == sorted(uuids)
    assert outcome['result']['summary']['not_found'] == 0
    assert api.relogins == 1
    api.close()
    counters = sim.counters()
    assert counters['logins'] == 2 and counters['active_sessions'] == 0


# ---------------------------------------------------------------- async jobs: a passing 500, a wait that fails
@pytest.mark.hardening('fault', '500 on a job poll')
def test_one_500_on_a_job_poll_is_retried(hz, sim, ansible):
    sim.jobs(2)
    sim.fault(status=500, body='java.lang.NullPointerException', method='GET', path='/v1/api-jobs/', count=1)
    run = ansible.run(conn(sim, uuid=hz.HOST_MATCHED, state='disabled'), module='zstack.cloud.zstack_host')
    assert not run.failed, run.describe()
    assert run.result['changed'] is True and run.result['host']['state'] == 'Disabled'
    assert run.delta('mutating_requests') == 1  # the action once; only the poll was repeated
    assert run.requests_to('GET /v1/api-jobs/{uuid}') >= 3


@pytest.mark.hardening('fault', 'async job never finishes (deadline)')
def test_a_wait_that_fails_after_the_change_was_submitted_reports_changed(hz, sim, ansible):
    """The change went in: changed is true although the module failed, and the message says what state it may be in."""
    sim.jobs(10 ** 6)
    run = ansible.run(conn(sim, uuid=hz.HOST_MATCHED, state='disabled', wait_timeout=1), module='zstack.cloud.zstack_host')
    assert run.failed, run.describe()
    hz.assert_clear(run.msg, 'did not finish within 1s', 'changeHostState was submitted for %s' % hz.HOST_MATCHED,
                    'old state, its new one or still changing')
    assert run.result['changed'] is True, run.describe()
    assert run.delta('mutating_requests') == 1 and run.delta('active_sessions') <= 0


@pytest.mark.hardening('fault', 'async job fails')
def test_a_failed_job_after_a_done_one_reports_changed(hz, sim, ansible):
    """The state change ran, then the reconnect job failed: changed is true, and both are named."""
    sim.control('POST', 'faults', {'job_error': {'code': 'HOST.1002', 'details': 'unable to connect to kvm-1'},
                                   'action': 'reconnectHost', 'count': 1})
    run = ansible.run(conn(sim, uuid=hz.HOST_MATCHED, state='disabled', reconnect=True), module='zstack.cloud.zstack_host')
    assert run.failed, run.describe()
    hz.assert_clear(run.msg, 'HOST.1002', 'changeHostState already done in job', 'reconnectHost was submitted')
    assert run.result['changed'] is True, run.describe()


@pytest.mark.hardening('fault', 'connection reset mid-response')
def test_a_lost_action_answer_through_the_module_reports_changed(hz, sim, ansible):
    sim.proxy.add_rule('cut', method='PUT', path='/v1/hosts/', count=1)
    run = ansible.run(conn(sim, uuid=hz.HOST_MATCHED, state='disabled'), module='zstack.cloud.zstack_host')
    assert run.failed, run.describe()
    hz.assert_clear(run.msg, 'PUT /v1/hosts/%s/actions' % hz.HOST_MATCHED, 'may have', 'state')
    assert run.result['changed'] is True, run.describe()
    assert sim.counters()['actions'].get('changeHostState') == 1


# ---------------------------------------------------------------- on_batch_error=report: every UUID comes back
FLEET_UUIDS = ('kvm-1', 'kvm-2', 'kvm-3', 'vm-1', 'vm-3')


@pytest.mark.hardening('fault', 'a batch keeps failing (on_batch_error)')
@pytest.mark.parametrize('output', OUTPUTS)
def test_report_gives_the_failing_batch_verdict_error_and_the_rest_as_read(hz, sim, client, groups_by_uuid, output):
    uuids = [hz.demo(name) for name in FLEET_UUIDS]
    sim.fault(status=504, body='504 Gateway Time-out (nginx)', method='GET', path=VI, count=4)  # the first batch, 4 tries
    fetcher = VirtualizerInfoFetcher(client(), batch_size=2, workers=1)
    result = fetcher.fetch(uuids, output=output, on_batch_error='report')
    hz.assert_every_uuid_back(uuids, result)
    by_uuid = groups_by_uuid(result['groups'])  # every output, the default grouped one included
    assert [by_uuid[u][0] for u in uuids] == ['Error', 'Error', 'Unmatched', 'Matched', 'NoRecord']
    error_group = next(g for g in result['groups'] if g['verdict'] == 'Error')
    assert error_group['uuids'] == uuids[:2] and error_group['resource_type'] is None
    hz.assert_clear(error_group['reason'], 'not read', 'batch of 2 UUIDs', GET_VI, 'HTTP 504', 'after 4 attempts')
    if output != 'grouped':
        assert [result['verdicts'][u] for u in uuids] == ['Error', 'Error', 'Unmatched', 'Matched', 'NoRecord']
        entry = result['virtualizer_info'][uuids[0]]  # every output with entries details what is not Matched
        assert entry['reason'] == error_group['reason']
        assert entry['match_state'] is None and entry['resource_type'] is None
    assert result['summary']['error'] == 2 and result['summary']['total'] == 5
    assert fetcher.batch_errors and fetcher.batch_errors[0][0] == uuids[:2]


@pytest.mark.hardening('fault', 'a batch keeps failing (on_batch_error)')
def test_report_through_the_module_warns_and_fail_is_the_default(hz, sim, ansible):
    uuids = [hz.demo(name) for name in FLEET_UUIDS]
    sim.fault(status=502, body='502 Bad Gateway', method='GET', path=VI, count=4)
    run = ansible.run(conn(sim, uuids=uuids, batch_size=2, workers=1, output='verdicts', on_batch_error='report'))
    assert not run.failed, run.describe()
    assert run.result['summary']['error'] == 2 and run.result['verdicts'][uuids[0]] == 'Error'
    assert run.result['virtualizer_info'][uuids[1]]['verdict'] == 'Error'  # output=verdicts details what is not Matched
    warnings = json.dumps(run.result.get('warnings'))
    assert '2 of 5 UUIDs have the verdict Error' in warnings and 'never count Error as compliant' in warnings
    sim.fault(status=502, body='502 Bad Gateway', method='GET', path=VI, count=4)
    run = ansible.run(conn(sim, uuids=uuids, batch_size=2, workers=1))
    assert_failed_cleanly(hz, run, 'HTTP 502', 'after 4 attempts')


@pytest.mark.hardening('fault', 'a batch keeps failing (on_batch_error)')
def test_report_marks_uuids_whose_no_record_query_keeps_failing(hz, sim, client, groups_by_uuid):
    uuids = [hz.HOST_MATCHED, hz.VM_STOPPED]
    sim.fault(status=500, body='java.lang.NullPointerException', method='GET', path='/v1/hosts', count=4)
    result = VirtualizerInfoFetcher(client()).fetch(uuids, on_batch_error='report')
    hz.assert_every_uuid_back(uuids, result)
    by_uuid = groups_by_uuid(result['groups'])
    assert dict((u, by_uuid[u][0]) for u in uuids) == {hz.HOST_MATCHED: 'Matched', hz.VM_STOPPED: 'Error'}
    hz.assert_clear(by_uuid[hz.VM_STOPPED][4], 'not explained', 'GET /v1/hosts', 'HTTP 500')
    sim.fault(status=500, body='java.lang.NullPointerException', method='GET', path='/v1/hosts', count=4)
    full = VirtualizerInfoFetcher(client()).fetch(uuids, output='full', on_batch_error='report')
    hz.assert_every_uuid_back(uuids, full)
    assert full['verdicts'] == {hz.HOST_MATCHED: 'Matched', hz.VM_STOPPED: 'Error'}
    hz.assert_clear(full['virtualizer_info'][hz.VM_STOPPED]['reason'], 'not explained', 'GET /v1/hosts', 'HTTP 500')


@pytest.mark.hardening('fault', 'a batch keeps failing (on_batch_error)')
def test_report_still_fails_whole_on_errors_of_the_whole_run(hz, sim, client):
    """Credentials, permissions, an unreachable node: every batch would fail alike, so the run fails."""
    api = client(url='http://127.0.0.1:%d' % hz.closed_port())
    with pytest.raises(ZStackTransportError) as caught:
        VirtualizerInfoFetcher(api, batch_size=1, workers=1).fetch([hz.HOST_MATCHED, hz.VM_RUNNING], on_batch_error='report')
    hz.assert_clear(str(caught.value), 'Connection refused', 'api_url')
    assert api.request_count == 4  # one batch's retries, then the run stops: not every batch's
    sim.expire_sessions()
    api = client(credentials=Credentials(session_uuid='ab' * 16))
    with pytest.raises(ZStackSessionError):
        VirtualizerInfoFetcher(api, batch_size=1).fetch([hz.HOST_MATCHED, hz.VM_RUNNING], on_batch_error='report')
