# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of _connection: the connection options, their validation and the client they build, without Ansible."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.zstack.cloud.plugins.doc_fragments.zstack import ModuleDocFragment
from ansible_collections.zstack.cloud.plugins.module_utils import _connection
from ansible_collections.zstack.cloud.plugins.module_utils._client import Credentials, ZStackClient
from ansible_collections.zstack.cloud.plugins.module_utils._connection import (
    ARGUMENT_SPEC,
    ENV_VARS,
    auth_kind,
    check_params,
    client_from_params,
    secrets_of,
)
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError

SESSION = 'a1' * 16
PASSWORD = 'S3cret-pass'
AK_SECRET = 'ak-secret-value'
URL = 'http://mn.example.com:8080'
PLUGINS = os.path.dirname(os.path.dirname(os.path.abspath(_connection.__file__)))
#: the folder that holds ansible_collections/zstack/cloud
COLLECTIONS_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(PLUGINS))))


class FakeTransport:
    def close(self):
        pass


def params(**values):
    base = {'api_url': URL, 'session_uuid': SESSION}
    base.update(values)
    return dict((k, v) for k, v in base.items() if v is not None)


# ---------------------------------------------------------------- every error names the option and its variable
@pytest.mark.parametrize('given, options, fragment', [
    (params(api_url=None), ['api_url'], 'api_url is required: set api_url or the ZSTACK_API_URL environment variable'),
    (params(api_url=''), ['api_url'], 'api_url is required: set api_url or the ZSTACK_API_URL environment variable'),
    (params(api_url='  '), ['api_url'], 'api_url is required'),
    (params(api_url='mn:8080'), ['api_url'], "api_url 'mn:8080' is not an http(s) URL: set api_url or the ZSTACK_API_URL"),
    (params(api_url='ftp://mn'), ['api_url'], 'not an http(s) URL'),
    (params(api_url='http://mn:8080/api/v2'), ['api_url'], "has the path '/api/v2'; the collection adds /zstack/v1 itself"),
    (params(api_url='http://mn:8080/?x=1'), ['api_url'], 'must not have a query string or fragment'),
    (params(session_uuid=None), ['account_name', 'password', 'user_name', 'session_uuid', 'access_key_id', 'access_key_secret'],
     'no credentials given'),
    (params(account_name='admin', password=PASSWORD), ['session_uuid', 'account_name', 'password'], 'conflicting credentials'),
    (params(access_key_id='AKID'), ['session_uuid', 'access_key_id'], 'conflicting credentials'),
    (params(session_uuid=None, access_key_id='AKID', access_key_secret=AK_SECRET, user_name='bob'),
     ['access_key_id', 'access_key_secret', 'user_name'], 'conflicting credentials'),
    (params(session_uuid=None, access_key_id='AKID'), ['access_key_secret'],
     'access_key_secret is required with access_key_id: set access_key_secret or the ZSTACK_ACCESS_KEY_SECRET'),
    (params(session_uuid=None, access_key_secret=AK_SECRET), ['access_key_id'], 'access_key_id is required with access_key_secret'),
    (params(session_uuid=None, password=PASSWORD), ['account_name'], 'account_name is required with password'),
    (params(session_uuid=None, user_name='bob', password=PASSWORD), ['account_name'], 'account_name is required with user_name and password'),
    (params(session_uuid=None, account_name='acme', user_name='bob'), ['password'], 'password is required with account_name and user_name'),
    (params(session_uuid=None, account_name='acme'), ['password'], 'password is required with account_name: set password or the ZSTACK_PASSWORD'),
    (params(timeout=0), ['timeout'], 'timeout must be a positive number of seconds, got 0: set timeout or the ZSTACK_TIMEOUT'),
    (params(timeout=-5), ['timeout'], 'got -5'),
    (params(timeout=True), ['timeout'], 'got True'),
    (params(timeout='30'), ['timeout'], "got '30'"),
    (params(api_url='https://mn:8443', ca_path='/no/such/ca.pem'), ['ca_path'],
     "ca_path '/no/such/ca.pem' does not exist: set ca_path or the ZSTACK_CA_PATH environment variable"),
])
def test_every_error_names_the_options_and_their_environment_variables(given, options, fragment):
    with pytest.raises(ZStackConfigError) as info:
        client_from_params(given, transport=FakeTransport())
    message = str(info.value)
    assert fragment in message
    for option in options:
        assert option in message and ENV_VARS[option] in message, message
    for secret in (PASSWORD, AK_SECRET, SESSION):
        assert secret not in message


def test_a_conflict_names_every_way_that_is_set_with_its_variables():
    with pytest.raises(ZStackConfigError) as info:
        check_params(params(account_name='admin', password=PASSWORD))
    assert str(info.value).startswith(
        'conflicting credentials: session_uuid (ZSTACK_SESSION_UUID) versus account_name (ZSTACK_ACCOUNT_NAME) and '
        'password (ZSTACK_PASSWORD): give exactly one way to authenticate')


def test_the_checks_run_before_the_client_and_in_option_order():
    """api_url first, then credentials, then timeout: the first wrong option is the one reported."""
    with pytest.raises(ZStackConfigError, match='^api_url is required'):
        check_params({'timeout': 0})
    with pytest.raises(ZStackConfigError, match='^no credentials given'):
        check_params({'api_url': URL, 'timeout': 0})


# ---------------------------------------------------------------- what passes
@pytest.mark.parametrize('given, kind', [
    ({'account_name': 'admin', 'password': PASSWORD}, 'account'),
    ({'account_name': 'acme', 'user_name': 'bob', 'password': PASSWORD}, 'user'),
    ({'session_uuid': SESSION}, 'session'),
    ({'session_uuid': SESSION, 'account_name': 'acme'}, 'session'),  # an account name alone selects nothing
    ({'access_key_id': 'AKID', 'access_key_secret': AK_SECRET}, 'access_key'),
    ({'session_uuid': SESSION, 'password': '', 'user_name': '', 'access_key_id': None}, 'session'),  # empty is unset
])
def test_auth_kind_agrees_with_the_client_credentials(given, kind):
    assert auth_kind(given) == kind
    assert Credentials(**given).kind == kind


def test_client_from_params_builds_the_client_with_defaults():
    client = client_from_params({'api_url': URL + '/zstack/', 'session_uuid': SESSION, 'timeout': None,
                                 'validate_certs': None, 'ca_path': None}, transport=FakeTransport(), job_timeout=5)
    assert isinstance(client, ZStackClient)
    assert (client.base_url, client.timeout, client.job_timeout, client.credentials.kind) == (URL, 30, 5, 'session')


def test_client_from_params_verifies_with_ca_path(tmp_path):
    bundle = tmp_path / 'ca.pem'
    bundle.write_text('not read before a request\n')
    client = client_from_params(params(api_url='https://mn:8443', ca_path=str(bundle), timeout=7))
    try:
        assert (client.transport.verify, client.timeout) == (str(bundle), 7)
    finally:
        client.close()


def test_ca_path_is_not_checked_when_certificates_are_not_verified():
    client = client_from_params(params(ca_path='/no/such/ca.pem', validate_certs=False), transport=FakeTransport())
    assert client.base_url == URL


def test_secrets_of_gives_every_secret_even_for_bad_credentials():
    assert set(secrets_of({'account_name': 'admin', 'password': PASSWORD})) >= {PASSWORD}
    assert len(secrets_of({'account_name': 'admin', 'password': PASSWORD})) == 2  # and its SHA-512 hex
    assert sorted(secrets_of({'session_uuid': SESSION, 'access_key_secret': AK_SECRET, 'password': PASSWORD})) == \
        sorted([SESSION, AK_SECRET, PASSWORD])


# ---------------------------------------------------------------- one option list for the spec, the docs and the env
def test_argument_spec_environment_and_doc_fragment_list_the_same_options():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']
    assert set(ARGUMENT_SPEC) == set(ENV_VARS) == set(documented)
    for name, spec in ARGUMENT_SPEC.items():
        assert documented[name]['type'] == spec['type'], name
        assert documented[name].get('default') == spec.get('default'), name
        assert documented[name].get('required', False) == spec.get('required', False), name
        assert 'E(%s)' % ENV_VARS[name] in ' '.join(documented[name]['description']), name


def test_module_argument_spec_adds_an_environment_fallback_to_each_option():
    from ansible_collections.zstack.cloud.plugins.module_utils._module import connection_argument_spec
    spec = connection_argument_spec()
    assert dict((name, option['fallback'][1]) for name, option in spec.items()) == dict((k, [v]) for k, v in ENV_VARS.items())
    assert dict((name, dict((k, v) for k, v in option.items() if k != 'fallback')) for name, option in spec.items()) == ARGUMENT_SPEC
    assert 'fallback' not in ARGUMENT_SPEC['api_url']  # the shared data is not changed by the adapter


# ---------------------------------------------------------------- no Ansible
_NO_ANSIBLE = r'''
import json, sys


class NoAnsible:
    def find_spec(self, name, path=None, target=None):
        if name == 'ansible' or name.startswith('ansible.'):
            raise ImportError('ansible is made unimportable in this test: ' + name)
        return None


sys.meta_path.insert(0, NoAnsible())
sys.path.insert(0, sys.argv[1])
try:
    import ansible  # noqa: F401  the guard itself must work
    guarded = False
except ImportError:
    guarded = True
from ansible_collections.zstack.cloud.plugins.module_utils._connection import client_from_params
from ansible_collections.zstack.cloud.plugins.doc_fragments.zstack import ModuleDocFragment
client = client_from_params({'api_url': 'http://mn:8080', 'session_uuid': 'a1' * 16})
print(json.dumps({'guarded': guarded, 'base_url': client.base_url, 'inventory_doc': 'ZSTACK_API_URL' in ModuleDocFragment.INVENTORY,
                  'ansible_modules': sorted(m for m in sys.modules if m == 'ansible' or m.startswith('ansible.'))}))
'''


def test_connection_and_doc_fragment_import_without_ansible():
    proc = subprocess.run([sys.executable, '-c', _NO_ANSIBLE, COLLECTIONS_ROOT], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {'guarded': True, 'base_url': 'http://mn:8080', 'inventory_doc': True,
                                       'ansible_modules': []}


def _imports(relative):
    with open(os.path.join(PLUGINS, relative), encoding='utf-8') as fobj:
        tree = ast.parse(fobj.read())
    return set(node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module) | \
        set(alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names)


@pytest.mark.parametrize('relative', ['module_utils/_connection.py', 'doc_fragments/zstack.py', 'inventory/zstack.py'])
def test_connection_users_do_not_import_the_module_adapter(relative):
    imported = _imports(relative)
    assert 'ansible_collections.zstack.cloud.plugins.module_utils._module' not in imported
    if relative != 'module_utils/_connection.py':
        assert 'ansible_collections.zstack.cloud.plugins.module_utils._connection' in imported
    else:
        assert not [name for name in imported if name == 'ansible' or name.startswith('ansible.')]
