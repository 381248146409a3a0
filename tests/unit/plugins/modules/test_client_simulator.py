# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The client (module_utils/_client.py) against the simulator over real HTTP, where the simulator is as strict as a real MN:
empty bodies (a running job's 202, LogOut), a 202 location naming another host, no Content-Type,
the API only under /zstack, order not promised, and actions that take time."""

from __future__ import annotations

import json

import requests

from ansible_collections.zstack.cloud.plugins.module_utils._client import (
    Credentials,
    RequestsTransport,
    Response,
    RetryPolicy,
    ZStackClient,
)

from zstack_simulator.fleet import fixed_uuid

KVM1 = fixed_uuid('demo', 'kvm-1')
VM1 = fixed_uuid('demo', 'vm-1')


class RecordingTransport(RequestsTransport):
    """The real transport, keeping (method, url, status, headers, text) of every exchange."""

    def __init__(self):
        super().__init__()
        self.exchanges = []

    def send(self, method, url, headers, body, timeout):
        resp = super().send(method, url, headers, body, timeout)
        self.exchanges.append((method, url, resp.status, resp.headers, resp.text))
        return resp


def make(sim, transport=None, **kwargs):
    kwargs.setdefault('retry', RetryPolicy(retries=0))
    kwargs.setdefault('poll_interval', 0.05)
    return ZStackClient(sim.url, Credentials(account_name='admin', password='password'), transport=transport, **kwargs)


def test_poll_of_a_running_job_answers_an_empty_body_and_the_client_waits(sim):
    sim.backend.job_seconds = 0.2  # the job is still running at the first poll
    transport = RecordingTransport()
    with make(sim, transport) as client:
        result = client.action('/hosts', KVM1, 'reconnectHost')
    assert result['inventory']['uuid'] == KVM1 and result['inventory']['status'] == 'Connected'
    polls = [x for x in transport.exchanges if '/api-jobs/' in x[1]]
    assert polls[0][2:] == (202, polls[0][3], '')  # the simulator answered a running job with "" (not {})
    assert polls[-1][2] == 200


def test_logout_answers_an_empty_body_and_the_session_is_closed(sim):
    transport = RecordingTransport()
    client = make(sim, transport)
    session = client.login()
    client.close()
    method, _url, status, _headers, text = transport.exchanges[-1]
    assert (method, status, text) == ('DELETE', 200, '')
    assert sim.backend.counters_snapshot()['logouts'] == 1
    assert sim.backend.validate_session(session) == {'valid': False}


def test_client_rebuilds_a_location_that_names_a_host_which_does_not_resolve(sim):
    """A real MN names its own IP:8080, which the controller may not reach: the client must poll
    <its own base>/zstack/v1/api-jobs/<id>, never the location as given."""
    sim.backend.location_base = 'http://zstack-mn.invalid:8080'
    transport = RecordingTransport()
    with make(sim, transport) as client:
        result = client.action('/vm-instances', VM1, 'rebootVmInstance')
    assert result['inventory']['state'] == 'Running'
    put = next(x for x in transport.exchanges if x[0] == 'PUT' and x[1].endswith('/actions'))
    location = json.loads(put[4])['location']
    assert location.startswith('http://zstack-mn.invalid:8080/zstack/v1/api-jobs/')
    polls = [x[1] for x in transport.exchanges if '/api-jobs/' in x[1]]
    assert polls and set(polls) == {sim.url + '/zstack/v1/api-jobs/' + location.rsplit('/', 1)[-1]}


def test_client_decodes_utf8_answers_without_a_content_type(sim):
    sim.backend.seed({'zones': [{'uuid': '9' * 32, 'name': u'区域-Zürich'}]})
    transport = RecordingTransport()
    with make(sim, transport) as client:
        zones = client.query('/zones', ['uuid=' + '9' * 32])['inventories']
    assert [z['name'] for z in zones] == [u'区域-Zürich']
    assert 'content-type' not in {k.lower() for k in transport.exchanges[-2][3]}


def test_client_reads_an_answer_without_a_content_type_as_utf8_without_guessing(sim, monkeypatch):
    """requests guesses the charset of a body that declares none (charset_normalizer, on every answer): ZStack's is UTF-8."""
    def no_guess(_response):
        raise AssertionError('the charset was guessed')
    monkeypatch.setattr(requests.models.Response, 'apparent_encoding', property(no_guess))
    sim.backend.seed({'zones': [{'uuid': '8' * 32, 'name': u'\u00e9'}]})  # two bytes: too short to guess from
    with make(sim) as client:
        zones = client.query('/zones', ['uuid=' + '8' * 32])['inventories']
    assert [z['name'] for z in zones] == [u'\u00e9']


def test_a_netrc_entry_for_the_management_node_does_not_replace_the_clients_authorization(sim, tmp_path, monkeypatch):
    """requests reads ~/.netrc (or $NETRC) when a session has no auth: its Basic auth replaced the OAuth header of every
    call, and ZStack refused them all (400, Authorization type must be 'OAuth')."""
    host = sim.url.split('//', 1)[1].rsplit(':', 1)[0]
    netrc = tmp_path / 'netrc'
    netrc.write_text('machine %s\nlogin someone\npassword not-the-zstack-password\n' % host)
    netrc.chmod(0o600)
    monkeypatch.setenv('NETRC', str(netrc))
    assert requests.utils.get_netrc_auth(sim.url + '/zstack/v1/hosts') == ('someone', 'not-the-zstack-password')
    transport = RecordingTransport()
    with make(sim, transport) as client:
        hosts = client.query_all('/hosts')
        client.action('/hosts', KVM1, 'reconnectHost')
    assert KVM1 in [h['uuid'] for h in hosts]
    assert all(x[2] in (200, 202) for x in transport.exchanges)


def test_client_sends_every_call_under_the_context_path(sim):
    """Root paths are not served (as on a real MN): every request the client makes goes to /zstack/v1."""
    transport = RecordingTransport()
    with make(sim, transport) as client:
        client.query_all('/hosts')
        client.action('/hosts', KVM1, 'reconnectHost')
    assert transport.exchanges and all(x[1].startswith(sim.url + '/zstack/v1/') for x in transport.exchanges)
    assert all(x[2] in (200, 202) for x in transport.exchanges)


def test_client_accepts_an_empty_body_on_a_job_poll_and_on_logout_through_its_seam():
    """The same empty bodies through the transport seam (no simulator): "" is {} for a finished
    reply with nothing in it, and a 202 poll's body is never parsed."""
    job = 'f' * 32
    answers = [
        Response(200, {}, json.dumps({'inventory': {'uuid': 'a1' * 16}})),
        Response(202, {}, json.dumps({'location': 'http://10.0.0.5:8080/zstack/v1/api-jobs/' + job})),
        Response(202, {}, ''),
        Response(200, {}, json.dumps({'inventory': {'uuid': 'h1'}})),
        Response(200, {}, ''),
    ]
    sent = []

    class Script(object):
        def send(self, method, url, headers, body, timeout):
            sent.append((method, url))
            return answers.pop(0)

    client = ZStackClient('http://mn.example:8080', Credentials(account_name='admin', password='password'),
                          transport=Script(), poll_interval=0)
    assert client.action('/hosts', 'h1', 'reconnectHost')['inventory']['uuid'] == 'h1'
    client.close()
    assert not answers
    assert sent[-1] == ('DELETE', 'http://mn.example:8080/zstack/v1/accounts/sessions/' + 'a1' * 16)
