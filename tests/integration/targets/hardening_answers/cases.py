# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad answers and bad inputs through real ansible-playbook runs, faults set with the simulator's control plane.

Usage: cases.py SIM_URL WORK_DIR PYTHON

Each case resets the simulator, injects its fault, runs the role or one module with ansible-playbook and
checks: the run failed clearly (or recovered, as the case expects), the message names what it must, no
traceback, no session left open, and (for a fetch that succeeded) every UUID that went in came out.
The closing lines are the figures: tried / clear error / survived, wrong successes, crashes, sessions
left open, UUIDs lost. The exit status is 1 when any case is not as expected.
"""

import json
import os
import subprocess
import sys
import urllib.request

from zstack_simulator.fleet import fixed_uuid
from zstack_simulator.models import ADMIN_ACCOUNT_UUID

SIM, WORK, PY = sys.argv[1:4]
HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = 'Ha-answers-pa55w0rd-9c2d!'
VI = '/v1/vm-instances/virtualizer-info'
HOST_MATCHED, HOST_UNMATCHED = fixed_uuid('demo', 'kvm-1'), fixed_uuid('demo', 'kvm-3')
VM_RUNNING, VM_STOPPED = fixed_uuid('demo', 'vm-1'), fixed_uuid('demo', 'vm-3')
FLEET = [HOST_MATCHED, HOST_UNMATCHED, VM_RUNNING, VM_STOPPED]
BUG = 'unexpected error in zstack.cloud'


def sim(method, path, body=None):
    data = json.dumps(body or {}).encode()
    req = urllib.request.Request(SIM + path, data=None if method == 'GET' else data, method=method,
                                 headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=30) as rsp:
        return json.loads(rsp.read().decode() or '{}')


def reset():
    sim('POST', '/_sim/reset', {'fleet': 'demo', 'accounts': [{'name': 'admin', 'password': PASSWORD, 'uuid': ADMIN_ACCOUNT_UUID}]})


def module_playbook(name, module, args):
    """A playbook calling one module (failures kept), writing its result to a file for this driver."""
    path = os.path.join(WORK, '%s.yml' % name)
    task_args = dict(args, api_url='{{ ha_url }}', account_name='admin', password='{{ ha_password }}')
    play = [{'name': name, 'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'name': 'Call %s' % module, module: task_args, 'register': 'ha_result', 'ignore_errors': True},
        {'name': 'Keep the result',
         'ansible.builtin.copy': {'content': '{{ ha_result | to_json }}', 'dest': '{{ ha_out }}', 'mode': '0600'}}]}]
    with open(path, 'w', encoding='utf-8') as fobj:
        json.dump(play, fobj)  # JSON is YAML
    return path


def run(name, playbook, uuids=None):
    out = os.path.join(WORK, '%s.result.json' % name)
    extra = {'ha_url': SIM, 'ha_password': PASSWORD, 'ha_uuids': uuids or [], 'ha_out': out,
             'ha_reports': os.path.join(WORK, name + '-reports'), 'ansible_python_interpreter': PY}
    vars_file = os.path.join(WORK, '%s.vars.json' % name)
    with open(vars_file, 'w', encoding='utf-8') as fobj:
        json.dump(extra, fobj)
    before = sim('GET', '/_sim/counters')
    proc = subprocess.run(['ansible-playbook', '-i', 'localhost,', '-c', 'local', playbook, '-e', '@' + vars_file],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ, ANSIBLE_NOCOLOR='1'), check=False)
    after = sim('GET', '/_sim/counters')
    result = {}
    if os.path.exists(out):
        with open(out, encoding='utf-8') as fobj:
            result = json.load(fobj)
    return proc, result, before, after


CASES = []


def case(name, expect):
    def register(func):
        CASES.append((name, expect, func))
        return func
    return register


def bad_answer_role_case(name, body):
    @case('role, GetVirtualizerInfo answers 200 with %s' % name, 'error')
    def _run(label):
        sim('POST', '/_sim/faults', {'status': 200, 'body': body, 'content_type': 'application/json', 'method': 'GET',
                                     'path': VI, 'count': 100})
        proc, _result, before, after = run(label, os.path.join(HERE, 'role.yml'), FLEET)
        output = proc.stdout + proc.stderr
        return {'failed': proc.returncode != 0, 'output': output, 'before': before, 'after': after,
                'needles': ['GET /v1/vm-instances/virtualizer-info', 'HTTP 200', 'a bad answer'],
                'forbidden': ['are compliant']}


for _name, _body in [('an empty body', ''), ('"inventories": null', '{"inventories": null}'), ('no inventories', '{}'),
                     ('"inventories": "oops"', '{"inventories": "oops"}'),
                     ('a list of strings', json.dumps({'inventories': [HOST_UNMATCHED]})),
                     ('an entry without uuid', '{"inventories": [{"resourceType": "HostVO", "infoList": []}]}'),
                     ('a non-list infoList', json.dumps({'inventories': [{'uuid': HOST_UNMATCHED, 'infoList': 'x'}]}))]:
    bad_answer_role_case(_name, _body)


def module_case(name, expect, module, args, needles, fault=None, forbidden=(), uuids=None, check=None):
    @case(name, expect)
    def _run(label):
        for one in ([fault] if isinstance(fault, dict) else fault or []):
            sim('POST', '/_sim/faults', one)
        proc, result, before, after = run(label, module_playbook(label, module, args), uuids)
        return {'failed': bool(result.get('failed')) or not result, 'output': json.dumps(result) + proc.stdout + proc.stderr,
                'msg': result.get('msg', ''), 'before': before, 'after': after, 'needles': needles, 'forbidden': list(forbidden),
                'result': result, 'uuids': uuids, 'check': check}


module_case('zstack_virtualizer_info with "<uuid>\\n"', 'error', 'zstack.cloud.zstack_virtualizer_info',
            {'uuids': [HOST_MATCHED + '\n']}, ['uuids[0]', 'white space'], check=lambda r, b, a: a['total_requests'] == b['total_requests'])
module_case('zstack_host with uuid "<uuid>\\r\\n"', 'error', 'zstack.cloud.zstack_host',
            {'uuid': HOST_MATCHED + '\r\n', 'state': 'disabled'}, ['uuid', 'white space'],
            check=lambda r, b, a: a['total_requests'] == b['total_requests'])
module_case('zstack_host with wait_timeout 0', 'error', 'zstack.cloud.zstack_host',
            {'uuid': HOST_MATCHED, 'state': 'disabled', 'wait_timeout': 0}, ['wait_timeout', 'positive'],
            check=lambda r, b, a: a['mutating_requests'] == b['mutating_requests'] and r.get('changed') is False)
module_case('zstack_virtualizer_info behind a redirect', 'error', 'zstack.cloud.zstack_virtualizer_info',
            {'uuids': FLEET}, ['HTTP 302', 'a redirect to https://portal.example.com/', 'portal or a proxy'],
            fault={'status': 302, 'body': '', 'headers': {'Location': 'https://portal.example.com/'}, 'method': 'PUT',
                   'path': '/v1/accounts/login', 'count': 10}, uuids=FLEET)
module_case('zstack_virtualizer_info with a 502 every time', 'error', 'zstack.cloud.zstack_virtualizer_info',
            {'uuids': FLEET}, ['HTTP 502', 'after 4 attempts'],
            fault={'status': 502, 'body': 'Bad Gateway', 'method': 'GET', 'path': VI, 'count': 100}, uuids=FLEET)
module_case('zstack_virtualizer_info, on_batch_error=report, one batch failing', 'survive', 'zstack.cloud.zstack_virtualizer_info',
            {'uuids': FLEET, 'batch_size': 2, 'workers': 1, 'on_batch_error': 'report'}, ['have the verdict Error'],
            fault={'status': 504, 'body': 'Gateway Time-out', 'method': 'GET', 'path': VI, 'count': 4}, uuids=FLEET,
            check=lambda r, b, a: r.get('summary', {}).get('error') == 2 and grouped_verdicts(r).get(HOST_UNMATCHED) == 'Error')
module_case('zstack_host with one 500 on a job poll', 'survive', 'zstack.cloud.zstack_host',
            {'uuid': HOST_MATCHED, 'state': 'disabled'}, [],
            fault={'status': 500, 'body': 'java.lang.NullPointerException', 'method': 'GET', 'path': '/v1/api-jobs/', 'count': 1},
            check=lambda r, b, a: r.get('changed') is True and r.get('host', {}).get('state') == 'Disabled')


def grouped_verdicts(result):
    """uuid -> verdict, read from zstack_virtualizer_info's ``groups`` (every output has them)."""
    return dict((uuid, group.get('verdict')) for group in result.get('groups') or [] for uuid in group.get('uuids') or [])


def judge(expect, seen):
    """(verdict, problems) for one case."""
    problems = []
    output = seen['output']
    if 'Traceback' in output or BUG in output:
        return 'crash', ['a traceback or an unexpected error']
    if expect == 'error' and not seen['failed']:
        return 'wrong success', ['succeeded where a clear error was due']
    if expect == 'survive' and seen['failed']:
        problems.append('failed where it should have recovered')
    problems += ['%r missing' % n for n in seen['needles'] if n not in output]
    problems += ['%r present' % n for n in seen['forbidden'] if n in output]
    left = seen['after']['active_sessions'] - seen['before']['active_sessions']
    if left > 0:
        problems.append('%d sessions left open' % left)
    check = seen.get('check')
    if check and not check(seen.get('result') or {}, seen['before'], seen['after']):
        problems.append('its own check failed')
    if problems:
        return 'unclear', problems
    return ('clear error' if expect == 'error' else 'survived'), []


def main():
    figures = {'tried': 0, 'clear error': 0, 'survived': 0, 'wrong success': 0, 'crash': 0, 'unclear': 0,
               'sessions_left': 0, 'uuids_in': 0, 'uuids_lost': 0}
    status = 0
    for index, (name, expect, func) in enumerate(CASES):
        reset()
        seen = func('case%02d' % index)
        verdict, problems = judge(expect, seen)
        figures['tried'] += 1
        figures[verdict] += 1
        figures['sessions_left'] += max(0, seen['after']['active_sessions'] - seen['before']['active_sessions'])
        result, uuids = seen.get('result') or {}, seen.get('uuids')
        if uuids and not seen['failed']:
            lost = [u for u in uuids if u not in grouped_verdicts(result)]
            figures['uuids_in'] += len(uuids)
            figures['uuids_lost'] += len(lost)
            if lost:
                problems.append('%d UUIDs lost' % len(lost))
                verdict = 'unclear'
        print('%-13s %s%s' % (verdict, name, ('  (%s)' % '; '.join(problems)) if problems else ''))
        if verdict not in ('clear error', 'survived'):
            status = 1
            print(seen['output'][-2000:])
    reset()
    print('hardening_answers: %(tried)d cases tried / %(clear error)d clear errors / %(survived)d survived; '
          '%(wrong success)d wrong successes, %(crash)d crashes, %(unclear)d unclear; %(sessions_left)d sessions left open; '
          '%(uuids_lost)d UUIDs lost of %(uuids_in)d' % figures)
    return status


if __name__ == '__main__':
    sys.exit(main())
