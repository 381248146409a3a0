# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the ZStack client through its transport seam (no network)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._client import (
    Credentials,
    Response,
    RetryPolicy,
    ZStackClient,
    encode_query,
    hash_password,
    normalize_api_url,
    sign_access_key,
)
from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackAPIError,
    ZStackAuthError,
    ZStackBadAnswerError,
    ZStackConfigError,
    ZStackHTTPError,
    ZStackJobError,
    ZStackSessionError,
    ZStackTransportError,
)

SESSION = 'a1' * 16
SESSION2 = 'b2' * 16
PASSWORD = 'S3cret-pass'


class FakeTransport:
    """Answers from a script of Response objects or exceptions; records every request."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []
        self.closed = False

    def send(self, method, url, headers, body, timeout):
        self.requests.append({'method': method, 'url': url, 'headers': dict(headers), 'body': body, 'timeout': timeout})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def close(self):
        self.closed = True


def ok(body, status=200, headers=None):
    return Response(status, headers or {}, json.dumps(body))


def err(code, details='x', status=503, cause=None):
    error = {'code': code, 'description': 'desc of %s' % code, 'details': details}
    if cause:
        error['cause'] = cause
    return Response(status, {}, json.dumps({'error': error}))


def text(status, body='', headers=None):
    return Response(status, headers or {}, body)


def login_ok(session=SESSION):
    return ok({'inventory': {'uuid': session, 'accountUuid': 'c' * 32}})


def make_client(transport, creds=None, **kwargs):
    sleeps = []
    kwargs.setdefault('retry', RetryPolicy(retries=3, backoff=0.01, sleep=sleeps.append))
    client = ZStackClient('http://mn.example:8080', creds or Credentials(account_name='admin', password=PASSWORD),
                          transport=transport, **kwargs)
    client.sleeps = sleeps
    return client


def transport_error(sent):
    exc = ZStackTransportError('connection failed (boom)')
    exc.request_sent = sent
    return exc


# ---------------------------------------------------------------- pure helpers
def test_encode_query_repeats_list_keys_and_escapes():
    assert encode_query([('uuids', ['a', 'b']), ('q', ['uuid?=a,b']), ('skip', None), ('flag', True)]) == \
        'uuids=a&uuids=b&q=uuid%3F%3Da%2Cb&flag=true'


@pytest.mark.parametrize('url,expected', [
    ('http://mn:8080', 'http://mn:8080'),
    ('http://mn:8080/', 'http://mn:8080'),
    ('https://mn:8443/zstack', 'https://mn:8443'),
    ('http://mn:8080/zstack/v1/', 'http://mn:8080'),
])
def test_normalize_api_url_accepts_root_and_context_path(url, expected):
    assert normalize_api_url(url) == expected


@pytest.mark.parametrize('url,fragment', [
    ('mn:8080', 'not an http(s) URL'),
    ('zstack.example.com', 'not an http(s) URL'),
    ('ftp://mn', 'not an http(s) URL'),
    ('http://mn:8080/api', "has the path '/api'"),
    ('http://mn:8080/?x=1', 'query string'),
    ('', 'api_url is required'),
    (None, 'api_url is required'),
])
def test_normalize_api_url_rejects_with_remedy(url, fragment):
    with pytest.raises(ZStackConfigError) as info:
        normalize_api_url(url)
    assert fragment in str(info.value)
    assert 'http://zstack.example.com:8080' in str(info.value)


def test_hash_password_is_sha512_hex():
    assert hash_password('password') == hashlib.sha512(b'password').hexdigest()
    assert hash_password('password').startswith('b109f3bb')


def test_sign_access_key_matches_hmac_sha1_of_method_date_uri():
    expected = base64.b64encode(hmac.new(b'secret', b'GET\nThu, 17 Oct 2024 13:43:35 CST\n/v1/hosts', hashlib.sha1).digest()).decode()
    assert sign_access_key('secret', 'get', 'Thu, 17 Oct 2024 13:43:35 CST', '/v1/hosts') == expected


@pytest.mark.parametrize('kwargs,fragment', [
    ({}, 'no credentials given'),
    ({'account_name': 'admin', 'password': 'x', 'session_uuid': SESSION}, 'conflicting credentials'),
    ({'access_key_id': 'id', 'session_uuid': SESSION}, 'conflicting credentials'),
    ({'access_key_id': 'id'}, 'needs both access_key_id and access_key_secret'),
    ({'password': 'x'}, 'needs account_name'),
    ({'user_name': 'bob', 'account_name': 'acme'}, 'password is missing'),
])
def test_credentials_errors_name_the_inputs(kwargs, fragment):
    with pytest.raises(ZStackConfigError) as info:
        Credentials(**kwargs)
    assert fragment in str(info.value)


@pytest.mark.parametrize('kwargs,kind', [
    ({'account_name': 'admin', 'password': 'x'}, 'account'),
    ({'account_name': 'acme', 'user_name': 'bob', 'password': 'x'}, 'user'),
    ({'session_uuid': SESSION}, 'session'),
    ({'access_key_id': 'id', 'access_key_secret': 's'}, 'access_key'),
])
def test_credentials_kind(kwargs, kind):
    assert Credentials(**kwargs).kind == kind


# ---------------------------------------------------------------- auth
def test_account_login_sends_only_the_sha512_hex_and_logs_out_at_close():
    transport = FakeTransport(login_ok(), ok({'inventories': []}), ok({}))
    with make_client(transport) as client:
        client.get('/hosts')
    login, call, logout = transport.requests
    assert login['method'] == 'PUT' and login['url'] == 'http://mn.example:8080/zstack/v1/accounts/login'
    body = json.loads(login['body'])
    assert body == {'logInByAccount': {'accountName': 'admin', 'password': hash_password(PASSWORD)}}
    assert PASSWORD not in login['body']
    assert 'Authorization' not in login['headers']
    assert call['headers']['Authorization'] == 'OAuth ' + SESSION
    assert logout['method'] == 'DELETE' and logout['url'].endswith('/zstack/v1/accounts/sessions/' + SESSION)
    assert transport.closed


def test_user_login_uses_login_by_user():
    transport = FakeTransport(login_ok(), ok({}), ok({}))
    client = make_client(transport, Credentials(account_name='acme', user_name='bob', password=PASSWORD))
    client.get('/hosts')
    client.close()
    assert transport.requests[0]['url'].endswith('/zstack/v1/accounts/users/login')
    assert json.loads(transport.requests[0]['body']) == {
        'logInByUser': {'accountName': 'acme', 'userName': 'bob', 'password': hash_password(PASSWORD)}}


def test_given_session_is_used_as_is_and_never_logged_out():
    transport = FakeTransport(ok({'inventories': []}))
    client = make_client(transport, Credentials(session_uuid=SESSION))
    client.get('/hosts')
    client.close()
    assert len(transport.requests) == 1
    assert transport.requests[0]['headers']['Authorization'] == 'OAuth ' + SESSION


def test_access_key_signs_path_after_context_path_without_query():
    transport = FakeTransport(ok({'inventories': []}))
    client = make_client(transport, Credentials(access_key_id='AKID', access_key_secret='sekrit'))
    client.get('/vm-instances/virtualizer-info', params=[('uuids', ['a' * 32])])
    headers = transport.requests[0]['headers']
    date = headers['Date']
    expected = sign_access_key('sekrit', 'GET', date, '/v1/vm-instances/virtualizer-info')
    assert headers['Authorization'] == 'ZStack AKID:' + expected
    assert 'sekrit' not in json.dumps(transport.requests)


def test_wrong_password_is_an_auth_error_with_remedy():
    transport = FakeTransport(err('ID.1000', 'wrong account name or password'))
    client = make_client(transport)
    with pytest.raises(ZStackAuthError) as info:
        client.get('/hosts')
    message = str(info.value)
    assert 'ID.1000' in message and 'wrong account name or password' in message and 'PUT /v1/accounts/login' in message
    assert 'password' in info.value.remedy
    assert PASSWORD not in message and hash_password(PASSWORD) not in message


def test_session_expiry_mid_run_logs_in_again_once_and_retries():
    transport = FakeTransport(
        login_ok(SESSION), ok({'a': 1}),
        err('ID.1001', 'Session expired'), login_ok(SESSION2), ok({'b': 2}),
        ok({}))
    client = make_client(transport)
    assert client.get('/hosts') == {'a': 1}
    assert client.get('/hosts') == {'b': 2}
    client.close()
    assert client.relogins == 1
    assert transport.requests[4]['headers']['Authorization'] == 'OAuth ' + SESSION2
    assert transport.requests[5]['url'].endswith('/accounts/sessions/' + SESSION2)


def test_session_expiry_twice_in_a_row_fails():
    transport = FakeTransport(login_ok(), err('ID.1001', 'Session expired'), login_ok(SESSION2),
                              err('ID.1001', 'Session expired'), ok({}))
    client = make_client(transport)
    with pytest.raises(ZStackSessionError):
        client.get('/hosts')


def test_expired_given_session_fails_with_clear_remedy():
    transport = FakeTransport(err('ID.1001', 'Session expired'))
    client = make_client(transport, Credentials(session_uuid=SESSION))
    with pytest.raises(ZStackSessionError) as info:
        client.get('/hosts')
    assert 'fresh session_uuid' in str(info.value)
    assert SESSION not in str(info.value)
    assert len(transport.requests) == 1


# ---------------------------------------------------------------- retries
def test_retries_proxy_errors_then_succeeds():
    transport = FakeTransport(text(502, 'Bad Gateway'), text(504, 'Gateway Timeout'), ok({'ok': True}))
    client = make_client(transport, Credentials(session_uuid=SESSION))
    assert client.get('/hosts') == {'ok': True}
    assert len(transport.requests) == 3
    assert len(client.sleeps) == 2


def test_retry_after_is_honoured_and_clamped():
    transport = FakeTransport(text(503, 'busy', {'Retry-After': '2'}), text(503, 'busy', {'Retry-After': '9999'}), ok({}))
    client = make_client(transport, Credentials(session_uuid=SESSION),
                         retry=RetryPolicy(retries=3, max_retry_after=30, sleep=lambda s: None))
    sleeps = []
    client.retry.sleep = sleeps.append
    client.get('/hosts')
    assert sleeps == [2.0, 30.0]


def test_retries_are_bounded():
    transport = FakeTransport(*[text(502, 'Bad Gateway')] * 4)
    client = make_client(transport, Credentials(session_uuid=SESSION))
    with pytest.raises(ZStackHTTPError) as info:
        client.get('/hosts')
    assert info.value.status == 502
    assert len(transport.requests) == 4


def test_business_error_503_is_not_retried():
    transport = FakeTransport(err('SYS.1007', "The 'uuids' parameter must belong to the VmInstanceVO or HostVO"))
    client = make_client(transport, Credentials(session_uuid=SESSION))
    with pytest.raises(ZStackAPIError) as info:
        client.get('/vm-instances/virtualizer-info', params=[('uuids', ['a' * 32])])
    assert len(transport.requests) == 1
    assert info.value.code == 'SYS.1007'
    assert 'GET /v1/vm-instances/virtualizer-info' in str(info.value)
    assert 'uuids=' not in str(info.value)


def test_connection_refused_is_retried_for_any_method():
    transport = FakeTransport(transport_error(sent=False), ok({'ok': 1}))
    client = make_client(transport, Credentials(session_uuid=SESSION))
    assert client.call('PUT', '/hosts/x/actions', body={'reconnectHost': {}}) == {'ok': 1}


def test_reset_after_sending_a_put_is_not_retried():
    transport = FakeTransport(transport_error(sent=True))
    client = make_client(transport, Credentials(session_uuid=SESSION))
    with pytest.raises(ZStackTransportError) as info:
        client.call('PUT', '/hosts/x/actions', body={'reconnectHost': {}})
    assert len(transport.requests) == 1
    assert 'PUT /v1/hosts/x/actions' in str(info.value)


def test_transport_failure_after_retries_names_attempts():
    transport = FakeTransport(*[transport_error(sent=True)] * 4)
    client = make_client(transport, Credentials(session_uuid=SESSION))
    with pytest.raises(ZStackTransportError) as info:
        client.get('/hosts')
    assert 'after 4 attempts' in str(info.value)
    assert 'reachable ZStack management node' in str(info.value)


def test_non_json_200_is_a_clear_error():
    transport = FakeTransport(text(200, '<html>login page</html>'))
    client = make_client(transport, Credentials(session_uuid=SESSION))
    with pytest.raises(ZStackHTTPError) as info:
        client.get('/hosts')
    assert 'not JSON' in str(info.value) and 'not another web server' in str(info.value)


def test_plain_text_400_keeps_the_server_text():
    transport = FakeTransport(text(400, "missing header 'Authorization'"))
    client = make_client(transport, Credentials(session_uuid=SESSION))
    with pytest.raises(ZStackHTTPError) as info:
        client.get('/hosts')
    assert "missing header 'Authorization'" in str(info.value) and info.value.status == 400


def test_error_cause_chain_is_in_the_message():
    transport = FakeTransport(err('SYS.1006', 'operation failed', cause={'code': 'VM.1010', 'details': 'state[Stopped]'}))
    client = make_client(transport, Credentials(session_uuid=SESSION))
    with pytest.raises(ZStackAPIError) as info:
        client.get('/vm-instances/x/migration-target-hosts')
    assert info.value.cause_codes() == ['SYS.1006', 'VM.1010']
    assert 'caused by VM.1010: state[Stopped]' in str(info.value)


# ---------------------------------------------------------------- async jobs
def test_async_job_location_is_rebuilt_on_our_base_url():
    job = 'f' * 32
    transport = FakeTransport(
        ok({'location': 'http://10.0.0.5:8080/zstack/v1/api-jobs/%s' % job, 'apiTimeout': 1800000}, status=202),
        ok({}, status=202),
        ok({'inventory': {'uuid': 'h1', 'status': 'Connected'}}))
    client = make_client(transport, Credentials(session_uuid=SESSION), poll_interval=0)
    result = client.action('/hosts', 'h1', 'reconnectHost')
    assert result['inventory']['status'] == 'Connected'
    assert result['_job_uuid'] == job
    put, poll1, poll2 = transport.requests
    assert json.loads(put['body']) == {'reconnectHost': {}}
    assert len(put['headers']['X-Job-UUID']) == 32
    assert poll1['url'] == 'http://mn.example:8080/zstack/v1/api-jobs/' + job
    assert poll1['method'] == poll2['method'] == 'GET'


def test_async_job_polls_are_reported_to_the_progress_hook_without_secrets():
    job = 'f' * 32
    transport = FakeTransport(login_ok(), ok({'location': 'http://x/zstack/v1/api-jobs/%s' % job}, status=202),
                              ok({}, status=202), ok({}, status=202), ok({'inventory': {'uuid': 'h1'}}), ok({}))
    client = make_client(transport, poll_interval=0)
    seen = []
    client.progress = lambda state, job_uuid: seen.append((state, job_uuid))
    client.action('/hosts', 'h1', 'reconnectHost')
    client.close()
    # one report before each poll: three polls, the last one answered the result
    assert seen == [('job %s running' % job, job)] * 3
    assert not any(secret in repr(seen) for secret in client.secrets)


def test_async_job_failure_is_an_api_error_with_the_job_id():
    job = 'e' * 32
    transport = FakeTransport(
        ok({'location': 'http://x/zstack/v1/api-jobs/%s' % job}, status=202),
        err('HOST.1002', 'unable to reconnect', cause={'code': 'SYS.1006', 'details': 'agent down'}))
    client = make_client(transport, Credentials(session_uuid=SESSION), poll_interval=0)
    with pytest.raises(ZStackAPIError) as info:
        client.action('/hosts', 'h1', 'reconnectHost')
    assert info.value.job_uuid == job and info.value.code == 'HOST.1002'
    assert 'PUT /v1/hosts/h1/actions' in str(info.value)


def test_async_job_expired_404():
    transport = FakeTransport(ok({'location': 'http://x/zstack/v1/api-jobs/' + 'd' * 32}, status=202),
                              text(404, 'the job has been expired'))
    client = make_client(transport, Credentials(session_uuid=SESSION), poll_interval=0)
    with pytest.raises(ZStackJobError) as info:
        client.action('/hosts', 'h1', 'reconnectHost')
    assert 'unknown or expired' in str(info.value)


def test_async_job_deadline():
    ticks = iter(range(0, 1000, 10))
    transport = FakeTransport(ok({'location': 'http://x/zstack/v1/api-jobs/' + 'c' * 32}, status=202),
                              *[ok({}, status=202)] * 20)
    client = make_client(transport, Credentials(session_uuid=SESSION), poll_interval=0, job_timeout=30,
                         clock=lambda: next(ticks))
    with pytest.raises(ZStackJobError) as info:
        client.action('/hosts', 'h1', 'reconnectHost')
    assert 'did not finish within 30s' in str(info.value)


def test_query_builds_conditions_and_paging():
    transport = FakeTransport(ok({'inventories': [{'uuid': str(i)} for i in range(2)]}), ok({'inventories': [{'uuid': '2'}]}))
    client = make_client(transport, Credentials(session_uuid=SESSION))
    result = client.query_all('/hosts', ['status=Connected'], fields=['uuid'], page_size=2)
    assert [r['uuid'] for r in result] == ['0', '1', '2']
    assert transport.requests[0]['url'].endswith('/zstack/v1/hosts?q=status%3DConnected&limit=2&fields=uuid&sort=uuid')
    assert 'start=2' in transport.requests[1]['url']


def test_query_all_pages_in_the_given_sort_order():
    pages = [[{'name': 'n%d' % i} for i in range(start, min(start + 2, 5))] for start in (0, 2, 4)]
    transport = FakeTransport(*[ok({'inventories': page}) for page in pages])
    client = make_client(transport, Credentials(session_uuid=SESSION))
    result = client.query_all('/global-configurations', ['category=host'], page_size=2, sort='name')
    assert [r['name'] for r in result] == ['n0', 'n1', 'n2', 'n3', 'n4']
    assert [r['url'].split('?', 1)[1] for r in transport.requests] == [
        'q=category%3Dhost&limit=2&sort=name', 'q=category%3Dhost&limit=2&start=2&sort=name',
        'q=category%3Dhost&limit=2&start=4&sort=name']


def test_query_all_rejects_an_inventory_without_the_sort_key():
    transport = FakeTransport(ok({'inventories': [{'name': 'n0'}, {'category': 'host'}]}))
    client = make_client(transport, Credentials(session_uuid=SESSION))
    with pytest.raises(ZStackBadAnswerError) as info:
        client.query_all('/global-configurations', page_size=2, sort='name')
    assert 'inventories[1] has no name' in str(info.value)


def test_query_all_asks_once_more_after_a_full_last_page():
    transport = FakeTransport(ok({'inventories': [{'uuid': '0'}, {'uuid': '1'}]}), ok({'inventories': []}))
    client = make_client(transport, Credentials(session_uuid=SESSION))
    assert [r['uuid'] for r in client.query_all('/hosts', page_size=2)] == ['0', '1']
    assert len(transport.requests) == 2 and 'start=2' in transport.requests[1]['url']


@pytest.mark.parametrize('size', [0, -1, '10', 2.0, True, None])
def test_query_all_rejects_a_bad_page_size_before_any_request(size):
    transport = FakeTransport()
    client = make_client(transport, Credentials(session_uuid=SESSION))
    with pytest.raises(ZStackConfigError) as info:
        client.query_all('/hosts', page_size=size)
    assert 'page_size must be a positive integer, got %r' % (size,) in str(info.value)
    assert transport.requests == []


@pytest.mark.parametrize('timeout', [0, -1, True, 'soon'])
def test_timeout_must_be_positive(timeout):
    with pytest.raises(ZStackConfigError) as info:
        ZStackClient('http://mn:8080', Credentials(session_uuid=SESSION), timeout=timeout, transport=FakeTransport())
    assert 'timeout must be a positive number' in str(info.value)
