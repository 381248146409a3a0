#!/usr/bin/env bash
# Integration test of the zstack.cloud.zstack inventory plugin against the simulator.
#
# The simulator's URL and the Pythons come from ../setup_zstack_sim/env.sh.
# For a manual run: ZSTACK_SIM_URL=http://127.0.0.1:PORT ./runme.sh
set -eux

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tests/integration/targets/setup_zstack_sim/env.sh
source "${here}/../setup_zstack_sim/env.sh"
PY="$SIM_PY"
target_work inventory_zstack
work="$WORK"

# Start from the demo fleet.
sim POST /_sim/reset '{"fleet": "demo"}'

# 1. Hosts and running VMs, password login: the graph and the variables.
cat >"$work/test.zstack.yml" <<YAML
plugin: zstack.cloud.zstack
api_url: ${SIM_URL}
account_name: admin
password: password
include_vms: true
groups:
  needs_qemu_upgrade: zstack_resource_type == 'HostVO' and zstack_match_state == 'Unmatched'
keyed_groups:
  - key: zstack_host_name
    prefix: on_host
YAML
ansible-inventory -i "$work/test.zstack.yml" --graph | tee "$work/graph.txt"
grep -q '@zstack_unmatched:' "$work/graph.txt"
ansible-inventory -i "$work/test.zstack.yml" --list >"$work/list.json"
"$PY" "${here}/check_list.py" "$work/list.json"

# 2. A play against the inventory: hosts: zstack_unmatched, asserting hostvars.
ansible-playbook -i "$work/test.zstack.yml" "${here}/play.yml" "$@"

# Every session the plugin opened was logged out; nothing was changed.
sim GET /_sim/counters >"$work/counters.json"
"$PY" - "$work/counters.json" <<'PYCHECK'
import json, sys
counters = json.load(open(sys.argv[1]))
assert counters['active_sessions'] == 0, counters
assert counters['mutating_requests'] == 0, counters
assert counters['logins'] == counters['logouts'] >= 3, counters
PYCHECK

# 3. Credentials from the environment only, filters, no verdicts.
cat >"$work/env.zstack.yml" <<YAML
plugin: zstack.cloud.zstack
zones: [zone-2]
host_statuses: [Connected]
virtualizer_info: false
YAML
ZSTACK_API_URL="$SIM_URL" ZSTACK_ACCOUNT_NAME=admin ZSTACK_PASSWORD=password \
    ansible-inventory -i "$work/env.zstack.yml" --list >"$work/env.json"
"$PY" - "$work/env.json" <<'PYCHECK'
import json, sys
inv = json.load(open(sys.argv[1]))
# ansible-core 2.18 also writes the (unsafe) host names as {"__ansible_unsafe": name}
names = [h['__ansible_unsafe'] if isinstance(h, dict) else h for h in inv['zstack_hosts']['hosts']]
assert names == ['kvm-5'], inv.get('zstack_hosts')
assert 'zstack_unmatched' not in inv, sorted(inv)
assert 'zstack_match_state' not in inv['_meta']['hostvars']['kvm-5']
assert inv['_meta']['hostvars']['kvm-5']['zstack_zone_name'] == {'__ansible_unsafe': 'zone-2'}
PYCHECK

# 4. A wrong password: a clear parse failure naming ZStack's error, no secret, no traceback.
sed -e 's/^password: password$/password: wrong-Secret-4711/' "$work/test.zstack.yml" >"$work/bad.zstack.yml"
if ansible-inventory -i "$work/bad.zstack.yml" --list >"$work/bad.out" 2>"$work/bad.err"; then
    :  # ansible-inventory only warns about an unparsed source; the check is on the message
fi
cat "$work/bad.err"
grep -q 'ID.1000' "$work/bad.err"
if grep -q 'wrong-Secret-4711' "$work/bad.err" "$work/bad.out"; then
    echo "the password leaked into the output" >&2
    exit 1
fi
if grep -q 'Traceback' "$work/bad.err"; then
    echo "a traceback was shown" >&2
    exit 1
fi

# 5. The cache: a second run answers from it, --flush-cache fetches again.
cat >"$work/cached.zstack.yml" <<YAML
plugin: zstack.cloud.zstack
api_url: ${SIM_URL}
account_name: admin
password: password
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ${work}/cache
cache_timeout: 3600
YAML
ansible-inventory -i "$work/cached.zstack.yml" --list >"$work/cached1.json"
if grep -rq 'password' "$work/cache"; then
    echo "the cache holds the word password (a secret or an option)" >&2
    exit 1
fi
sim POST /_sim/reset '{"fleet": "empty"}'
ansible-inventory -i "$work/cached.zstack.yml" --list >"$work/cached2.json"
"$PY" - "$work/cached1.json" "$work/cached2.json" <<'PYCHECK'
import json, sys
first, second = (json.load(open(p)) for p in sys.argv[1:])
assert len(first['zstack_hosts']['hosts']) == 6, first['zstack_hosts']
assert second['zstack_hosts'] == first['zstack_hosts'], 'the second run did not answer from the cache'
PYCHECK
# --flush-cache (ansible-playbook has it on every supported ansible-core) fetches again: the fleet is empty now
ansible-playbook -i "$work/cached.zstack.yml" "${here}/count_hosts.yml" -e expected_hosts=6
ansible-playbook -i "$work/cached.zstack.yml" "${here}/count_hosts.yml" -e expected_hosts=0 --flush-cache
ansible-playbook -i "$work/cached.zstack.yml" "${here}/count_hosts.yml" -e expected_hosts=0

# Leave the demo fleet for the next target.
sim POST /_sim/reset '{"fleet": "demo"}'
