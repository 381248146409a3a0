# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Look for secrets in files: python scan.py SESSIONS_FILE PASSWORD ACCESS_KEY_SECRET PATH...

The secrets are the password, its SHA-512 hex, the access key secret and every session id in
SESSIONS_FILE; PATH is a file or a folder (searched recursively). Prints one line per leak and
exits 1 when there is any; exits 2 when SESSIONS_FILE names no session (nothing was recorded).
"""

from __future__ import annotations

import hashlib
import os
import sys


def main(sessions_file, password, ak_secret, *paths):
    with open(sessions_file, encoding='utf-8') as fobj:
        sessions = sorted(set(line.strip() for line in fobj if line.strip()))
    if not sessions:
        print('no session id was recorded: the scan would prove nothing')
        return 2
    secrets = {'password': password, 'password sha512': hashlib.sha512(password.encode('utf-8')).hexdigest(),
               'access key secret': ak_secret}
    secrets.update(('session id %s..' % sid[:6], sid) for sid in sessions)
    files = []
    for path in paths:
        if os.path.isdir(path):
            files.extend(os.path.join(root, name) for root, _dirs, names in os.walk(path) for name in names)
        elif os.path.exists(path):
            files.append(path)
    leaks = 0
    for path in files:
        with open(path, encoding='utf-8', errors='replace') as fobj:
            text = fobj.read()
        for name, secret in secrets.items():
            if secret in text:
                print('LEAK: %s in %s' % (name, path))
                leaks += 1
    print('scanned %d files for %d secrets (%d session ids): %d leaks' % (len(files), len(secrets), len(sessions), leaks))
    return 1 if leaks else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
