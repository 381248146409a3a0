# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A recording TCP relay in front of the simulator: every session id it sees goes into a file.

Usage: PYTHONPATH=tests/simulator python recorder.py UPSTREAM_URL URL_FILE SESSIONS_FILE
(the relay itself is zstack_simulator.relay, shared with the hardening unit tests)
Writes its own base URL to URL_FILE once listening, appends each session id it sees (in login
answers and in 'Authorization: OAuth' headers) to SESSIONS_FILE, and relays until killed.
"""

from __future__ import annotations

import json
import re
import socketserver
import sys
import threading
from urllib.parse import urlsplit

from zstack_simulator.relay import forward, read_request

OAUTH_RE = re.compile(r'(?im)^authorization:\s*oauth\s+([0-9a-f]{32})\s*$')


def exchange(conn, target):
    """Relay one request; return the session ids it showed (Authorization header, login answer)."""
    request = read_request(conn)
    if request is None:
        return set()
    head, body = request
    found = set(OAUTH_RE.findall(head.decode('latin-1')))
    answer = forward(target, head, body, timeout=60)
    request_line = head.split(b'\r\n', 1)[0]
    if b'/accounts/login ' in request_line or b'/accounts/users/login ' in request_line:
        try:
            found.add(json.loads(answer.partition(b'\r\n\r\n')[2])['inventory']['uuid'])
        except (ValueError, KeyError, TypeError):
            pass
    conn.sendall(answer)
    return found


def main(upstream_url, url_file, sessions_file):
    upstream = urlsplit(upstream_url)
    target = (upstream.hostname, upstream.port or 80)
    lock = threading.Lock()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            found = exchange(self.request, target)
            if found:
                with lock, open(sessions_file, 'a', encoding='utf-8') as fobj:
                    fobj.writelines('%s\n' % sid for sid in sorted(found))

    server = socketserver.ThreadingTCPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    with open(url_file, 'w', encoding='utf-8') as fobj:
        fobj.write('http://127.0.0.1:%d\n' % server.server_address[1])
    server.serve_forever()


if __name__ == '__main__':
    main(*sys.argv[1:4])
