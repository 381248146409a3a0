# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The floor: the least a client can do to get GetVirtualizerInfo for a list of UUIDs.

Plain ``requests``, no Ansible, no verdict logic: log in, GET the UUIDs in batches of
``--batch-size`` with ``--workers`` batches in flight over one Session, keep the
inventories, log out.  The same batching and concurrency as the module's defaults, so
the difference between the two is what the module adds (Ansible's process model,
argument handling, verdicts, the JSON result).

    python floor.py --api-url http://127.0.0.1:8080 --uuids-file uuids.json
"""

import argparse
import hashlib
import json
import sys
from concurrent.futures import ThreadPoolExecutor

import requests
from requests.adapters import HTTPAdapter


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--api-url', required=True)
    parser.add_argument('--uuids-file', required=True, help='JSON: a list of UUIDs, or {"uuids": [...]}')
    parser.add_argument('--batch-size', type=int, default=100)
    parser.add_argument('--workers', type=int, default=4)
    parser.add_argument('--account', default='admin')
    parser.add_argument('--password', default='password')
    args = parser.parse_args(argv)

    with open(args.uuids_file, encoding='utf-8') as fobj:
        data = json.load(fobj)
    uuids = data['uuids'] if isinstance(data, dict) else data
    root = args.api_url.rstrip('/') + '/zstack/v1'

    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(args.workers, 2))
    session.mount('http://', adapter)
    session.mount('https://', adapter)
    login = session.put(root + '/accounts/login', json={'logInByAccount': {
        'accountName': args.account, 'password': hashlib.sha512(args.password.encode()).hexdigest()}})
    login.raise_for_status()
    token = login.json()['inventory']['uuid']
    headers = {'Authorization': 'OAuth ' + token, 'Accept': 'application/json'}

    def fetch(batch):
        resp = session.get(root + '/vm-instances/virtualizer-info', params=[('uuids', u) for u in batch],
                           headers=headers)
        resp.raise_for_status()
        return resp.json().get('inventories') or []

    batches = [uuids[i:i + args.batch_size] for i in range(0, len(uuids), args.batch_size)]
    inventories = []
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        for part in pool.map(fetch, batches):
            inventories.extend(part)
    session.delete(root + '/accounts/sessions/' + token)
    session.close()
    print(json.dumps({'uuids': len(uuids), 'batches': len(batches), 'inventories': len(inventories)}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
