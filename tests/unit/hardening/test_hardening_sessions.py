# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Sessions and doing no more than asked: every session the collection opened is logged out
(the simulator's active-session counter returns to its starting value), a session the operator
gave is never closed, one run opens one session however many batches it sends, and the info
module sends nothing but reads."""

from __future__ import annotations

import pytest

GET_VI = 'GET /v1/vm-instances/virtualizer-info'
READ_ONLY = ('GET ', 'PUT /v1/accounts/login', 'DELETE /v1/accounts/sessions/{uuid}')


def conn(sim, **extra):
    args = {'api_url': sim.url, 'account_name': 'admin', 'password': '{{ hz_password }}'}
    args.update(extra)
    return args


def assert_sessions_back(run):
    assert run.after['active_sessions'] == run.before['active_sessions'], run.describe()
    assert run.delta('logins') == run.delta('logouts'), run.describe()


def assert_read_only(run):
    assert run.delta('mutating_requests') == 0, run.describe()
    sent = [key for key, count in run.after['requests'].items() if count != run.before['requests'].get(key, 0)]
    assert all(key.startswith(READ_ONLY) for key in sent), sent


@pytest.mark.hardening('session', 'logged out after success')
def test_one_session_opened_and_closed_on_success(hz, sim, ansible):
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED, hz.VM_RUNNING, hz.VM_STOPPED, hz.MISSING]))
    assert not run.failed, run.describe()
    assert run.delta('logins') == 1
    assert_sessions_back(run)
    assert_read_only(run)


@pytest.mark.hardening('session', 'logged out after a failure mid-run')
def test_session_closed_when_the_run_fails_after_login(hz, sim, ansible):
    # an unknown UUID makes GetVirtualizerInfo fail with SYS.1007; the isolating QueryHost then fails for good
    sim.fault(status=500, body='java.lang.NullPointerException', method='GET', path='/v1/hosts', count=50)
    run = ansible.run(conn(sim, uuids=[hz.HOST_MATCHED, hz.MISSING]))
    assert run.failed and 'HTTP 500' in run.msg and 'after 4 attempts' in run.msg, run.describe()
    assert run.delta('logins') == 1
    assert_sessions_back(run)
    assert_read_only(run)


@pytest.mark.hardening('session', 'one session for many batches')
def test_many_parallel_batches_share_one_session(hz, sim, ansible):
    uuids = [hz.demo('kvm-%d' % i) for i in range(1, 7)] + [hz.demo('vm-%d' % i) for i in range(1, 16)]
    run = ansible.run(conn(sim, uuids=uuids, batch_size=1, workers=8))
    assert not run.failed, run.describe()
    assert run.result['summary']['total'] == 21
    assert run.delta('logins') == 1
    assert run.requests_to(GET_VI) == 21
    assert_sessions_back(run)
    assert_read_only(run)


@pytest.mark.hardening('session', 'a given session_uuid is never closed')
def test_given_session_is_left_open(hz, sim, ansible):
    session = sim.login()
    run = ansible.run({'api_url': sim.url, 'session_uuid': '{{ hz_session }}', 'uuids': [hz.HOST_MATCHED]}, session=session)
    assert not run.failed, run.describe()
    assert run.delta('logins') == 0 and run.delta('logouts') == 0
    assert sim.session_valid(session)  # still usable by its owner
    assert_read_only(run)


@pytest.mark.hardening('session', 'access key opens no session')
def test_access_key_opens_no_session(hz, sim, ansible):
    run = ansible.run({'api_url': sim.url, 'access_key_id': hz.ACCESS_KEY_ID, 'access_key_secret': '{{ hz_ak_secret }}',
                       'uuids': [hz.HOST_MATCHED, hz.VM_RUNNING]})
    assert not run.failed, run.describe()
    assert run.result['summary']['matched'] == 2
    assert run.delta('logins') == 0 and run.delta('active_sessions') == 0
    assert_read_only(run)


@pytest.mark.hardening('session', 'logged out after a re-login')
def test_relogin_closes_the_fresh_session(hz, sim, client):
    api = client()
    api.get('/hosts', params=[('limit', 1)])
    sim.expire_sessions()
    api.get('/hosts', params=[('limit', 1)])
    assert api.relogins == 1
    api.close()
    counters = sim.counters()
    assert counters['active_sessions'] == 0
    assert counters['logins'] == 2 and counters['logouts'] == 1  # the expired one needs no logout


@pytest.mark.hardening('session', 'check mode reads only')
def test_check_mode_is_read_only_too(hz, sim, ansible):
    args = conn(sim, uuids=[hz.HOST_UNMATCHED, hz.VM_STOPPED])
    args['_ansible_check_mode'] = True
    run = ansible.run(args)
    assert not run.failed, run.describe()
    assert run.result['changed'] is False
    assert_sessions_back(run)
    assert_read_only(run)
