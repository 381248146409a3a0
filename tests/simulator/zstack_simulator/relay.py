# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pieces of a one-request-per-connection HTTP relay in front of the simulator, for tests.

A relay reads one request, sends it upstream on a fresh connection with ``Connection: close``
(the simulator keeps connections alive otherwise) and reads the answer to its end, which then
tells the client to reconnect. Used by the hardening unit tests' flaky proxy and by the
hardening_secrets integration target's session recorder.
"""

from __future__ import annotations

import socket

CHUNK = 65536


def read_request(conn):
    """``(head, body)`` of one HTTP request from ``conn`` (body as long as Content-Length says), or None at EOF."""
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = conn.recv(CHUNK)
        if not chunk:
            return None
        data += chunk
    head, _sep, body = data.partition(b'\r\n\r\n')
    length = 0
    for line in head.split(b'\r\n')[1:]:
        name, _colon, value = line.partition(b':')
        if name.strip().lower() == b'content-length':
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(CHUNK)
        if not chunk:
            break
        body += chunk
    return head, body


def _closing(head):
    """``head`` with its Connection header (if any) replaced by ``Connection: close``."""
    lines = [line for line in head.split(b'\r\n') if line.partition(b':')[0].strip().lower() != b'connection']
    return b'\r\n'.join(lines + [b'Connection: close'])


def forward(target, head, body, timeout=30):
    """Send one request to ``target`` (host, port) on a new connection that closes after the answer; the whole answer, as bytes."""
    upstream = socket.create_connection(target, timeout=timeout)
    try:
        upstream.sendall(_closing(head) + b'\r\n\r\n' + body)
        answer = b''
        while True:
            chunk = upstream.recv(CHUNK)
            if not chunk:
                return answer
            answer += chunk
    finally:
        upstream.close()
