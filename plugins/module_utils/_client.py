# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An HTTP client for the ZStack management node REST API.

Private to this collection: not a public API, may change without notice.

The client knows HTTP and ZStack, not Ansible: it is built from plain values,
so modules and the inventory plugin (through ``_connection.py``), unit tests and
benchmarks all use it the same way.  Layers, one concern each::

    call()/get()/action()   a ZStack API call: envelope, async job, re-login on ID.1001
    _request()              one HTTP exchange with bounded retries and backoff
    _send()                 the transport seam: one request over a requests.Session

Secrets (password, its SHA-512 hex, session ids, access key secret) are never
put into an exception, a log line or a return value.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import hmac
import json
import os
import random
import re
import threading
import time
import uuid as uuidlib

try:
    from urllib.parse import urlsplit, quote
except ImportError:  # pragma: no cover
    from urlparse import urlsplit  # type: ignore
    from urllib import quote  # type: ignore

try:
    import requests
    from requests.adapters import HTTPAdapter
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the sanity import test
    requests = None
    HTTPAdapter = object
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackBadAnswerError,
    ZStackConfigError,
    ZStackError,
    ZStackHTTPError,
    ZStackJobError,
    ZStackSessionError,
    ZStackTLSError,
    ZStackTransportError,
    api_error,
)

CONTEXT_PATH = '/zstack'
API_PREFIX = '/v1'
USER_AGENT = 'zstack.cloud-ansible-collection'

#: HTTP statuses worth retrying when the body is not a ZStack error envelope
RETRY_STATUSES = frozenset([408, 429, 502, 503, 504])
#: more statuses worth retrying for a GET only (safe to repeat): a passing 500, on a job poll too
RETRY_STATUSES_GET = frozenset([500])
#: what an OpenSSL handshake error says when the server answered in plain HTTP, not TLS
PLAIN_HTTP_MARKERS = ('wrong_version_number', 'wrong version number', 'unknown_protocol', 'unknown protocol',
                      'record_layer_failure', 'record layer failure', 'packet_length_too_long', 'packet length too long',
                      'http_request', 'unexpected_message')
#: ZStack error codes that mean "try again later" rather than "you are wrong"
RETRY_CODES = frozenset(['SYS.1001'])
METHODS_WITHOUT_BODY = frozenset(['GET', 'DELETE'])
JOB_FINAL_STATUSES = frozenset([200, 503])
#: inventories a query page asks for (ZStack's own default limit)
DEFAULT_PAGE_SIZE = 1000


def check_page_size(page_size, option='page_size'):
    """A query page size: a positive integer."""
    if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
        raise ZStackConfigError('%s must be a positive integer, got %r' % (option, page_size),
                                remedy='The default %d is what ZStack itself uses' % DEFAULT_PAGE_SIZE)


def hash_password(password):
    """ZStack compares the lowercase SHA-512 hex of the password."""
    return hashlib.sha512(password.encode('utf-8')).hexdigest()


def sign_access_key(secret, method, date, uri):
    """The AccessKey signature: Base64(HMAC-SHA1(secret, METHOD\\nDATE\\nURI))."""
    data = '%s\n%s\n%s' % (method.upper(), date, uri)
    digest = hmac.new(secret.encode('utf-8'), data.encode('utf-8'), hashlib.sha1).digest()
    return base64.b64encode(digest).decode('ascii')


def http_date(now=None):
    """The Date header value ZStack expects for AccessKey auth: local wall-clock time and zone name."""
    now = time.localtime(now if now is not None else time.time())
    return time.strftime('%a, %d %b %Y %H:%M:%S ', now) + (time.strftime('%Z', now) or 'UTC')


def scrub(value, secrets):
    """Replace every secret in a (nested) value with a fixed mask."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            if secret and secret in value:
                value = value.replace(secret, '********')
        return value
    if isinstance(value, dict):
        return dict((k, scrub(v, secrets)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [scrub(v, secrets) for v in value]
    return value


def encode_query(params):
    """Encode query parameters as ZStack expects: a list becomes repeated keys (uuids=a&uuids=b)."""
    if not params:
        return ''
    pairs = []
    for key, value in params.items() if isinstance(params, dict) else params:
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        name = quote(str(key), safe='')
        for item in values:
            if isinstance(item, bool):
                item = 'true' if item else 'false'
            text = str(item)
            # a UUID (the bulk of a GetVirtualizerInfo query) needs no quoting; quote() is slow per call
            pairs.append('%s=%s' % (name, text if text.isascii() and text.isalnum() else quote(text, safe='')))
    return '&'.join(pairs)


def normalize_api_url(api_url):
    """Validate api_url and return the management node root (scheme://host:port, no trailing slash)."""
    if not api_url or not isinstance(api_url, str):
        raise ZStackConfigError(
            'api_url is required', remedy='Set api_url (or ZSTACK_API_URL) to the management node, e.g. http://zstack.example.com:8080')
    text = api_url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ('http', 'https') or not parts.netloc:
        raise ZStackConfigError(
            'api_url %r is not an http(s) URL' % api_url,
            remedy='Give scheme, host and port, e.g. http://zstack.example.com:8080')
    if parts.query or parts.fragment:
        raise ZStackConfigError('api_url %r must not have a query string or fragment' % api_url,
                                remedy='Give only scheme, host and port, e.g. http://zstack.example.com:8080')
    path = parts.path.rstrip('/')
    if path in ('', CONTEXT_PATH, CONTEXT_PATH + API_PREFIX):
        return '%s://%s' % (parts.scheme, parts.netloc)
    raise ZStackConfigError(
        'api_url %r has the path %r; the collection adds /zstack/v1 itself' % (api_url, parts.path),
        remedy='Give only scheme, host and port, e.g. http://zstack.example.com:8080')


class Credentials:
    """Which way the client authenticates. Exactly one of: session, access key, account/user + password."""

    def __init__(self, account_name=None, user_name=None, password=None, session_uuid=None,
                 access_key_id=None, access_key_secret=None):
        self.account_name = account_name or None
        self.user_name = user_name or None
        self.password = password if password not in (None, '') else None
        self.session_uuid = session_uuid or None
        self.access_key_id = access_key_id or None
        self.access_key_secret = access_key_secret or None
        self.kind = self._resolve()

    def _resolve(self):
        given = []
        if self.session_uuid:
            given.append('session_uuid')
        if self.access_key_id or self.access_key_secret:
            given.append('access_key_id/access_key_secret')
        if self.password is not None or self.user_name:
            given.append('account_name/user_name + password')
        if len(given) > 1:
            raise ZStackConfigError(
                'conflicting credentials: %s are all set' % ' and '.join(given),
                remedy='Give exactly one way to authenticate (check the ZSTACK_* environment variables too)')
        if self.session_uuid:
            return 'session'
        if self.access_key_id or self.access_key_secret:
            if not (self.access_key_id and self.access_key_secret):
                raise ZStackConfigError(
                    'access key authentication needs both access_key_id and access_key_secret',
                    remedy='Set both (or ZSTACK_ACCESS_KEY_ID and ZSTACK_ACCESS_KEY_SECRET)')
            return 'access_key'
        if self.password is not None:
            if not self.account_name:
                raise ZStackConfigError(
                    'password authentication needs account_name (with user_name too for a user login)',
                    remedy='Set account_name (or ZSTACK_ACCOUNT_NAME)')
            return 'user' if self.user_name else 'account'
        if self.user_name:
            raise ZStackConfigError('user_name is set but password is missing', remedy='Set password (or ZSTACK_PASSWORD)')
        raise ZStackConfigError(
            'no credentials given',
            remedy=('Set account_name and password (add user_name for a user login), or session_uuid, '
                    'or access_key_id and access_key_secret, or the matching ZSTACK_* environment variables'))

    @property
    def secrets(self):
        """Every secret value, so callers can scrub text before it leaves the process."""
        values = [self.password, self.session_uuid, self.access_key_secret]
        if self.password:
            values.append(hash_password(self.password))
        return [v for v in values if v]


class Response:
    """What the transport returns: status, headers (case-insensitive lookup by lower-case name) and text."""

    def __init__(self, status, headers, text):
        self.status = status
        self.headers = dict((k.lower(), v) for k, v in (headers or {}).items())
        self.text = text
        #: how many times the request was sent to get this answer (set by ZStackClient._request)
        self.attempts = 1

    def json(self):
        return json.loads(self.text) if self.text else {}


class RetryPolicy:
    """Bounded retries: how many, how long to back off, and the cap on a server's Retry-After."""

    def __init__(self, retries=3, backoff=0.5, max_backoff=10.0, max_retry_after=30.0, sleep=time.sleep):
        self.retries = max(0, int(retries))
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.max_retry_after = float(max_retry_after)
        self.sleep = sleep

    def delay(self, attempt, retry_after=None):
        if retry_after is not None:
            try:
                return min(max(float(retry_after), 0.0), self.max_retry_after)
            except ValueError:
                pass
        base = min(self.backoff * (2 ** attempt), self.max_backoff)
        return base * (0.5 + random.random() / 2)  # jitter: 50-100 % of the exponential step


class RequestsTransport:
    """The default transport: one requests.Session (keep-alive, pooled) shared by every call."""

    def __init__(self, validate_certs=True, ca_path=None, pool_size=8):
        if not HAS_REQUESTS:
            raise ZStackConfigError('the Python library requests is required', remedy='Install it: pip install requests')
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(pool_size, 2), max_retries=0)
        self.session.mount('http://', adapter)
        self.session.mount('https://', adapter)
        # The client writes the Authorization header itself (an OAuth session or an AccessKey signature). A session
        # without an auth of its own makes requests read ~/.netrc (or $NETRC) for every request and, for a management
        # node listed there, replace that header with HTTP Basic auth, which ZStack refuses.
        self.session.auth = _keep_authorization
        # verify goes with every request, never on the Session: requests lets REQUESTS_CA_BUNDLE
        # override a Session-level value, which would silently ignore ca_path.
        if not validate_certs:
            self.verify = False
        elif ca_path:
            if not os.path.exists(ca_path):
                raise ZStackConfigError(
                    'ca_path %r does not exist' % (ca_path,),
                    remedy='Give the PEM CA bundle (file or hashed folder) that signed the management node certificate')
            self.verify = ca_path
        else:
            self.verify = True

    def send(self, method, url, headers, body, timeout):
        try:
            resp = self.session.request(method, url, headers=headers, data=body, timeout=timeout,
                                        verify=self.verify, allow_redirects=False)
        except requests.exceptions.SSLError as exc:
            raise tls_error(exc)
        except requests.exceptions.ConnectTimeout as exc:
            raise _transport('connect timeout after %ss' % timeout, exc, sent=False)
        except requests.exceptions.ReadTimeout as exc:
            raise _transport('no answer within %ss (read timeout)' % timeout, exc, sent=True)
        except requests.exceptions.ConnectionError as exc:
            text = str(exc)
            refused = 'refused' in text or 'NewConnectionError' in text or 'Name or service' in text or 'resolve' in text
            raise _transport('connection failed (%s)' % _short(exc), exc, sent=not refused)
        except requests.exceptions.RequestException as exc:
            raise _transport('request failed (%s)' % _short(exc), exc, sent=True)
        # ZStack's RestServer writes UTF-8 and no Content-Type: without a declared charset the text is UTF-8, not
        # what requests would guess from the bytes (slow on every answer, and wrong on a short non-ASCII one)
        return Response(resp.status_code, resp.headers, resp.content.decode(resp.encoding or 'utf-8', 'replace'))

    def close(self):
        self.session.close()


def _keep_authorization(request):
    """The requests auth of the client's session: the request as the client prepared it, its headers untouched."""
    return request


def tls_error(exc):
    """A ZStackTLSError telling a port that speaks no TLS (https:// to a plain-HTTP port) from a certificate problem."""
    text = str(exc)
    if any(marker in text.lower() for marker in PLAIN_HTTP_MARKERS):
        reason = re.search(r'\[SSL: [A-Z_]+\][^(\'"]*', text)
        return ZStackTLSError(
            'TLS handshake failed: this port does not speak TLS (%s)' % (reason.group(0).strip() if reason else _short(exc)),
            remedy=('This port does not speak TLS: use http:// or the HTTPS port. Set api_url to http://<host>:<this port>, '
                    'or to https://<host>:<the HTTPS port> of the management node'))
    return ZStackTLSError('TLS certificate verification failed (%s)' % _short(exc))


def _short(exc):
    text = str(exc)
    return text if len(text) < 300 else text[:300] + '...'


def _transport(message, exc, sent):
    err = ZStackTransportError(message)
    err.request_sent = sent
    return err


class ZStackClient:
    """A ZStack REST API client.

    :param api_url: the management node root, e.g. ``http://zstack.example.com:8080``
    :param credentials: a :class:`Credentials`
    :param timeout: seconds per HTTP request
    :param transport: an object with ``send(method, url, headers, body, timeout) -> Response``
    """

    def __init__(self, api_url, credentials, timeout=30, validate_certs=True, ca_path=None,
                 retry=None, job_timeout=3600, poll_interval=1.0, transport=None, pool_size=8,
                 clock=time.monotonic):
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ZStackConfigError('timeout must be a positive number of seconds, got %r' % (timeout,),
                                    remedy='Set timeout (or ZSTACK_TIMEOUT) to the seconds to wait for each request, e.g. 30')
        self.base_url = normalize_api_url(api_url)
        self.root = self.base_url + CONTEXT_PATH
        self.credentials = credentials
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.job_timeout = job_timeout
        self.poll_interval = poll_interval
        self.transport = transport or RequestsTransport(validate_certs=validate_certs, ca_path=ca_path, pool_size=pool_size)
        self.clock = clock
        self._lock = threading.Lock()
        self._session_uuid = credentials.session_uuid if credentials.kind == 'session' else None
        self._logged_in = False  # True when this client opened the session itself (and must close it)
        self._opened_sessions = []  # every session this client opened: secrets too, masked in every error
        self.request_count = 0
        self.relogins = 0
        #: what went wrong without failing the call (a failed logout): callers show these as warnings
        self.warnings = []
        #: None, or called as ``progress(state, job_uuid)`` while a job is polled (a _progress.ProgressFile)
        self.progress = None

    @property
    def secrets(self):
        """The credentials' secrets and every session this client opened (for callers that scrub output)."""
        return self.credentials.secrets + list(self._opened_sessions)

    def mask(self, text):
        """The text with every secret replaced: an answer may echo the request (a proxy's error page)."""
        return scrub(text, self.secrets)

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        """Log out if this client logged in itself, then close the connection pool."""
        try:
            self.logout()
        finally:
            if hasattr(self.transport, 'close'):
                self.transport.close()

    def login(self):
        """Open a session with LogInByAccount or LogInByUser; no-op for session / access key auth."""
        creds = self.credentials
        if creds.kind not in ('account', 'user'):
            return None
        if creds.kind == 'account':
            path = '/accounts/login'
            body = {'logInByAccount': {'accountName': creds.account_name, 'password': hash_password(creds.password)}}
        else:
            path = '/accounts/users/login'
            body = {'logInByUser': {'accountName': creds.account_name, 'userName': creds.user_name,
                                    'password': hash_password(creds.password)}}
        result = self._call('PUT', path, body=body, auth=False)
        inventory = inventory_of(result, 'PUT', API_PREFIX + path, mask=self.mask)
        session_uuid = inventory.get('uuid')
        if not session_uuid or not isinstance(session_uuid, str):
            raise self.bad_answer('the login answer carries no session (no inventory.uuid)', 'PUT', API_PREFIX + path,
                                  inventory)
        self._session_uuid = session_uuid
        self._logged_in = True
        self._opened_sessions.append(session_uuid)
        return session_uuid

    def logout(self):
        """Log out the session this client opened (never a session the user gave)."""
        if not self._logged_in or not self._session_uuid:
            return
        session_uuid, self._session_uuid, self._logged_in = self._session_uuid, None, False
        try:
            self._call('DELETE', '/accounts/sessions/%s' % session_uuid, auth=False,
                       display_path='/accounts/sessions/<session>')
        except ZStackError as exc:
            # a failed logout must not hide the real result, but it is said: the session stays open until it expires
            self.warnings.append(self.mask(
                'logging out of the session this run opened failed (%s); the session stays open on the management '
                'node until it expires (identity session.timeout, 2 hours by default)' % exc))

    def _ensure_session(self):
        if self.credentials.kind in ('account', 'user'):
            with self._lock:
                if not self._session_uuid:
                    self.login()

    def _relogin(self, stale):
        """Log in again after ID.1001, once per stale session (threads share the fresh one)."""
        with self._lock:
            if self._session_uuid == stale:
                self._session_uuid = None
                self._logged_in = False
                self.relogins += 1
                self.login()

    # ------------------------------------------------------------------ API calls
    def get(self, path, params=None):
        """A synchronous GET API call; returns the parsed JSON body."""
        return self.call('GET', path, params=params)

    def call(self, method, path, params=None, body=None):
        """An authenticated API call; follows the async job protocol when ZStack answers 202."""
        self._ensure_session()
        stale = self._session_uuid
        try:
            return self._call(method, path, params=params, body=body, auth=True)
        except ZStackSessionError:
            if self.credentials.kind not in ('account', 'user'):
                raise
            self._relogin(stale)
            return self._call(method, path, params=params, body=body, auth=True)

    def action(self, resource_path, uuid, action, params=None):
        """An action API: PUT /v1/<resource>/<uuid>/actions with {action: params}; waits for the job."""
        return self.call('PUT', '%s/%s/actions' % (resource_path, uuid), body={action: params or {}})

    def query(self, resource_path, conditions=None, limit=None, start=None, fields=None,
              sort=None, reply_with_count=False):
        """A ZStack query API (GET with q=...). Returns the parsed body (inventories, maybe total)."""
        params = [('q', list(conditions or []))]
        if limit is not None:
            params.append(('limit', limit))
        if start:
            params.append(('start', start))
        if fields:
            params.append(('fields', ','.join(fields)))
        if sort:
            params.append(('sort', sort))
        if reply_with_count:
            params.append(('replyWithCount', True))
        body = self.get(resource_path, params=params)
        inventories_of(body, 'GET', API_PREFIX + resource_path, keys=(), mask=self.mask)
        return body

    def bad_answer(self, problem, method, path, value, status=200):
        """:func:`bad_answer` with this client's secrets masked."""
        return bad_answer(problem, method, path, value, status=status, mask=self.mask)

    def query_all(self, resource_path, conditions=None, fields=None, page_size=DEFAULT_PAGE_SIZE, sort='uuid'):
        """Every inventory matching the conditions, paging with limit/start in the stable ``sort`` order.

        The collection's one paging routine. ``sort`` is a field every inventory has (``uuid``; ``name``
        for those without one, such as global configurations): without it a page may repeat or skip
        some, so an inventory that lacks it is a bad answer.
        """
        check_page_size(page_size)
        results = []
        start = 0
        while True:
            body = self.query(resource_path, conditions, limit=page_size, start=start, fields=fields, sort=sort)
            page = inventories_of(body, 'GET', API_PREFIX + resource_path, keys=(sort,), mask=self.mask)
            results.extend(page)
            if len(page) < page_size:
                return results
            start += page_size

    # ------------------------------------------------------------------ internals
    def _headers(self, method, path, auth):
        headers = {'Accept': 'application/json', 'User-Agent': USER_AGENT}
        if not auth:
            return headers
        creds = self.credentials
        if creds.kind == 'access_key':
            date = http_date()
            signature = sign_access_key(creds.access_key_secret, method, date, API_PREFIX + path)
            headers['Date'] = date
            headers['Authorization'] = 'ZStack %s:%s' % (creds.access_key_id, signature)
        else:
            headers['Authorization'] = 'OAuth %s' % self._session_uuid
        return headers

    def _call(self, method, path, params=None, body=None, auth=True, display_path=None):
        display = API_PREFIX + (display_path or path)
        url = self.root + API_PREFIX + path
        query = encode_query(params)
        if query:
            url += '?' + query
        headers = self._headers(method, path, auth)
        data = None
        if method not in METHODS_WITHOUT_BODY:
            headers['Content-Type'] = 'application/json'
            data = json.dumps(body or {})
            if auth:
                headers['X-Job-UUID'] = uuidlib.uuid4().hex
        resp = self._request(method, url, headers, data, display)
        if resp.status == 202:
            try:
                return self._wait_job(method, display, resp, headers.get('X-Job-UUID'))
            except ZStackError as exc:
                exc.changed = True  # the management node accepted the request: it may have run, or still runs
                raise
        return self._result(method, display, resp)

    def _request(self, method, url, headers, data, display):
        """One HTTP exchange, retried a bounded number of times on transient failures."""
        attempt = 0
        while True:
            self.request_count += 1
            try:
                resp = self.transport.send(method, url, headers, data, self.timeout)
            except ZStackTLSError as exc:
                exc.method, exc.path = method, display
                raise
            except ZStackTransportError as exc:
                exc.method, exc.path = method, display
                # A request that may have reached the server is retried only when it is safe to repeat.
                safe = method == 'GET' or not getattr(exc, 'request_sent', True)
                if not safe or attempt >= self.retry.retries:
                    if attempt:
                        exc.message += ' (after %d attempts)' % (attempt + 1)
                    if not safe:
                        exc.changed = True
                        exc.remedy = ('The request may have reached the management node and been carried out; '
                                      'check the state of the resource before running again')
                    raise
                self.retry.sleep(self.retry.delay(attempt))
                attempt += 1
                continue
            if self._transient(resp, method) and attempt < self.retry.retries:
                self.retry.sleep(self.retry.delay(attempt, resp.headers.get('retry-after')))
                attempt += 1
                continue
            resp.attempts = attempt + 1
            return resp

    @staticmethod
    def _envelope(resp):
        """The parsed JSON body when it is a ZStack error envelope, else None."""
        text = (resp.text or '').lstrip()
        if not text.startswith('{'):
            return None
        try:
            body = json.loads(text)
        except ValueError:
            return None
        return body if isinstance(body, dict) and isinstance(body.get('error'), dict) else None

    def _transient(self, resp, method='GET'):
        if resp.status not in RETRY_STATUSES and not (method == 'GET' and resp.status in RETRY_STATUSES_GET):
            return False
        envelope = self._envelope(resp)
        if envelope is None:
            return True  # a proxy's or a container's answer, not a ZStack business error
        return envelope['error'].get('code') in RETRY_CODES

    def _result(self, method, display, resp, job_uuid=None):
        if resp.status in (200, 204):
            try:
                body = resp.json()
            except ValueError:
                text = self.mask(resp.text)
                raise ZStackHTTPError(
                    'the answer is not JSON: %s' % _snippet(text), method=method, path=display, status=resp.status,
                    body=_snippet(text), remedy='Check that api_url points at a ZStack management node, not another web server')
            if not isinstance(body, dict):
                raise self.bad_answer('the answer is %s, not a JSON object' % _type_name(body), method, display, body,
                                      status=resp.status)
            return body
        envelope = self._envelope(resp)
        if envelope is not None:
            raise api_error(envelope['error'], method=method, path=display, status=resp.status, job_uuid=job_uuid)
        raise self._http_error(method, display, resp)

    def _http_error(self, method, display, resp):
        """A ZStackHTTPError for an answer that is neither a result nor a ZStack error envelope."""
        text = self.mask(resp.text)
        if 300 <= resp.status < 400:
            location = self.mask(resp.headers.get('location') or '')
            message = 'a redirect to %s' % (_snippet(location, 200) if location else 'no Location at all')
            remedy = ('Check api_url: the ZStack API never redirects, so api_url likely points at a web portal or a proxy, '
                      'not at the management node API; give the management node itself, e.g. http://zstack.example.com:8080')
        else:
            message, remedy = _http_message(text), _http_remedy(resp.status)
        if resp.attempts > 1:
            message += ' (after %d attempts)' % resp.attempts
        return ZStackHTTPError(message, method=method, path=display, status=resp.status, body=_snippet(text), remedy=remedy)

    def job_url(self, location, job_uuid=None):
        """Rebuild a job's location onto our own base URL: the MN names its own view of itself."""
        job_id = job_uuid
        if location:
            job_id = location.rstrip('/').rsplit('/', 1)[-1]
        return self.root + API_PREFIX + '/api-jobs/' + job_id, job_id

    def _wait_job(self, method, display, resp, sent_job_uuid):
        try:
            accepted = resp.json()
        except ValueError:
            accepted = {}
        location = accepted.get('location') if isinstance(accepted, dict) else None
        if location is not None and not isinstance(location, str):
            raise self.bad_answer('the job location is %s, not a URL' % _type_name(location), method, display,
                                  accepted, status=202)
        url, job_uuid = self.job_url(location, sent_job_uuid)
        if not job_uuid:
            raise ZStackJobError('HTTP 202 without a job location', method=method, path=display, status=202)
        deadline = self.clock() + self.job_timeout
        headers = self._headers('GET', '/api-jobs/%s' % job_uuid, auth=True)
        job_path = API_PREFIX + '/api-jobs/' + job_uuid
        while True:
            if self.progress is not None:
                self.progress('job %s running' % job_uuid, job_uuid)  # all that ZStack says of an API job until it ends
            poll = self._request('GET', url, headers, None, job_path)
            if poll.status in JOB_FINAL_STATUSES:
                result = self._result(method, display, poll, job_uuid=job_uuid)
                if isinstance(result, dict):
                    result.setdefault('_job_uuid', job_uuid)
                return result
            if poll.status == 404:
                raise ZStackJobError(
                    'job %s is unknown or expired on the management node (%s)' % (job_uuid, _snippet(self.mask(poll.text))),
                    method=method, path=display, status=404, job_uuid=job_uuid,
                    remedy='Its result is gone (ZStack keeps results for 3 hours); check the resource state and run again')
            if poll.status != 202:
                raise self._http_error('GET', job_path, poll)
            if self.clock() >= deadline:
                raise ZStackJobError(
                    'job %s did not finish within %ss' % (job_uuid, self.job_timeout), method=method, path=display,
                    job_uuid=job_uuid, remedy='The job may still run on the management node; raise the job timeout or check it later')
            self.retry.sleep(self.poll_interval)


# ---------------------------------------------------------------------- answer shapes
def bad_answer(problem, method, path, value, status=200, mask=None):
    """A ZStackBadAnswerError naming the call and showing (short, secrets masked by ``mask``) what came."""
    try:
        shown = json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        shown = repr(value)
    shown = _snippet(mask(shown) if mask else shown, 200)
    return ZStackBadAnswerError('a bad answer: %s; it came as %s' % (problem, shown), method=method, path=path,
                                status=status, body=shown)


def inventories_of(body, method, path, keys=('uuid',), mask=None):
    """``body["inventories"]`` when it is a list of objects each with a non-empty string at every one of ``keys``.

    ZStack always answers a query or a list API with that list (empty when nothing matches): anything else
    (no ``inventories``, null, a string, a list holding strings, an inventory without its ``uuid``) is a
    :class:`ZStackBadAnswerError`, never read as "nothing found".
    """
    if not isinstance(body, dict) or 'inventories' not in body:
        raise bad_answer('a successful answer of this API always carries "inventories", this one does not',
                         method, path, body, mask=mask)
    inventories = body['inventories']
    if not isinstance(inventories, list):
        raise bad_answer('"inventories" is %s, not a list' % _type_name(inventories), method, path, body, mask=mask)
    for index, inventory in enumerate(inventories):
        if not isinstance(inventory, dict):
            raise bad_answer('inventories[%d] is %s, not an object' % (index, _type_name(inventory)),
                             method, path, inventory, mask=mask)
        for key in keys:
            value = inventory.get(key)
            if not isinstance(value, str) or not value:
                raise bad_answer('inventories[%d] has no %s' % (index, key), method, path, inventory, mask=mask)
    return inventories


def inventory_of(body, method, path, mask=None):
    """``body["inventory"]`` when it is an object (what a login or an action's job result carries)."""
    inventory = body.get('inventory') if isinstance(body, dict) else None
    if not isinstance(inventory, dict):
        problem = ('a successful answer of this API always carries "inventory", this one does not'
                   if not isinstance(body, dict) or 'inventory' not in body
                   else '"inventory" is %s, not an object' % _type_name(inventory))
        raise bad_answer(problem, method, path, body, mask=mask)
    return inventory


def _type_name(value):
    return 'null' if value is None else 'a %s' % {'str': 'string', 'dict': 'object', 'list': 'list', 'bool': 'boolean',
                                                  'int': 'number', 'float': 'number'}.get(type(value).__name__, type(value).__name__)


def _snippet(text, limit=300):
    text = (text or '').strip()
    return text if len(text) <= limit else text[:limit] + '...'


def _http_message(text):
    text = _snippet(text)
    return 'unexpected answer%s' % (': %s' % text if text else ' with an empty body')


def _http_remedy(status):
    return {
        400: 'The request was malformed; this is a bug in the collection or an API mismatch, please report it',
        401: 'Check the credentials',
        403: 'Check the access key (id, secret, enabled) and that the controller clock is within 15 minutes of the management node',
        404: 'Check that api_url points at a ZStack management node and that its version provides this API',
        414: 'The request line is too long for the management node; lower batch_size',
        500: 'The management node failed with an internal error; check its log (management-server.log) and try again',
        502: 'A proxy in front of the management node could not reach it; check the management node is running',
        503: 'The management node is unavailable; try again later',
        504: 'A proxy in front of the management node timed out; try again later or raise timeout',
    }.get(status)
