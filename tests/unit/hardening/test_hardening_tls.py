# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""TLS: the simulator serves HTTPS with a certificate made at test time for 127.0.0.1.

The default refuses it with a clear message; ``ca_path`` accepts it even with
REQUESTS_CA_BUNDLE pointing at an unrelated CA (requests lets that variable override a
Session-level ``verify``); ``validate_certs: false`` works and warns.
"""

from __future__ import annotations

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._client import Credentials, RetryPolicy, ZStackClient
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackTLSError
from ansible_collections.zstack.cloud.plugins.module_utils._virtualizer import VirtualizerInfoFetcher


def conn(sim, **extra):
    args = {'api_url': sim.url, 'account_name': 'admin', 'password': '{{ hz_password }}'}
    args.update(extra)
    return args


@pytest.mark.hardening('tls', 'default validate_certs refuses an unknown CA')
def test_default_refuses_the_certificate_with_a_clear_message(hz, tls_sim, tls_ansible, tls):
    run = tls_ansible.run(conn(tls_sim, uuids=[hz.HOST_MATCHED]), env={'REQUESTS_CA_BUNDLE': tls.other_ca_path})
    assert run.failed, run.describe()
    hz.assert_clear(run.msg, 'TLS certificate verification failed', 'ca_path', 'validate_certs')
    assert 'Traceback' not in run.output
    assert run.delta('total_requests') == 0  # refused at the handshake, never retried into the API
    assert run.leaks == []


@pytest.mark.hardening('tls', 'ca_path accepted despite REQUESTS_CA_BUNDLE')
def test_ca_path_is_used_even_with_an_unrelated_requests_ca_bundle(hz, tls_sim, tls_ansible, tls):
    run = tls_ansible.run(conn(tls_sim, uuids=[hz.HOST_MATCHED, hz.VM_RUNNING], ca_path=tls.ca_path),
                          env={'REQUESTS_CA_BUNDLE': tls.other_ca_path})
    assert not run.failed, run.describe()
    assert run.result['summary']['matched'] == 2
    assert not run.result.get('warnings')
    assert run.delta('active_sessions') == 0


@pytest.mark.hardening('tls', 'ca_path accepted despite REQUESTS_CA_BUNDLE')
def test_ca_path_from_the_environment(hz, tls_sim, tls_ansible, tls):
    run = tls_ansible.run(conn(tls_sim, uuids=[hz.HOST_MATCHED]),
                          env={'REQUESTS_CA_BUNDLE': tls.other_ca_path, 'ZSTACK_CA_PATH': tls.ca_path})
    assert not run.failed, run.describe()


@pytest.mark.hardening('tls', 'ca_path wins over REQUESTS_CA_BUNDLE')
def test_a_wrong_ca_path_is_not_rescued_by_requests_ca_bundle(hz, tls_sim, tls, monkeypatch):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', tls.ca_path)  # the right CA, but the operator asked for another one
    api = ZStackClient(tls_sim.url, Credentials(account_name='admin', password=hz.PASSWORD), ca_path=tls.other_ca_path,
                       retry=RetryPolicy(backoff=0.01))
    with pytest.raises(ZStackTLSError) as caught:
        VirtualizerInfoFetcher(api).fetch([hz.HOST_MATCHED])
    api.close()
    hz.assert_clear(str(caught.value), 'TLS certificate verification failed', 'ca_path')
    assert tls_sim.counters()['total_requests'] == 0


@pytest.mark.hardening('tls', 'validate_certs false works and warns')
def test_validate_certs_false_works_and_warns(hz, tls_sim, tls_ansible, tls):
    run = tls_ansible.run(conn(tls_sim, uuids=[hz.HOST_MATCHED], validate_certs=False), mode='ansible',
                          env={'REQUESTS_CA_BUNDLE': tls.other_ca_path})
    assert not run.failed, run.describe()
    assert run.result['summary']['matched'] == 1
    warning = run.output[run.output.find('[WARNING]'):]
    assert warning.startswith('[WARNING]: validate_certs is false'), run.describe()
    assert 'ca_path' in warning[:400], run.describe()
    assert run.delta('active_sessions') == 0
    assert run.leaks == []


@pytest.mark.hardening('tls', 'https:// to a plain-HTTP port')
def test_https_to_a_plain_http_port_says_so_not_certificate(hz, sim, client):
    """The port speaks plain HTTP: the remedy is the scheme or the port, not validate_certs or ca_path."""
    api = client(url=sim.direct_url.replace('http://', 'https://'))
    with pytest.raises(ZStackTLSError) as caught:
        VirtualizerInfoFetcher(api).fetch([hz.HOST_MATCHED])
    message = str(caught.value)
    hz.assert_clear(message, 'PUT /v1/accounts/login', 'does not speak TLS', 'use http:// or the HTTPS port')
    assert 'certificate' not in message and 'validate_certs' not in message, message
    assert api.request_count == 1  # not retried: it will not change


@pytest.mark.hardening('tls', 'https:// to a plain-HTTP port')
def test_https_to_a_plain_http_port_through_the_module(hz, sim, ansible):
    run = ansible.run(conn(sim, api_url=sim.direct_url.replace('http://', 'https://'), uuids=[hz.HOST_MATCHED]))
    assert run.failed, run.describe()
    hz.assert_clear(run.msg, 'does not speak TLS', 'use http:// or the HTTPS port')
    assert 'validate_certs' not in run.msg and run.delta('total_requests') == 0
