# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pieces of a one-request-per-connection HTTP relay in front of the simulator, for tests.

The simulator closes the connection after every answer, so a relay reads one request, sends it
upstream on a fresh connection and reads the answer to its end. Used by the hardening unit tests'
flaky proxy and by the hardening_secrets integration target's session recorder.
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


def forward(target, head, body, timeout=30):
    """Send one request to ``target`` (host, port) on a new connection; the whole answer, as bytes."""
    upstream = socket.create_connection(target, timeout=timeout)
    try:
        upstream.sendall(head + b'\r\n\r\n' + body)
        answer = b''
        while True:
            chunk = upstream.recv(CHUNK)
            if not chunk:
                return answer
            answer += chunk
    finally:
        upstream.close()
