# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The exception tree of the zstack.cloud ZStack client.

Private to this collection: not a public API, may change without notice.

::

    ZStackError                      every error the client raises
    +-- ZStackConfigError            bad option values, detected before any request
    +-- ZStackTransportError         the request never got an HTTP answer
    |   +-- ZStackTLSError           certificate verification failed
    +-- ZStackHTTPError              an HTTP answer that is not a ZStack API result
    |   |                            (REST-layer 4xx in plain text, 414, 5xx from a proxy, non-JSON body, redirect)
    |   +-- ZStackBadAnswerError     a successful answer without the shape its API defines
    |                                (no ``inventories`` list, an inventory without its ``uuid`` ...)
    +-- ZStackAPIError               a ZStack error envelope: {"error": {"code": ..., ...}}
    |   +-- ZStackAuthError          ID.1000, wrong credentials
    |   +-- ZStackSessionError       ID.1001, session expired or invalid
    +-- ZStackJobError               the async job protocol failed (job expired, deadline passed)
    +-- ZStackUnsupportedError       the management node lacks an API the call needs
    +-- ZStackNotFoundError          a resource a module works on does not exist
    +-- ZStackStateError             a resource's state forbids the operation; detected before any change

Every error carries the HTTP method and path (never the query string, never a
header), so a message can say exactly which call failed; secrets never enter it.
``changed`` is True when the error came after a changing request was submitted
(the resource may be in its old state, the new one, or on the way): a module
reports it with the failure, so ``changed`` stays honest.
Only the entry points (a module's main(), an inventory plugin's parse()) turn
these into fail_json / AnsibleError.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ZStackError(Exception):
    """Base class of every error the client raises."""

    #: a short hint telling the user what to do about it; subclasses refine it
    remedy = None
    #: True when a changing request was submitted before the error (see the module docstring)
    changed = False

    def __init__(self, message, method=None, path=None, status=None, remedy=None):
        super(ZStackError, self).__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        if remedy is not None:
            self.remedy = remedy

    def where(self):
        if self.method and self.path:
            return '%s %s' % (self.method, self.path)
        return None

    def __str__(self):
        parts = []
        where = self.where()
        if where:
            parts.append(where)
        if self.status is not None:
            parts.append('HTTP %s' % self.status)
        text = self.message
        if parts:
            text = '%s: %s' % (' '.join(parts), text)
        if self.remedy:
            text = '%s. %s' % (text.rstrip('.'), self.remedy)
        return text

    def to_dict(self):
        """Machine-readable details for fail_json (no secrets are ever stored here)."""
        data = {
            'type': type(self).__name__,
            'method': self.method,
            'path': self.path,
            'status': self.status,
        }
        return data


class ZStackConfigError(ZStackError):
    """An option value is wrong; raised before any request is sent."""


class ZStackTransportError(ZStackError):
    """No HTTP answer: connection refused or reset, DNS failure, timeout."""

    remedy = 'Check that api_url points at a reachable ZStack management node (default port 8080) and that the network allows it'


class ZStackTLSError(ZStackTransportError):
    """The server's TLS certificate could not be verified."""

    remedy = ('Give the CA bundle that signed the management node certificate with ca_path, '
              'or set validate_certs=false only for a trusted test endpoint')


class ZStackHTTPError(ZStackError):
    """An HTTP answer that is not a ZStack API result (plain-text REST-layer error, proxy error, bad body)."""

    def __init__(self, message, method=None, path=None, status=None, body=None, remedy=None):
        super(ZStackHTTPError, self).__init__(message, method=method, path=path, status=status, remedy=remedy)
        self.body = body

    def to_dict(self):
        data = super(ZStackHTTPError, self).to_dict()
        data['body'] = self.body
        return data


class ZStackBadAnswerError(ZStackHTTPError):
    """A 2xx answer whose JSON lacks the shape its API defines: never read as an empty or partial result."""

    remedy = ('Check that api_url points at the ZStack management node itself (not a portal, a proxy or another web '
              'server) and that its version provides this API; if it does, report the answer to the collection')


def _error_from_envelope(error):
    """Normalise an ErrorCode JSON object into a plain dict with its cause chain."""
    if not isinstance(error, dict):
        return {'code': None, 'description': None, 'details': str(error), 'cause': None}
    cause = error.get('cause')
    return {
        'code': error.get('code'),
        'description': error.get('description'),
        'details': error.get('details'),
        'elaboration': error.get('elaboration'),
        'cause': _error_from_envelope(cause) if cause else None,
    }


class ZStackAPIError(ZStackError):
    """ZStack answered with an error envelope ({"error": {...}}, HTTP 503 or a failed job)."""

    def __init__(self, error, method=None, path=None, status=None, job_uuid=None, remedy=None):
        self.error = _error_from_envelope(error)
        self.code = self.error.get('code')
        self.description = self.error.get('description')
        self.details = self.error.get('details')
        self.cause = self.error.get('cause')
        self.job_uuid = job_uuid
        super(ZStackAPIError, self).__init__(self._format(), method=method, path=path, status=status, remedy=remedy)

    def _format(self):
        text = 'ZStack error %s' % (self.code or 'without a code')
        if self.description:
            text += ' (%s)' % self.description
        if self.details:
            text += ': %s' % self.details
        cause = self.cause
        while cause:
            text += '; caused by %s' % (cause.get('code') or 'an error without a code')
            if cause.get('details') or cause.get('description'):
                text += ': %s' % (cause.get('details') or cause.get('description'))
            cause = cause.get('cause')
        if self.job_uuid:
            text += ' [job %s]' % self.job_uuid
        return text

    def cause_codes(self):
        """The codes of this error and of every cause, outermost first."""
        codes = [self.code]
        cause = self.cause
        while cause:
            codes.append(cause.get('code'))
            cause = cause.get('cause')
        return codes

    def to_dict(self):
        data = super(ZStackAPIError, self).to_dict()
        data.update({
            'code': self.code,
            'description': self.description,
            'details': self.details,
            'cause': self.cause,
            'job_uuid': self.job_uuid,
        })
        return data


class ZStackAuthError(ZStackAPIError):
    """ID.1000: the management node refused the credentials."""

    remedy = 'Check account_name / user_name and password (or ZSTACK_ACCOUNT_NAME, ZSTACK_USER_NAME, ZSTACK_PASSWORD)'


class ZStackSessionError(ZStackAPIError):
    """ID.1001: the session is unknown, expired or logged out."""

    remedy = ('The session is no longer valid: give a fresh session_uuid, '
              'or give account_name and password so the collection can log in again by itself')


class ZStackJobError(ZStackError):
    """The async job protocol failed: the job is unknown or expired, or its deadline passed."""

    def __init__(self, message, method=None, path=None, status=None, job_uuid=None, remedy=None):
        super(ZStackJobError, self).__init__(message, method=method, path=path, status=status, remedy=remedy)
        self.job_uuid = job_uuid

    def to_dict(self):
        data = super(ZStackJobError, self).to_dict()
        data['job_uuid'] = self.job_uuid
        return data


class ZStackUnsupportedError(ZStackError):
    """The management node does not provide an API that the call needs."""


class ZStackNotFoundError(ZStackError):
    """A resource the module works on does not exist (ZStack's query answered an empty list)."""


class ZStackStateError(ZStackError):
    """A resource is in a state the requested operation cannot start from; detected before any change."""


#: what to do about a ZStack error code (ID.1000 and ID.1001 have their own classes and remedies)
API_REMEDIES = {
    'SYS.1000': 'ZStack hit an internal error; check the management node log (management-server.log) and try again',
    'SYS.1001': 'The management node timed out; try again later',
    'SYS.1003': 'Check that the resource named in the details still exists',
    'SYS.1005': 'Check the state of the resource named in the details; ZStack refused to change it',
    'SYS.1006': 'Check the state of the resources named in the details; ZStack refused the operation',
    'SYS.1007': 'Check the arguments named in the details',
    'ID.1002': 'Check that the account or user has the permission for this API (an admin account has every permission)',
    'ID.1006': 'Too many sessions are open for this user: log out unused sessions, or wait for them to expire, and try again',
}
DEFAULT_API_REMEDY = 'Check the ZStack error details above, fix the cause on the management node, then run again'


def api_error(error, method=None, path=None, status=None, job_uuid=None):
    """Build the most specific ZStackAPIError subclass for an error envelope."""
    code = error.get('code') if isinstance(error, dict) else None
    cls = {'ID.1000': ZStackAuthError, 'ID.1001': ZStackSessionError}.get(code, ZStackAPIError)
    remedy = API_REMEDIES.get(code, DEFAULT_API_REMEDY) if cls is ZStackAPIError else None
    return cls(error, method=method, path=path, status=status, job_uuid=job_uuid, remedy=remedy)
