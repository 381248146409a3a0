# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The declarative route table: method + /v1 path -> handler name in responses.Responses.

Werkzeug orders rules so that a static path such as /v1/vm-instances/virtualizer-info
always beats the template /v1/vm-instances/<uuid>, like RestServer's exact-path-first lookup.
The same table is served under /zstack/v1/... and /v1/... (the context path is stripped first).
"""

from __future__ import annotations

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

# (methods, path, handler, flags).  flags: "noauth" = @SuppressCredentialCheck, "login" = not counted as mutating.
API_ROUTES = (
    (("PUT",), "/v1/accounts/login", "log_in_by_account", {"noauth", "login"}),
    (("PUT",), "/v1/accounts/users/login", "log_in_by_user", {"noauth", "login"}),
    (("DELETE",), "/v1/accounts/sessions/<uuid>", "log_out", {"noauth", "login"}),
    (("GET",), "/v1/accounts/sessions/<uuid>/valid", "validate_session", {"noauth"}),
    (("PUT",), "/v1/accounts/sessions/<uuid>/renew", "renew_session", set()),
    (("PUT",), "/v1/management-nodes/actions", "management_node_action", {"noauth"}),
    (("GET",), "/v1/vm-instances/virtualizer-info", "get_virtualizer_info", set()),
    (("GET",), "/v1/vm-instances", "query_vms", set()),
    (("GET",), "/v1/vm-instances/<uuid>", "query_vms", set()),
    (("PUT",), "/v1/vm-instances/<uuid>/actions", "vm_action", set()),
    (("GET",), "/v1/vm-instances/<uuid>/migration-target-hosts", "get_migration_candidates", set()),
    (("GET",), "/v1/hosts", "query_hosts", set()),
    (("GET",), "/v1/hosts/<uuid>", "query_hosts", set()),
    (("PUT",), "/v1/hosts/<uuid>/actions", "host_action", set()),
    (("GET",), "/v1/hosts/kvm/hypervisor/info", "query_hypervisor_info", set()),
    (("GET",), "/v1/zones", "query_zones", set()),
    (("GET",), "/v1/zones/<uuid>", "query_zones", set()),
    (("GET",), "/v1/clusters", "query_clusters", set()),
    (("GET",), "/v1/clusters/<uuid>", "query_clusters", set()),
    (("PUT",), "/v1/clusters/<uuid>/actions", "cluster_action", set()),
    (("GET",), "/v1/longjobs", "query_longjobs", set()),
    (("GET",), "/v1/longjobs/<uuid>", "query_longjobs", set()),
    (("PUT",), "/v1/longjobs/<uuid>/actions", "longjob_action", set()),
    (("GET",), "/v1/global-configurations", "query_global_configs", set()),
    (("PUT",), "/v1/global-configurations/<category>/<name>/actions", "global_config_action", set()),
    # Job polling answers every method itself (405 for non-GET), before any auth.
    (("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"), "/v1/api-jobs/<uuid>", "poll_job", {"noauth"}),
)

FLAGS = {handler: flags for _m, _p, handler, flags in API_ROUTES}


def build_map() -> Map:
    rules = [Rule(path, methods=list(methods), endpoint=handler) for methods, path, handler, _flags in API_ROUTES]
    return Map(rules, strict_slashes=False, merge_slashes=False)


API_MAP = build_map()


def rule_label(rule: Rule) -> str:
    """'/v1/hosts/<uuid>' -> '/v1/hosts/{uuid}' (ZStack's own template notation)."""
    return rule.rule.replace("<", "{").replace(">", "}")


_MATCHES: dict[tuple[str, str], tuple] = {}  # (method, path) -> match(): the table never changes
_MATCHES_KEPT = 4096  # paths hold uuids: the cache starts again when it has this many


def match(method: str, path: str) -> tuple[Rule | None, dict, bool]:
    """``(rule, arguments, method_allowed)`` of a /v1 path: ``rule`` is None when no API takes the
    request, and ``method_allowed`` is False when an API of the path takes other methods only.
    Werkzeug's matcher is asked once for each method and path (the answers are read, never changed)."""
    key = (method, path)
    found = _MATCHES.get(key)
    if found is None:
        try:
            rule, args = API_MAP.bind("simulator").match(path, method=method, return_rule=True)
            found = (rule, args, True)
        except MethodNotAllowed:
            found = (None, {}, False)
        except NotFound:
            found = (None, {}, True)
        if len(_MATCHES) >= _MATCHES_KEPT:
            _MATCHES.clear()
        _MATCHES[key] = found
    return found
