# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The hardening suite: fixtures over REAL HTTP, and the plugin that prints its figures.

Every case runs against the simulator (tests/simulator/zstack_simulator) on a free
port, reached either directly (TLS cases) or through :class:`FlakyProxy`, a small TCP
relay that records the traffic (so the suite knows every session id the collection
opened) and can cut an answer in the middle of its body.

Fixtures (one fresh simulator per test: ansible-test forks every test anyway):

``hz``       constants (known secrets, fleet UUIDs) and helpers (secret scan)
``sim``      the simulator: control plane (faults, counters, sessions, jobs) and the proxy
``client``   a factory of ZStackClient objects aimed at the proxy, with tiny backoff
``ansible``  runs the real module with ``ansible -m ... -vvv`` in a subprocess and
             measures sessions left open, mutating requests and secret leaks
``tls``      a CA, a server certificate for 127.0.0.1 and an unrelated CA (cryptography);
             ``tls_sim`` / ``tls_ansible`` the simulator over HTTPS and a runner aimed at it

Figures: mark a test ``@pytest.mark.hardening(kind, name)`` with kind one of
``fault``, ``bad-input``, ``secret``, ``session``, ``tls``; ``name`` is the fault class
or input it exercises (several tests may share one).  Tests and fixtures add
``secret_leaks`` and ``sessions_left_open`` to the report's user properties, and what
each case saw: ``seen`` (``clear error`` from ``hz.assert_clear``), ``run_outcome`` of
every module run (``survived``, ``clear error``, ``crash``: a traceback or an error that
is no ZStackError), ``uuids_in`` / ``uuids_lost`` (every UUID that went into a
successful fetch must come out).  A failed case is a *wrong success* when what was to
fail succeeded (``DID NOT RAISE``, or a module run that survived where a clear error was
due), a *crash* when an exception other than an assertion ended it.  The
controller sums them in ``pytest_runtest_logreport`` (this works under xdist and
ansible-test's per-test fork, since user properties travel with the reports) and
prints the table in ``pytest_terminal_summary``; it also writes
``tests/output/hardening-figures.json`` when ``tests/output/`` exists.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import socket
import socketserver
import struct
import subprocess
import sys
import threading
import time

import pytest
import requests

COLLECTION_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
SIMULATOR_DIR = os.path.join(COLLECTION_ROOT, 'tests', 'simulator')
if SIMULATOR_DIR not in sys.path:
    sys.path.insert(0, SIMULATOR_DIR)

from zstack_simulator.fleet import fixed_uuid  # noqa: E402  pylint: disable=wrong-import-position
from zstack_simulator.models import ADMIN_ACCOUNT_UUID  # noqa: E402  pylint: disable=wrong-import-position
from zstack_simulator.relay import forward, read_request  # noqa: E402  pylint: disable=wrong-import-position
from zstack_simulator.server import SimulatorServer  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.zstack.cloud.plugins.module_utils import _client  # noqa: E402  pylint: disable=wrong-import-position

MODULE = 'zstack.cloud.zstack_virtualizer_info'
KINDS = ('fault', 'bad-input', 'secret', 'session', 'tls')
_CONFIG_HOLDER = {}

# ---------------------------------------------------------------- known secrets and fleet
PASSWORD = 'Hz-pa55w0rd-7f3c!'
PASSWORD_HASH = hashlib.sha512(PASSWORD.encode('utf-8')).hexdigest()
ACCESS_KEY_ID = 'hardeningAccessKeyId01'
ACCESS_KEY_SECRET = 'hzAccessKeySecret-9d2e41c07b5a46f8a1e3'


def demo(name):
    """UUID of a resource of the simulator's demo fleet."""
    return fixed_uuid('demo', name)


HOST_MATCHED = demo('kvm-1')
HOST_UNMATCHED = demo('kvm-3')
VM_RUNNING = demo('vm-1')
VM_STOPPED = demo('vm-3')
MISSING = '0123456789abcdef0123456789abcdef'

#: the demo fleet, with the admin password and an access key the suite knows
FLEET = {
    'fleet': 'demo',
    'accounts': [{'name': 'admin', 'password': PASSWORD, 'uuid': ADMIN_ACCOUNT_UUID}],
    'access_keys': [{'id': ACCESS_KEY_ID, 'secret': ACCESS_KEY_SECRET, 'accountName': 'admin'}],
}

#: words a remedy starts with: the message must tell the operator what to do
# A plain pattern string searched with re.search: pylint's inference of a compiled pattern's
# .search() here made ansible-test sanity pylint run for over 20 minutes on this file.
REMEDY_PATTERN = (r'\b(Check|check|Give|give|Set|set|raise|lower|Lower|Raise|try again|reconnect|Install|install|'
                  r'needs|Remove|remove|report it|run again|must be)\b')
#: the text run_module gives an exception that is not a ZStackError: a bug, never a clear error
BUG_MARKER = 'unexpected error in zstack.cloud'


# ================================================================= the figures plugin
def pytest_configure(config):
    config.addinivalue_line(
        'markers', 'hardening(kind, name): a case of the hardening suite; kind is one of %s' % ', '.join(KINDS))
    config._hardening_cases = {}  # pylint: disable=protected-access
    _CONFIG_HOLDER['config'] = config


def pytest_collection_modifyitems(items):
    for item in items:
        marker = item.get_closest_marker('hardening')
        if marker is None:
            continue
        kind, name = marker.args
        if kind not in KINDS:
            raise pytest.UsageError('%s: hardening kind %r is not one of %s' % (item.nodeid, kind, KINDS))
        item.user_properties.append(('hardening_kind', kind))
        item.user_properties.append(('hardening_name', name))


def pytest_runtest_logreport(report):
    props = dict((k, v) for k, v in report.user_properties if isinstance(k, str))
    if 'hardening_kind' not in props:
        return
    cases = getattr(_CONFIG_HOLDER.get('config'), '_hardening_cases', None)
    if cases is None:
        return
    case = cases.setdefault(report.nodeid, {
        'kind': props['hardening_kind'], 'name': props['hardening_name'], 'outcome': 'passed',
        'secret_leaks': 0, 'sessions_left_open': 0, 'sessions_left_warned': 0, 'uuids_in': 0, 'uuids_lost': 0,
        'leaked': [], 'seen': [], 'verdict': None})
    if report.failed:
        case['outcome'] = 'failed'
    elif report.skipped and case['outcome'] == 'passed':
        case['outcome'] = 'skipped'
    for key in ('secret_leaks', 'sessions_left_open', 'sessions_left_warned', 'uuids_in', 'uuids_lost'):
        values = [v for k, v in report.user_properties if k == key]
        if values:
            case[key] = max(case[key], sum(values))
    seen = [v for k, v in report.user_properties if k in ('seen', 'run_outcome')]
    case['seen'] = sorted(set(case['seen']) | set(seen))
    if report.when == 'call' or report.failed:
        case['verdict'] = _case_verdict(report, case)
    leaked = [v for k, v in report.user_properties if k == 'leaked']
    if leaked:
        case['leaked'] = sorted(set(case['leaked']) | set(leaked))


def _case_verdict(report, case):
    """What a case shows: ``clear error`` or ``survived`` when it passed; ``wrong success``, ``crash`` or ``failed``."""
    seen = set(case['seen'])
    if report.passed and case['outcome'] == 'passed':
        if 'crash' in seen:
            return 'crash'
        return 'clear error' if 'clear error' in seen else 'survived'
    if not report.failed:
        return case.get('verdict')
    crash = getattr(report.longrepr, 'reprcrash', None)
    text = (getattr(crash, 'message', None) or str(report.longrepr) or '').strip()
    if 'crash' in seen or BUG_MARKER in text:
        return 'crash'
    if 'DID NOT RAISE' in text or ('survived' in seen and 'clear error' not in seen):
        return 'wrong success'
    first = text.split(':', 1)[0]
    if first and first not in ('AssertionError', 'Failed', 'assert') and not first.startswith(('assert', 'AssertionError')) \
            and first.endswith(('Error', 'Exception')) and 'ZStack' not in first:
        return 'crash'
    return 'failed'


def figures(cases):
    """The table: per kind, what was tried and what passed; leaks and open sessions summed."""
    def count(kind):
        names = {}
        for case in cases.values():
            if case['kind'] == kind:
                names.setdefault(case['name'], []).append(case['outcome'] == 'passed')
        tried = len(names)
        good = sum(1 for oks in names.values() if all(oks))
        ncases = sum(len(oks) for oks in names.values())
        good_cases = sum(sum(oks) for oks in names.values())
        return {'tried': tried, 'passed': good, 'cases': ncases, 'cases_passed': good_cases}

    failed = sorted('%s [%s] %s' % (c['kind'], c['name'], nodeid) for nodeid, c in cases.items() if c['outcome'] != 'passed')
    verdicts = [c.get('verdict') for c in cases.values()]
    return {
        'cases': {'tried': len(cases), 'clear_error': verdicts.count('clear error'), 'survived': verdicts.count('survived')},
        'wrong_successes': verdicts.count('wrong success'),
        'crashes': verdicts.count('crash'),
        'uuids_in': sum(c['uuids_in'] for c in cases.values()),
        'uuids_lost': sum(c['uuids_lost'] for c in cases.values()),
        'sessions_left_warned': sum(c['sessions_left_warned'] for c in cases.values()),
        'fault_classes': count('fault'),
        'bad_inputs': count('bad-input'),
        'secret_cases': count('secret'),
        'session_cases': count('session'),
        'tls_cases': count('tls'),
        'secret_leaks_found': sum(c['secret_leaks'] for c in cases.values()),
        'sessions_left_open': sum(c['sessions_left_open'] for c in cases.values()),
        'leaked': sorted(set(x for c in cases.values() for x in c['leaked'])),
        'not_handled': failed,
    }


def figures_table(fig):
    rows = [
        ('fault classes tried / handled', '%d / %d' % (fig['fault_classes']['tried'], fig['fault_classes']['passed']),
         '%d / %d' % (fig['fault_classes']['cases'], fig['fault_classes']['cases_passed'])),
        ('bad inputs tried / clear errors', '%d / %d' % (fig['bad_inputs']['tried'], fig['bad_inputs']['passed']),
         '%d / %d' % (fig['bad_inputs']['cases'], fig['bad_inputs']['cases_passed'])),
        ('TLS cases tried / as expected', '%d / %d' % (fig['tls_cases']['tried'], fig['tls_cases']['passed']),
         '%d / %d' % (fig['tls_cases']['cases'], fig['tls_cases']['cases_passed'])),
        ('secret checks tried / clean', '%d / %d' % (fig['secret_cases']['tried'], fig['secret_cases']['passed']),
         '%d / %d' % (fig['secret_cases']['cases'], fig['secret_cases']['cases_passed'])),
        ('session checks tried / clean', '%d / %d' % (fig['session_cases']['tried'], fig['session_cases']['passed']),
         '%d / %d' % (fig['session_cases']['cases'], fig['session_cases']['cases_passed'])),
        ('all cases tried / clear error / survived', '', '%d / %d / %d' % (
            fig['cases']['tried'], fig['cases']['clear_error'], fig['cases']['survived'])),
        ('wrong successes (must be 0)', '', str(fig['wrong_successes'])),
        ('crashes (must be 0)', '', str(fig['crashes'])),
        ('secret leaks found (must be 0)', str(fig['secret_leaks_found']), ''),
        ('sessions left open (must be 0)', str(fig['sessions_left_open']), ''),
        ('sessions a failed logout left, warned', str(fig['sessions_left_warned']), ''),
        ('UUIDs in / lost (must be 0)', '', '%d / %d' % (fig['uuids_in'], fig['uuids_lost'])),
    ]
    width = max(len(r[0]) for r in rows)
    lines = ['%-*s  %-9s  %s' % (width, 'figure', 'classes', 'test cases'), '-' * (width + 24)]
    lines.extend('%-*s  %-9s  %s' % (width, a, b, c) for a, b, c in rows)
    return lines


def pytest_terminal_summary(terminalreporter, config):
    if hasattr(config, 'workerinput'):
        return
    cases = getattr(config, '_hardening_cases', None)
    if not cases:
        return
    fig = figures(cases)
    terminalreporter.write_sep('=', 'zstack.cloud hardening figures')
    for line in figures_table(fig):
        terminalreporter.write_line(line)
    if fig['leaked']:
        terminalreporter.write_line('leaked: %s' % ', '.join(fig['leaked']))
    for line in fig['not_handled']:
        terminalreporter.write_line('not handled: %s' % line)
    output = os.path.join(COLLECTION_ROOT, 'tests', 'output')
    if os.path.isdir(output):
        path = os.path.join(output, 'hardening-figures.json')
        with open(path, 'w', encoding='utf-8') as fobj:
            json.dump({'figures': fig, 'table': figures_table(fig), 'cases': cases}, fobj, indent=2, sort_keys=True)
        terminalreporter.write_line('figures written to %s' % os.path.relpath(path, COLLECTION_ROOT))


# ================================================================= the flaky, recording proxy
class FlakyProxy:
    """A TCP relay in front of the simulator, one upstream connection per request.

    It records every request and answer (``transcript``) and applies ``rules``, each
    ``{"method", "path" (prefix of the path after /zstack), "count", "action"}``:

    - ``cut``: relay only the first half of the answer (status line, headers, part of the
      body), then reset the connection (the management node did the work; the answer is lost);
    - ``echo403``: answer ``403`` with a page that echoes the request (body, headers, request
      line), as some WAF block pages and debugging proxies do (403 is not retried).
    """

    def __init__(self, upstream_port):
        self.upstream = ('127.0.0.1', upstream_port)
        self.rules = []
        self.transcript = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                proxy.relay(self.request)

        self.server = socketserver.ThreadingTCPServer(('127.0.0.1', 0), Handler, bind_and_activate=False)
        self.server.daemon_threads = True
        self.server.allow_reuse_address = True
        self.server.server_bind()
        self.server.server_activate()
        self.port = self.server.server_address[1]
        self.url = 'http://127.0.0.1:%d' % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={'poll_interval': 0.05},
                                       name='flaky-proxy', daemon=True)
        self.thread.start()

    def add_rule(self, action, method=None, path=None, count=1):
        with self.lock:
            self.rules.append({'action': action, 'method': method, 'path': path, 'count': count})

    def _take_rule(self, method, path):
        if path.startswith('/zstack/'):
            path = path[len('/zstack'):]
        with self.lock:
            for rule in self.rules:
                if rule['method'] and rule['method'] != method:
                    continue
                if rule['path'] and not path.startswith(rule['path']):
                    continue
                rule['count'] -= 1
                if rule['count'] <= 0:
                    self.rules.remove(rule)
                return rule['action']
        return None

    def relay(self, conn):
        try:
            request = read_request(conn)
            if request is None:
                return
            head, body = request
            request_line = head.split(b'\r\n', 1)[0].decode('latin-1')
            method, target = request_line.split(' ')[:2]
            path = target.split('?', 1)[0]
            action = self._take_rule(method, path)
            if action == 'echo403':
                # the request as such pages show it: the body, then the headers (last sent first), then the request line
                lines = head.split(b'\r\n')
                echoed = b'\n'.join([body] + lines[:0:-1] + lines[:1])
                page = b'<html><body><h1>403 Forbidden: request blocked</h1><pre>' + echoed + b'</pre></body></html>'
                answer = (b'HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\nContent-Length: %d\r\n'
                          b'Connection: close\r\n\r\n' % len(page)) + page
                self._record(head, body, answer)
                conn.sendall(answer)
                return
            answer = forward(self.upstream, head, body)
            self._record(head, body, answer)
            if action == 'cut':
                header_end = answer.find(b'\r\n\r\n') + 4
                conn.sendall(answer[:header_end + max(1, (len(answer) - header_end) // 2)])
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))  # close with RST
                return
            conn.sendall(answer)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _record(self, head, body, answer):
        with self.lock:
            self.transcript.append((head.decode('latin-1'), body.decode('utf-8', 'replace'), answer.decode('utf-8', 'replace')))

    def session_ids(self):
        """Every session id seen: in login answers and in Authorization headers."""
        found = set()
        with self.lock:
            transcript = list(self.transcript)
        for head, _body, answer in transcript:
            for match in re.finditer(r'(?im)^authorization:\s*oauth\s+([0-9a-f]{32})\s*$', head):
                found.add(match.group(1))
            if '/accounts/login' in head.split('\r\n', 1)[0] or '/accounts/users/login' in head.split('\r\n', 1)[0]:
                _h, _s, payload = answer.partition('\r\n\r\n')
                try:
                    found.add(json.loads(payload)['inventory']['uuid'])
                except (ValueError, KeyError, TypeError):
                    pass
        return found

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# ================================================================= the simulator
class Sim:
    """A simulator on a free port with the proxy in front; control-plane helpers."""

    def __init__(self, spec=None, ssl_context=None, ca_path=None):
        self.server = SimulatorServer(seed=spec if spec is not None else FLEET, ssl_context=ssl_context).start()
        self.direct_url = self.server.url
        self.control_url = self.server.url
        self.http = requests.Session()
        self.verify = ca_path or True
        self.proxy = None
        if ssl_context is None:
            self.proxy = FlakyProxy(self.server.port)
        #: the URL the collection is given: through the recording proxy (plain HTTP) or direct (HTTPS)
        self.url = self.proxy.url if self.proxy else self.direct_url

    def control(self, method, path, body=None):
        rsp = self.http.request(method, '%s/_sim/%s' % (self.control_url, path), json=body if body is not None else {},
                                timeout=30, verify=self.verify)
        assert rsp.status_code == 200, rsp.text
        return rsp.json()

    def reset(self, spec=None, **extra):
        spec = dict(spec if spec is not None else FLEET)
        spec.update(extra)
        self.control('POST', 'reset', spec)

    def fault(self, **fault):
        self.control('POST', 'faults', fault)

    def clear_faults(self):
        self.control('DELETE', 'faults')

    def expire_sessions(self, uuids=None):
        return self.control('POST', 'sessions/expire', {} if uuids is None else {'uuids': uuids})['expired']

    def jobs(self, polls_before_done):
        self.control('POST', 'jobs', {'polls_before_done': polls_before_done})

    def counters(self):
        return self.control('GET', 'counters')

    def requests_to(self, key):
        """How many requests the simulator counted for 'METHOD /v1/template'."""
        return self.counters()['requests'].get(key, 0)

    def login(self, password=PASSWORD):
        """A session opened by the test itself (a user's session_uuid)."""
        rsp = self.http.put('%s/zstack/v1/accounts/login' % self.direct_url, timeout=30, verify=self.verify, json={
            'logInByAccount': {'accountName': 'admin', 'password': hashlib.sha512(password.encode()).hexdigest()}})
        assert rsp.status_code == 200, rsp.text
        return rsp.json()['inventory']['uuid']

    def expire_during_call(self, pending, key='GET /v1/vm-instances/virtualizer-info'):
        """Wait until a running module's call ``key`` reached the simulator (a fault ``delay`` holds it there),
        then expire every session: the call itself meets an expired session."""
        deadline = time.monotonic() + 30
        while self.requests_to(key) < 1:
            assert pending.proc.poll() is None, 'the module ended before its call: %s' % (pending.proc.communicate(),)
            assert time.monotonic() < deadline, 'the module never made the call %s' % key
            time.sleep(0.02)
        assert self.expire_sessions() >= 1

    def session_valid(self, session_uuid):
        rsp = self.http.get('%s/zstack/v1/accounts/sessions/%s/valid' % (self.direct_url, session_uuid), timeout=30,
                            verify=self.verify)
        return rsp.json()['valid']

    def stop(self):
        if self.proxy:
            self.proxy.stop()
        self.server.stop()


def _stop_in_background(simulator):
    """werkzeug's serve_forever polls every 0.5 s: stop without waiting for it."""
    threading.Thread(target=simulator.stop, daemon=True).start()


@pytest.fixture
def sim():
    simulator = Sim()
    yield simulator
    _stop_in_background(simulator)


def closed_port():
    """A local port nobody listens on (connection refused)."""
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class Helpers:
    """Constants and helpers handed to the tests (conftest modules are not importable by name)."""

    MODULE = MODULE
    PASSWORD = PASSWORD
    PASSWORD_HASH = PASSWORD_HASH
    ACCESS_KEY_ID = ACCESS_KEY_ID
    ACCESS_KEY_SECRET = ACCESS_KEY_SECRET
    HOST_MATCHED = HOST_MATCHED
    HOST_UNMATCHED = HOST_UNMATCHED
    VM_RUNNING = VM_RUNNING
    VM_STOPPED = VM_STOPPED
    MISSING = MISSING
    FLEET = FLEET
    REMEDY_PATTERN = REMEDY_PATTERN
    VI = '/v1/vm-instances/virtualizer-info'
    GET_VI = 'GET /v1/vm-instances/virtualizer-info'
    demo = staticmethod(demo)

    @staticmethod
    def conn(sim, **extra):
        """Module arguments: the connection to ``sim`` with the admin password (from the vars file), plus ``extra``."""
        args = {'api_url': sim.url, 'account_name': 'admin', 'password': '{{ hz_password }}'}
        args.update(extra)
        return args
    closed_port = staticmethod(closed_port)
    Sim = Sim

    @staticmethod
    def static_secrets():
        return {'password': PASSWORD, 'password sha512': PASSWORD_HASH, 'access key secret': ACCESS_KEY_SECRET}

    @staticmethod
    def find_leaks(texts, secrets):
        """[(secret name, where)] for every secret found in any of the texts ({where: text})."""
        found = []
        for name, secret in secrets.items():
            if not secret:
                continue
            for where, text in texts.items():
                # also with white space removed: ansible-core before 2.19 wraps long words (a SHA-512 hex) at 79 columns
                if text and (secret in text or secret in ''.join(text.split())):
                    found.append((name, where))
        return found

    @staticmethod
    def assert_clear(message, *needles):
        """A message that names what it must (status, code, input) and tells the operator what to do."""
        assert 'Traceback' not in message, message
        assert BUG_MARKER not in message, 'an unexpected exception, not a clear error: %s' % message
        for needle in needles:
            assert needle in message, 'expected %r in the message: %s' % (needle, message)
        assert re.search(REMEDY_PATTERN, message), 'no remedy in the message: %s' % message


class BoundHelpers(Helpers):
    """The helpers bound to one test: what it saw goes into its report's user properties (the figures)."""

    def __init__(self, request):
        self.request = request

    def assert_clear(self, message, *needles):  # pylint: disable=arguments-differ
        Helpers.assert_clear(message, *needles)
        self.request.node.user_properties.append(('seen', 'clear error'))

    def assert_every_uuid_back(self, uuids, result):
        """Every distinct UUID that went into a fetch is in its ``groups`` (a result, or an explained Error)."""
        account_uuids(self.request, uuids, result)


def account_uuids(request, uuids, result):
    """Every distinct UUID is in exactly one entry of ``groups`` (every output has them), and in ``verdicts`` when returned."""
    wanted = list(dict.fromkeys(uuids))
    grouped = [u for group in (result or {}).get('groups') or [] for u in group['uuids']]
    back = set(grouped)
    lost = [u for u in wanted if u not in back]
    request.node.user_properties.append(('uuids_in', len(wanted)))
    request.node.user_properties.append(('uuids_lost', len(lost)))
    assert not lost, '%d UUIDs went in and did not come out: %s' % (len(lost), lost[:5])
    assert len(grouped) == len(back), 'a UUID is in two groups'
    assert len(back) == len(wanted), 'the result holds UUIDs that did not go in'
    if 'verdicts' in (result or {}):
        assert list(result['verdicts']) == wanted, 'verdicts and groups disagree on the UUIDs'


@pytest.fixture
def hz(request):
    return BoundHelpers(request)


@pytest.fixture
def client(sim):
    """Factory of ZStackClient objects aimed at the simulator, with tiny backoff; closed at teardown."""
    made = []

    def make(url=None, retries=3, credentials=None, **kwargs):
        creds = credentials or _client.Credentials(account_name='admin', password=PASSWORD)
        retry = kwargs.pop('retry', None) or _client.RetryPolicy(retries=retries, backoff=0.01, max_backoff=0.05,
                                                                 max_retry_after=kwargs.pop('max_retry_after', 2.0))
        kwargs.setdefault('timeout', 5)
        made.append(_client.ZStackClient(url or sim.url, creds, retry=retry, **kwargs))
        return made[-1]

    yield make
    for obj in made:
        obj.close()


# ================================================================= the real module in a subprocess
def collections_path():
    """The folder that contains ansible_collections/ (the collection as pytest imported it)."""
    path = os.path.abspath(_client.__file__)
    for _level in range(5):  # _client.py, module_utils, plugins, cloud, zstack
        path = os.path.dirname(path)
    return os.path.dirname(path)


def _render(value, variables):
    """Replace the '{{ hz_* }}' placeholders (what Jinja would do for the direct mode)."""
    if isinstance(value, str):
        for name, val in variables.items():
            value = value.replace('{{ %s }}' % name, str(val))
        return value
    if isinstance(value, dict):
        return dict((k, _render(v, variables)) for k, v in value.items())
    if isinstance(value, list):
        return [_render(v, variables) for v in value]
    return value


class Run:
    """The outcome of one module run."""

    def __init__(self, proc, stdout, stderr, elapsed, mode):
        self.rc = proc.returncode
        self.stdout = stdout
        self.stderr = stderr
        self.elapsed = elapsed
        self.mode = mode
        if mode == 'ansible':
            self.status, self.result = self._parse(stdout)
        else:
            self.status, self.result = self._parse_direct(stdout)
        self.before = self.after = None
        self.leaks = []

    @staticmethod
    def _parse(stdout):
        match = re.search(r'^localhost \| ([A-Z]+!?)(?: \| rc=-?\d+)? => ', stdout, re.M)
        if not match:
            return None, {}
        try:
            result, _end = json.JSONDecoder().raw_decode(stdout[match.end():])
        except ValueError:
            return match.group(1), {}
        return match.group(1), result

    @staticmethod
    def _parse_direct(stdout):
        start = stdout.find('{')
        try:
            result, _end = json.JSONDecoder().raw_decode(stdout[start:]) if start >= 0 else ({}, 0)
        except ValueError:
            return None, {}
        return ('FAILED!' if result.get('failed') else 'SUCCESS'), result

    @property
    def failed(self):
        return bool(self.result.get('failed')) or self.rc != 0

    @property
    def msg(self):
        return self.result.get('msg') or ''

    @property
    def output(self):
        return self.stdout + '\n' + self.stderr

    def delta(self, key):
        return self.after[key] - self.before[key]

    def requests_to(self, key):
        return self.after['requests'].get(key, 0) - self.before['requests'].get(key, 0)

    def describe(self):
        return 'rc=%s status=%s\n--- result\n%s\n--- stdout (tail)\n%s\n--- stderr\n%s' % (
            self.rc, self.status, json.dumps(self.result, indent=1)[:3000], self.stdout[-3000:], self.stderr[-3000:])


class Pending:
    """A module run in progress (for faults that must happen while it runs)."""

    def __init__(self, runner, proc, started, before, secrets, scan_dir, mode):
        self.runner, self.proc, self.started, self.before = runner, proc, started, before
        self.secrets, self.scan_dir, self.mode = secrets, scan_dir, mode

    def wait(self, timeout=120):
        stdout, stderr = self.proc.communicate(timeout=timeout)
        run = Run(self.proc, stdout, stderr, time.monotonic() - self.started, self.mode)
        run.args, run.module = getattr(self, 'args', {}), getattr(self, 'module', MODULE)
        return self.runner.finish(run, self.before, self.secrets, self.scan_dir)


class AnsibleRunner:
    """Runs ``ansible localhost -m <module> -a <json> -vvv`` with the collection under test.

    Secrets never go on the command line (ansible-core prints a failed task's literal args):
    the tests refer to ``{{ hz_password }}``, ``{{ hz_session }}``, ``{{ hz_ak_secret }}``,
    which come from an extra-vars file outside the folders scanned for leaks.
    """

    def __init__(self, sim, tmp_path, request):
        self.sim = sim
        self.tmp = tmp_path
        self.request = request
        self.count = 0

    def base_env(self, env=None, direct=False):
        home = self.tmp / 'ansible-home'
        home.mkdir(exist_ok=True)
        config = self.tmp / 'ansible.cfg'
        if not config.exists():
            config.write_text('[defaults]\n', encoding='utf-8')
        dropped = ('ANSIBLE_INVENTORY', 'ANSIBLE_HOST_PATTERN_MISMATCH', 'ANSIBLE_LIBRARY', 'ANSIBLE_CONFIG', 'PYTEST_PLUGINS',
                   'PYTEST_XDIST_WORKER', 'PYTEST_CURRENT_TEST')
        base = dict((k, v) for k, v in os.environ.items() if not k.startswith('ZSTACK_') and k not in dropped)
        base.update({
            'ANSIBLE_COLLECTIONS_PATH': collections_path(),
            'ANSIBLE_HOME': str(home),
            'ANSIBLE_LOCAL_TEMP': str(home / 'tmp'),
            'ANSIBLE_REMOTE_TMP': str(home / 'remote-tmp'),
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_FORCE_COLOR': '0',
            'ANSIBLE_CONFIG': str(config),
            'ANSIBLE_DEPRECATION_WARNINGS': '0',
            'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
        })
        if direct:
            base['PYTHONPATH'] = os.pathsep.join([collections_path()] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p])
        base.update(env or {})
        return base

    def start(self, args, module=MODULE, mode='direct', env=None, session=None, verbosity=3, extra_secrets=None,
              extra_vars=None):
        """Start one run. ``mode='ansible'``: ``ansible localhost -m MODULE -vvv`` (the whole controller path);
        ``mode='direct'``: ``python -m <module> args.json`` (the real module process, 5x faster)."""
        self.count += 1
        private = self.tmp / 'private'
        private.mkdir(exist_ok=True)
        variables = {'hz_password': PASSWORD, 'hz_ak_secret': ACCESS_KEY_SECRET, 'hz_session': session or '',
                     'ansible_python_interpreter': sys.executable}
        variables.update(extra_vars or {})
        scan_dir = self.tmp / ('run-%d' % self.count)
        scan_dir.mkdir()
        if mode == 'ansible':
            vars_file = private / ('vars-%d.json' % self.count)
            vars_file.write_text(json.dumps(variables), encoding='utf-8')
            cmd = [sys.executable, '-m', 'ansible.cli.adhoc', 'localhost', '-i', 'localhost,', '-c', 'local',
                   '-m', module, '-a', json.dumps(args), '-e', '@%s' % vars_file]
            if verbosity:
                cmd.append('-' + 'v' * verbosity)
        else:
            args_file = private / ('args-%d.json' % self.count)
            module_args = _render(args, variables)
            module_args['_ansible_verbosity'] = verbosity  # as with -vvv: a failure's traceback is kept in the result
            args_file.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': module_args}), encoding='utf-8')
            name = module.split('.')
            cmd = [sys.executable, '-m', 'ansible_collections.%s.%s.plugins.modules.%s' % tuple(name), str(args_file)]
        secrets = Helpers.static_secrets()
        if session:
            secrets['given session_uuid'] = session
        secrets.update(extra_secrets or {})
        before = self.sim.counters()
        if self.sim.proxy:
            with self.sim.proxy.lock:
                self.sim.proxy.transcript = []
        proc = subprocess.Popen(cmd, cwd=str(scan_dir), env=self.base_env(env, direct=mode != 'ansible'),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        pending = Pending(self, proc, time.monotonic(), before, secrets, scan_dir, mode)
        pending.args, pending.module = args, module
        return pending

    def run(self, args, **kwargs):
        return self.start(args, **kwargs).wait()

    def finish(self, run, before, secrets, scan_dir):
        run.before = before
        run.after = self.sim.counters()
        if self.sim.proxy:
            for sid in self.sim.proxy.session_ids():
                secrets.setdefault('session id %s..' % sid[:6], sid)
        texts = {'stdout': run.stdout, 'stderr': run.stderr, 'result': json.dumps(run.result)}
        for folder in (scan_dir, self.tmp / 'ansible-home'):
            for root, _dirs, files in os.walk(str(folder)):
                for name in files:
                    path = os.path.join(root, name)
                    try:
                        with open(path, encoding='utf-8', errors='replace') as fobj:
                            texts[os.path.relpath(path, str(self.tmp))] = fobj.read()
                    except OSError:
                        pass
        run.leaks = Helpers.find_leaks(texts, secrets)
        run.secrets = secrets
        open_sessions = max(0, run.delta('active_sessions'))
        props = self.request.node.user_properties
        props.append(('secret_leaks', len(set(name for name, _where in run.leaks))))
        props.append(('sessions_left_open', open_sessions))
        for name, where in run.leaks:
            props.append(('leaked', '%s in %s' % (name, where)))
        props.append(('run_outcome', run_outcome(run)))
        uuids = run.args.get('uuids') if isinstance(run.args, dict) else None
        if run.module == MODULE and not run.failed and isinstance(uuids, list):
            account_uuids(self.request, uuids, run.result)
        return run


def run_outcome(run):
    """``survived``, ``clear error``, or ``crash`` (a traceback, no parsable result, an error that is no ZStackError)."""
    if not run.failed:
        return 'survived'
    if run.status is None or BUG_MARKER in run.msg or 'Traceback' in run.output or 'exception' in run.result:
        return 'crash'
    return 'clear error'


class ToolRun:
    """The outcome of an ``ansible-inventory`` / ``ansible-playbook`` run: output, counters, leaks."""

    def __init__(self, proc, before, after, leaks):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.output = proc.stdout + '\n' + proc.stderr
        #: the output with white space folded: ansible-core before 2.19 wraps warnings at 79 columns
        self.flat = ' '.join(self.output.split())
        self.before, self.after, self.leaks = before, after, leaks

    def delta(self, key):
        return self.after[key] - self.before[key]

    def describe(self):
        return 'rc=%s\n--- stdout (tail)\n%s\n--- stderr (tail)\n%s' % (self.rc, self.stdout[-3000:], self.stderr[-3000:])


def run_tool(runner, argv, env=None, scan=(), start_hook=None):
    """Run ``python -m <ansible cli> ARGV`` (e.g. ansible.cli.inventory) in the runner's environment; scan its
    output and the folders in ``scan`` (and the Ansible home) for every secret, session ids included."""
    sim = runner.sim
    before = sim.counters()
    if sim.proxy:
        with sim.proxy.lock:
            sim.proxy.transcript = []
    proc = subprocess.Popen([sys.executable, '-m'] + list(argv), cwd=str(runner.tmp), env=runner.base_env(env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if start_hook:
        start_hook(proc)
    stdout, stderr = proc.communicate(timeout=120)
    proc.stdout, proc.stderr = stdout, stderr
    after = sim.counters()
    secrets = Helpers.static_secrets()
    if sim.proxy:
        for sid in sim.proxy.session_ids():
            secrets['session id %s..' % sid[:6]] = sid
    texts = {'stdout': stdout, 'stderr': stderr}
    for folder in list(scan) + [runner.tmp / 'ansible-home']:
        for root, _dirs, files in os.walk(str(folder)):
            for name in files:
                with open(os.path.join(root, name), encoding='utf-8', errors='replace') as fobj:
                    texts[os.path.join(root, name)] = fobj.read()
    leaks = Helpers.find_leaks(texts, secrets)
    props = runner.request.node.user_properties
    props.append(('secret_leaks', len(set(name for name, _where in leaks))))
    props.append(('sessions_left_open', max(0, after['active_sessions'] - before['active_sessions'])))
    for name, where in leaks:
        props.append(('leaked', '%s in %s' % (name, where)))
    return ToolRun(proc, before, after, leaks)


Helpers.run_tool = staticmethod(run_tool)


@pytest.fixture
def ansible(sim, tmp_path, request):
    return AnsibleRunner(sim, tmp_path, request)


# ================================================================= TLS material
class TLSMaterial:
    """A CA, a server certificate for 127.0.0.1 signed by it, and an unrelated CA (PEM files)."""

    def __init__(self, folder):
        # imported here: cryptography is a dev/test requirement only
        from cryptography import x509  # pylint: disable=import-outside-toplevel
        from cryptography.hazmat.primitives import hashes, serialization  # pylint: disable=import-outside-toplevel
        from cryptography.hazmat.primitives.asymmetric import ec  # pylint: disable=import-outside-toplevel
        from cryptography.x509.oid import NameOID  # pylint: disable=import-outside-toplevel
        import ipaddress  # pylint: disable=import-outside-toplevel

        now = datetime.datetime.now(datetime.timezone.utc)

        def name(text):
            return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

        def make_ca(common_name):
            key = ec.generate_private_key(ec.SECP256R1())
            cert = (x509.CertificateBuilder().subject_name(name(common_name)).issuer_name(name(common_name))
                    .public_key(key.public_key()).serial_number(x509.random_serial_number())
                    .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
                    .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                    .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                                 key_encipherment=False, data_encipherment=False, key_agreement=False,
                                                 encipher_only=False, decipher_only=False), critical=True)
                    .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                    .sign(key, hashes.SHA256()))
            return key, cert

        ca_key, ca_cert = make_ca('zstack.cloud hardening test CA')
        _other_key, other_cert = make_ca('unrelated test CA')
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(name('127.0.0.1')).issuer_name(ca_cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
                .sign(ca_key, hashes.SHA256()))
        pem = serialization.Encoding.PEM
        folder.mkdir(exist_ok=True)
        self.ca_path = str(folder / 'ca.pem')
        self.other_ca_path = str(folder / 'unrelated-ca.pem')
        self.cert_path = str(folder / 'server.pem')
        self.key_path = str(folder / 'server-key.pem')
        for path, data in ((self.ca_path, ca_cert.public_bytes(pem)), (self.other_ca_path, other_cert.public_bytes(pem)),
                           (self.cert_path, cert.public_bytes(pem)),
                           (self.key_path, key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))):
            with open(path, 'wb') as fobj:
                fobj.write(data)


@pytest.fixture
def tls(tmp_path):
    return TLSMaterial(tmp_path / 'tls')


@pytest.fixture
def tls_sim(tls):
    """The simulator serving HTTPS with the test certificate (no proxy in front)."""
    simulator = Sim(ssl_context=(tls.cert_path, tls.key_path), ca_path=tls.ca_path)
    yield simulator
    _stop_in_background(simulator)


@pytest.fixture
def tls_ansible(tls_sim, tmp_path, request):
    """The module runner aimed at the HTTPS simulator."""
    return AnsibleRunner(tls_sim, tmp_path, request)
