# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.zstack.cloud.plugins.module_utils._connection import ENV_VARS

_MODULE_ONLY_NOTE = 'module_defaults'
_ENV_SENTENCE = 'If not set, the value of the E('


def _inventory_documentation(module_documentation):
    """The connection options for plugins (inventory), derived from the module text.

    Plugins take environment fallbacks from ``env:`` entries, which ansible-doc renders
    itself, so the module's "If not set, the value of E(...) is used" sentences are
    replaced by ``env:`` entries built from ``_connection.ENV_VARS``: one option list and
    one set of environment variable names for modules and plugins alike.
    """
    import yaml  # a dependency of ansible-core, imported only when the docs are read

    doc = yaml.safe_load(module_documentation)
    for name, option in doc['options'].items():
        option['description'] = [line for line in option['description'] if not line.startswith(_ENV_SENTENCE)]
        if name in ENV_VARS:
            option['env'] = [{'name': ENV_VARS[name]}]
    doc['notes'] = [note for note in doc['notes'] if _MODULE_ONLY_NOTE not in note]
    return yaml.safe_dump(doc, default_flow_style=False, sort_keys=False, width=120)


class ModuleDocFragment:
    """The connection options shared by every zstack.cloud module (argspec: module_utils/_connection.py)."""

    DOCUMENTATION = r'''
options:
  api_url:
    description:
      - URL of the ZStack management node, scheme, host and port, for example V(http://zstack.example.com:8080).
      - The collection adds the C(/zstack/v1) API path itself; a trailing C(/zstack) is accepted.
      - If not set, the value of the E(ZSTACK_API_URL) environment variable is used.
      - Required, as the option or as E(ZSTACK_API_URL); without either, the task or the inventory fails with an error naming both.
    type: str
  account_name:
    description:
      - Account to log in with (LogInByAccount), together with O(password).
      - With O(user_name), the account the user belongs to (LogInByUser).
      - If not set, the value of the E(ZSTACK_ACCOUNT_NAME) environment variable is used.
    type: str
  user_name:
    description:
      - IAM user to log in with (LogInByUser), together with O(account_name) and O(password).
      - If not set, the value of the E(ZSTACK_USER_NAME) environment variable is used.
    type: str
  password:
    description:
      - Password of the account or user. Only its SHA-512 hex digest is sent to the management node, as ZStack expects.
      - The collection logs in once per module run or inventory load, logs out at the end, and logs in again once when the session expires mid-run.
      - If not set, the value of the E(ZSTACK_PASSWORD) environment variable is used.
    type: str
  session_uuid:
    description:
      - An existing session UUID (from LogInByAccount or the ZStack UI) to use instead of logging in.
      - The collection never logs this session out. When it expires, the call fails with ZStack error C(ID.1001).
      - If not set, the value of the E(ZSTACK_SESSION_UUID) environment variable is used.
    type: str
  access_key_id:
    description:
      - AccessKey ID, together with O(access_key_secret). Every request is signed; no session is opened.
      - The controller's clock must be within 15 minutes of the management node's, in the same time zone.
      - If not set, the value of the E(ZSTACK_ACCESS_KEY_ID) environment variable is used.
    type: str
  access_key_secret:
    description:
      - AccessKey secret, together with O(access_key_id). It never leaves the controller; it only signs requests.
      - If not set, the value of the E(ZSTACK_ACCESS_KEY_SECRET) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of an V(https://) O(api_url).
      - Set to V(false) only for a trusted test endpoint; prefer O(ca_path).
      - If not set, the value of the E(ZSTACK_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a PEM CA bundle used to verify the management node's certificate.
      - If not set, the value of the E(ZSTACK_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request.
      - If not set, the value of the E(ZSTACK_TIMEOUT) environment variable is used.
    type: int
    default: 30
notes:
  - Give exactly one way to authenticate, O(account_name) and O(password) (with O(user_name) for an IAM user),
    O(session_uuid), or O(access_key_id) and O(access_key_secret). Conflicting credentials are an error.
  - All modules of this collection are in the action group C(zstack.cloud.zstack), so the connection options
    can be set once with C(module_defaults) and C(group/zstack.cloud.zstack).
  - Connection failures and transient answers (HTTP 408, 429, 502, 503 and 504 without a ZStack error body)
    are retried three times with backoff, honouring C(Retry-After); ZStack business errors are never retried.
requirements:
  - requests >= 2.25.0
'''


# Plugins (the zstack.cloud.zstack inventory): the same options with env: entries, used as
# zstack.cloud.zstack.inventory. Set outside the class body because ansible-test's yamllint
# reads every assignment in a fragment class as a YAML string literal.
ModuleDocFragment.INVENTORY = _inventory_documentation(ModuleDocFragment.DOCUMENTATION)

# The attributes of a module that only reads (the *_info modules): zstack.cloud.zstack.info_module
ModuleDocFragment.INFO_MODULE = r'''
attributes:
  check_mode:
    description: Can run in check mode and return a changed status prediction without modifying the target.
    support: full
    details: The module only reads; it behaves the same in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: none
'''

# The options every query module has (zstack_host_info, zstack_vm_instance_info, zstack_zone_info,
# zstack_cluster_info; argspec: module_utils/_module.py query_argument_spec): zstack.cloud.zstack.query
ModuleDocFragment.QUERY = r'''
options:
  uuids:
    description:
      - Only the resources with these UUIDs. Each is 32 lower-case hexadecimal characters without dashes.
      - An empty list matches nothing and makes no API call. A UUID that matches nothing (deleted, or of
        another resource type) is simply not in the result.
    type: list
    elements: str
  name:
    description: Only resources with exactly this name.
    type: str
  conditions:
    description:
      - Further raw ZStack query conditions, each as ZStack's C(q) parameter takes it, for example
        V(state!=Enabled), V(uuid?=a,b) or V(name~=prod-%).
      - ZStack picks the first operator of its fixed list that occurs anywhere in a condition, so a value that
        itself contains an operator (such as C(!=) or C(>=)) is misread.
      - A C(?=) condition with a long value list (more than about 150 UUIDs) is split into several requests
        whose answers are merged, as for O(uuids).
    type: list
    elements: str
    default: []
  page_size:
    description: Inventories per request when paging through the result.
    type: int
    default: 1000
'''

# The fields option of the query modules: zstack.cloud.zstack.query_fields
ModuleDocFragment.QUERY_FIELDS = r'''
options:
  fields:
    description:
      - Only these inventory fields, by their ZStack (camelCase) names, for example V([uuid, name, state]).
        ZStack's query C(fields) projection, for large fleets; less for the management node to send and for
        Ansible to hold. C(uuid) is always among them.
      - Omitted or empty, every field.
      - A name that is no field of the inventory is left out of the answer by ZStack, not reported.
    type: list
    elements: str
    version_added: 2.0.0
'''

# The options and attributes of the modules that wait for ZStack jobs (zstack_host, zstack_vm_instance,
# zstack_vm_migration, zstack_cluster_os_update): zstack.cloud.zstack.wait (argspec: module_utils/_module.py)
ModuleDocFragment.WAIT = r'''
options:
  poll_interval:
    description:
      - Seconds between two looks at a running job, from 0.1 to 15; a longer pause would leave the operator
        without news for more than 15 seconds.
      - The action plugin looks this often at the module's progress and prints a line (what is waited for, by
        name and UUID, the ZStack job and its state, the seconds elapsed and the seconds left before the
        deadline) when the state changes and at least every 15 seconds.
      - The module polls ZStack's API jobs every second (or this often, when shorter), and a long job every
        second at first, then less and less often, at most every O(poll_interval) seconds.
      - If not set, the value of the E(ZSTACK_POLL_INTERVAL) environment variable (of the controller) is used,
        and V(5) when neither is set.
    type: float
    default: 5
    version_added: 2.0.0
  progress_file:
    description:
      - Internal; leave it unset. The action plugin of this module sets it to a file on the host that runs the
        module, where the module records its progress (names, UUIDs and job states only), and removes it.
    type: path
    version_added: 2.0.0
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
    details:
      - The action plugin runs the module with Ansible's C(async) machinery on the host that would run it
        (C(delegate_to) included) and prints its progress while it waits.
  action_group:
    description: Use C(group/zstack.cloud.zstack) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - zstack.cloud.zstack
  async:
    description: Supports being used with the C(async) keyword.
    support: full
    details:
      - With the C(async) keyword the task runs as any async task, without progress lines.
'''
