# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's own rate: GetVirtualizerInfo requests as fast as it answers them.

``--workers`` threads (one requests.Session, like the module) send the same request over
and over for ``--duration`` seconds: a batch of ``--batch-size`` UUIDs taken in turn from
the UUIDs file.  Prints one JSON line: requests, UUIDs, seconds, requests/s, UUIDs/s.
"""

import argparse
import hashlib
import itertools
import json
import sys
import threading
import time

import requests
from requests.adapters import HTTPAdapter


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--api-url', required=True)
    parser.add_argument('--uuids-file', required=True)
    parser.add_argument('--batch-size', type=int, default=100)
    parser.add_argument('--workers', type=int, default=4)
    parser.add_argument('--duration', type=float, default=3.0)
    args = parser.parse_args(argv)

    with open(args.uuids_file, encoding='utf-8') as fobj:
        data = json.load(fobj)
    uuids = data['uuids'] if isinstance(data, dict) else data
    batches = [uuids[i:i + args.batch_size] for i in range(0, len(uuids), args.batch_size)]
    root = args.api_url.rstrip('/') + '/zstack/v1'
    session = requests.Session()
    session.mount('http://', HTTPAdapter(pool_maxsize=max(args.workers, 2)))
    login = session.put(root + '/accounts/login', json={'logInByAccount': {
        'accountName': 'admin', 'password': hashlib.sha512(b'password').hexdigest()}})
    login.raise_for_status()
    token = login.json()['inventory']['uuid']
    headers = {'Authorization': 'OAuth ' + token, 'Accept': 'application/json'}
    turn = itertools.cycle(batches)
    lock = threading.Lock()
    counts = {'requests': 0, 'uuids': 0, 'errors': 0}
    deadline = time.monotonic() + args.duration

    def worker():
        while time.monotonic() < deadline:
            with lock:
                batch = next(turn)
            resp = session.get(root + '/vm-instances/virtualizer-info', params=[('uuids', u) for u in batch],
                               headers=headers)
            resp.json()
            with lock:
                counts['requests'] += 1
                counts['uuids'] += len(batch)
                counts['errors'] += resp.status_code != 200

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _index in range(args.workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    session.delete(root + '/accounts/sessions/' + token)
    counts.update({'seconds': elapsed, 'requests_per_s': counts['requests'] / elapsed,
                   'uuids_per_s': counts['uuids'] / elapsed, 'batch_size': args.batch_size, 'workers': args.workers})
    print(json.dumps(counts))
    return 0 if not counts['errors'] else 1


if __name__ == '__main__':
    sys.exit(main())
