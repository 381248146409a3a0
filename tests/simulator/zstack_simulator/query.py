# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ZStack query semantics (RestServer.handleQueryApi + QueryFacade), on inventory dicts.

Parsing of the query string happens here too, because its faults are REST-layer
400s raised before the message reaches the backend.
"""

from __future__ import annotations

import re
from operator import itemgetter
from dataclasses import dataclass, field

from . import errors
from .exceptions import RestError, arg_error

DEFAULT_LIMIT = 1000


@dataclass
class Condition:
    name: str
    op: str
    value: str | None = None
    #: what matching derives from ``value`` once per query, not once per inventory (wanted sets by type, regex)
    cache: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass
class QuerySpec:  # pylint: disable=too-many-instance-attributes
    conditions: list[Condition] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT
    start: int = 0
    count: bool = False
    reply_with_count: bool = False
    sort_by: str | None = None
    sort_desc: bool = False
    fields: list[str] | None = None


def _parse_bool(text: str) -> bool:
    """Java Boolean.parseBoolean."""
    return text.strip().lower() == "true"


def parse_condition(cond: str) -> Condition:
    for op in errors.QUERY_OPERATORS:
        if op in cond:
            break
    else:
        ops = "[" + ", ".join(errors.QUERY_OPERATORS) + "]"
        raise RestError(400, errors.Q_NO_OPERATOR.format(cond=cond, ops=ops))
    name, _sep, value = cond.partition(op)
    if op in ("is null", "not null"):
        return Condition(name.strip(), op)
    return Condition(name.strip(), op, value)


def parse_query(args, uuid: str | None = None) -> QuerySpec:  # pylint: disable=too-many-branches
    """Build a QuerySpec from a werkzeug MultiDict (the /{uuid} form ignores everything else)."""
    spec = QuerySpec()
    if uuid is not None:
        spec.conditions.append(Condition("uuid", "=", uuid))
        return spec
    for key in args.keys():
        name = key.strip()
        values = args.getlist(key)
        first = values[0].strip()
        if name == "limit":
            try:
                spec.limit = int(first)
            except ValueError:
                raise RestError(400, errors.LIMIT_NOT_INT) from None
        elif name == "start":
            try:
                spec.start = int(first)
            except ValueError:
                raise RestError(400, errors.START_NOT_INT) from None
        elif name == "count":
            spec.count = _parse_bool(first)
        elif name == "replyWithCount":
            spec.reply_with_count = _parse_bool(first)
        elif name == "sort":
            if first.startswith("-"):
                spec.sort_desc = True
            spec.sort_by = first.lstrip("+-")
        elif name == "q":
            spec.conditions.extend(parse_condition(v) for v in values)
        elif name == "fields":
            spec.fields = [f.strip() for f in first.split(",") if f.strip()]
            if not spec.fields:
                raise RestError(400, errors.FIELDS_EMPTY)
    return spec


def _field_values(inv: dict, path: str) -> list:
    """Values of a (possibly nested, e.g. vmNics.ip) field; lists are flattened."""
    if "." not in path:  # the common case, without the walk
        val = inv.get(path)
        return val if isinstance(val, list) else [val]
    current = [inv]
    for part in path.split("."):
        nxt = []
        for item in current:
            if isinstance(item, dict):
                val = item.get(part)
                if isinstance(val, list):
                    nxt.extend(val)
                else:
                    nxt.append(val)
        current = nxt
    return current


def _like_regex(pattern: str) -> re.Pattern:
    out = []
    for ch in pattern:
        if ch == "%":
            out.append(".*")
        elif ch == "_":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return re.compile("^" + "".join(out) + "$", re.DOTALL)


def _coerce(sample, text: str):
    if isinstance(sample, bool):
        return _parse_bool(text)
    if isinstance(sample, (int, float)):
        try:
            return type(sample)(text)
        except ValueError:
            return None
    return text


def _match_one(value, cond: Condition) -> bool:  # pylint: disable=too-many-return-statements
    op = cond.op
    if op == "is null":
        return value is None
    if op == "not null":
        return value is not None
    if value is None:
        return False
    if op in ("?=", "!?="):
        kind = type(value)  # what _coerce makes of the list depends on the value's type only
        wanted = cond.cache.get(kind)
        if wanted is None:
            wanted = cond.cache[kind] = {_coerce(value, v) for v in cond.value.split(",")}
        return (value in wanted) == (op == "?=")
    if op in ("~=", "!~="):
        regex = cond.cache.get("regex")
        if regex is None:
            regex = cond.cache["regex"] = _like_regex(cond.value)
        return bool(regex.match(str(value))) == (op == "~=")
    target = _coerce(value, cond.value)
    if target is None:
        return False
    if op == "=":
        return value == target
    if op == "!=":
        return value != target
    try:
        return {">": value > target, "<": value < target, ">=": value >= target, "<=": value <= target}[op]
    except TypeError:
        return False


def matches(inv: dict, cond: Condition) -> bool:
    values = _field_values(inv, cond.name)
    if not values:
        values = [None]
    if cond.op in ("!=", "!?=", "!~=", "is null"):
        return all(_match_one(v, cond) for v in values)
    return any(_match_one(v, cond) for v in values)


def _predicate(cond: Condition):
    """``matches(inv, cond)`` as a function of ``inv``: a field without a dot is read directly."""
    name = cond.name
    if "." in name:
        return lambda inv: matches(inv, cond)

    def match(inv: dict) -> bool:
        val = inv.get(name)
        if isinstance(val, list):
            return matches(inv, cond)
        return _match_one(val, cond)  # one value: any() and all() of it are the same

    if cond.op != "=":
        return match
    text = cond.value

    def equal(inv: dict) -> bool:
        val = inv.get(name)
        if type(val) is str:  # pylint: disable=unidiomatic-typecheck  # _coerce keeps the text for a str
            return val == text
        return match(inv)
    return equal


def _sort_key(inv: dict, field_name: str):
    val = _field_values(inv, field_name)
    return _key_of(val[0] if val else None)


def _key_of(val):
    if val is None:
        return (0, 0, "")
    if isinstance(val, (int, float)):
        return (1, val, "")
    return (1, 0, str(val))


# pylint: disable-next=too-many-arguments,too-many-positional-arguments
def run(source, spec: QuerySpec, known_fields: set, inventory_class: str, index: dict | None = None, order_key=None) -> tuple[list[dict], int]:
    """Filter, sort and page.  ``source`` yields stored inventory dicts; ``index`` maps uuid -> dict.
    Without ``sort`` the answer is in database order (``order_key``), which promises nothing."""
    for cond in spec.conditions:
        if cond.name.split(".")[0] not in known_fields:
            raise arg_error(errors.QUERY_BAD_FIELD.format(field=cond.name, cls=inventory_class))
    items = None
    if index is not None:
        for cond in spec.conditions:
            if cond.name == "uuid" and cond.op in ("=", "?="):
                wanted = [cond.value] if cond.op == "=" else cond.value.split(",")
                items = [index[u] for u in dict.fromkeys(wanted) if u in index]
                break
    if items is None:
        items = list(source)
    predicates = [_predicate(c) for c in spec.conditions]
    if not predicates:
        result = list(items)
    elif len(predicates) == 1:
        result = list(filter(predicates[0], items))
    else:
        result = [inv for inv in items if all(p(inv) for p in predicates)]
    if spec.sort_by:
        name = spec.sort_by
        if not (name == "uuid" and _sorted_by_uuid(result, spec.sort_desc)):
            if "." in name:
                result.sort(key=lambda inv: _sort_key(inv, name), reverse=spec.sort_desc)
            else:
                result.sort(key=lambda inv: _key_of(_first(inv.get(name))), reverse=spec.sort_desc)
    elif order_key is not None:
        result.sort(key=order_key)
    total = len(result)
    start = max(spec.start, 0)
    limit = spec.limit if spec.limit >= 0 else total
    return result[start:start + limit], total


def _sorted_by_uuid(result: list, desc: bool) -> bool:
    """Sort by the uuid string every resource inventory has, at C speed (the order _key_of gives strings).

    False, with ``result`` unchanged, when one has none (a global configuration): the caller sorts the general way.
    """
    if not all(isinstance(inv.get("uuid"), str) for inv in result):
        return False
    result.sort(key=itemgetter("uuid"), reverse=desc)
    return True


def _first(val):
    if isinstance(val, list):
        return val[0] if val else None
    return val


def project(inv: dict, fields) -> dict:
    """The inventory with only ``fields`` (a set is fastest), in the inventory's own key order; all of it without ``fields``."""
    if not fields:
        return inv
    return {k: v for k, v in inv.items() if k in fields}
