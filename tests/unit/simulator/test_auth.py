# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Login, logout, sessions (sliding expiry) and the Authorization header rules (OAuth and AccessKey)."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import re

from zstack_simulator import errors
from zstack_simulator.fleet import fixed_uuid
from zstack_simulator.timefmt import format_date_header

PASSWORD_HASH = hashlib.sha512(b"password").hexdigest()
GSON_DATE = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M$")
HOST1 = fixed_uuid("demo", "kvm-1")
KEY_ID = "demoAccessKeyId0000000"
KEY_SECRET = "demoAccessKeySecret000000000000000000000"


def _error(rsp):
    assert rsp.status_code == 503, rsp.text
    return rsp.json()["error"]


def test_login_by_account_returns_session_inventory(sim):
    rsp = sim.http.put(f"{sim.api}/accounts/login", json={"logInByAccount": {"accountName": "admin", "password": PASSWORD_HASH}})
    assert rsp.status_code == 200
    inv = rsp.json()["inventory"]
    assert set(inv) == {"uuid", "accountUuid", "userUuid", "expiredDate", "createDate"}
    assert re.fullmatch(r"[0-9a-f]{32}", inv["uuid"])
    assert inv["accountUuid"] == inv["userUuid"] == "36c27e8ff05c4780bf6d2fa65700f22e"
    assert GSON_DATE.match(inv["createDate"]) and GSON_DATE.match(inv["expiredDate"])


def test_login_without_context_path_is_not_found(sim):
    """A client that forgets /zstack must fail as it would on a real MN (root paths are off by default)."""
    rsp = sim.http.put(f"{sim.url}/v1/accounts/login", json={"logInByAccount": {"accountName": "admin", "password": PASSWORD_HASH}})
    assert rsp.status_code == 404


def test_login_wrong_password_is_id_1000(sim):
    rsp = sim.http.put(f"{sim.api}/accounts/login", json={"logInByAccount": {"accountName": "admin", "password": "password"}})
    assert rsp.json() == {"error": {"code": "ID.1000", "description": "Unable to authenticate a user", "details": "wrong account name or password"}}
    assert rsp.status_code == 503


def test_login_missing_field_is_mandatory_error(sim):
    rsp = sim.http.put(f"{sim.api}/accounts/login", json={"logInByAccount": {"accountName": "admin"}})
    err = _error(rsp)
    assert err["code"] == "SYS.1007"
    assert err["details"] == errors.MANDATORY_FIELD.format(field="password")


def test_login_by_user(sim):
    sim.reset({"fleet": "demo", "accounts": [{"name": "tenant", "password": "tpw"}],
               "users": [{"accountName": "tenant", "userName": "ops", "password": "secret"}]})
    good = {"logInByUser": {"accountName": "tenant", "userName": "ops", "password": hashlib.sha512(b"secret").hexdigest()}}
    rsp = sim.http.put(f"{sim.api}/accounts/users/login", json=good)
    assert rsp.status_code == 200, rsp.text
    inv = rsp.json()["inventory"]
    assert inv["userUuid"] != inv["accountUuid"]
    bad = {"logInByUser": {"accountName": "tenant", "userName": "ops", "password": PASSWORD_HASH}}
    err = _error(sim.http.put(f"{sim.api}/accounts/users/login", json=bad))
    assert (err["code"], err["details"]) == ("ID.1000", "wrong account or username or password")


def test_logout_then_session_is_invalid(sim):
    sid = sim.login()
    assert sim.get(f"/accounts/sessions/{sid}/valid", headers={}).json() == {"valid": True}
    rsp = sim.http.delete(f"{sim.api}/accounts/sessions/{sid}")
    assert (rsp.status_code, rsp.content) == (200, b"")  # RestServer writes "" for an empty reply, not {}
    assert sim.get(f"/accounts/sessions/{sid}/valid", headers={}).json() == {"valid": False}
    err = _error(sim.get("/hosts"))
    assert err == {"code": "ID.1001", "description": errors.DESCRIPTIONS["ID.1001"], "details": "Session expired"}
    # logging out an unknown session still succeeds, with an empty body
    rsp = sim.http.delete(f"{sim.api}/accounts/sessions/{'0' * 32}")
    assert (rsp.status_code, rsp.content) == (200, b"")


def test_unknown_session_is_id_1001(sim):
    err = _error(sim.get("/hosts", headers={"Authorization": "OAuth " + "f" * 32}))
    assert (err["code"], err["details"]) == ("ID.1001", "Session expired")


def test_session_expiry_slides(sim):
    sim.login()
    sim.control("POST", "clock", {"advance": 7000})
    assert sim.get("/zones").status_code == 200  # renews: expires now + 7200
    sim.control("POST", "clock", {"advance": 7000})
    assert sim.get("/zones").status_code == 200
    sim.control("POST", "clock", {"advance": 7201})
    err = _error(sim.get("/zones"))
    assert err["details"] == "Session expired"


def test_control_plane_expires_sessions(sim):
    first = sim.login()
    second = sim.login()
    assert sim.control("POST", "sessions/expire", {"uuids": [first]}) == {"expired": 1}
    assert _error(sim.get("/zones", headers={"Authorization": f"OAuth {first}"}))["code"] == "ID.1001"
    assert sim.get("/zones", headers={"Authorization": f"OAuth {second}"}).status_code == 200
    sim.control("POST", "sessions/expire", {})
    assert _error(sim.get("/zones", headers={"Authorization": f"OAuth {second}"}))["code"] == "ID.1001"


def test_missing_authorization_header_is_plain_400(sim):
    rsp = sim.get("/hosts", headers={})
    assert rsp.status_code == 400
    assert rsp.text == "missing header 'Authorization'"
    assert "Content-Type" not in rsp.headers


def test_wrong_authorization_type_is_plain_400(sim):
    rsp = sim.get("/hosts", headers={"Authorization": "Bearer abc"})
    assert (rsp.status_code, rsp.text) == (400, "Authorization type must be 'OAuth'")


# pylint: disable-next=too-many-arguments,too-many-positional-arguments
def _signed(method: str, uri: str, key_id=KEY_ID, secret=KEY_SECRET, when=None, zone="CST") -> dict:
    date = format_date_header(when or datetime.datetime.now(), zone)
    sig = base64.b64encode(hmac.new(secret.encode(), f"{method}\n{date}\n{uri}".encode(), hashlib.sha1).digest()).decode()
    return {"Authorization": f"ZStack {key_id}:{sig}", "Date": date}


def test_access_key_good_signature(sim):
    rsp = sim.get(f"/hosts/{HOST1}", headers=_signed("GET", f"/v1/hosts/{HOST1}"))
    assert rsp.status_code == 200, rsp.text
    assert rsp.json()["inventories"][0]["uuid"] == HOST1
    # the signed URI is the path after the context path (/v1/...), not the full /zstack/v1/... path
    rsp = sim.http.get(f"{sim.url}/zstack/v1/hosts", headers=_signed("GET", "/zstack/v1/hosts"))
    assert (rsp.status_code, rsp.text) == (403, "wrong accessKey signature")


def test_access_key_signature_covers_v1_path_only(sim):
    # zssdk without a context path signs /hosts (drops /v1): a faithful server rejects it
    rsp = sim.get("/hosts", headers=_signed("GET", "/hosts"))
    assert (rsp.status_code, rsp.text) == (403, "wrong accessKey signature")


def test_access_key_wrong_secret(sim):
    rsp = sim.get("/hosts", headers=_signed("GET", "/v1/hosts", secret="nope"))
    assert (rsp.status_code, rsp.text) == (403, "wrong accessKey signature")


def test_access_key_unknown_id(sim):
    rsp = sim.get("/hosts", headers=_signed("GET", "/v1/hosts", key_id="nobody"))
    assert (rsp.status_code, rsp.text) == (403, "access key id: nobody does not existed or disabled")


def test_access_key_clock_skew(sim):
    now = datetime.datetime.now()
    ok = sim.get("/hosts", headers=_signed("GET", "/v1/hosts", when=now - datetime.timedelta(minutes=14)))
    assert ok.status_code == 200
    for delta in (datetime.timedelta(minutes=16), -datetime.timedelta(minutes=16)):
        rsp = sim.get("/hosts", headers=_signed("GET", "/v1/hosts", when=now + delta))
        assert (rsp.status_code, rsp.text) == (403, "requestTimeTooSkewed")


def test_access_key_zone_is_ignored(sim):
    rsp = sim.get("/hosts", headers=_signed("GET", "/v1/hosts", zone="GMT"))
    assert rsp.status_code == 200


def test_access_key_date_missing_or_malformed(sim):
    hdrs = _signed("GET", "/v1/hosts")
    rsp = sim.get("/hosts", headers={"Authorization": hdrs["Authorization"]})
    assert (rsp.status_code, rsp.text) == (400, "'Date' must be incuded in request header")
    rsp = sim.get("/hosts", headers={"Authorization": hdrs["Authorization"], "Date": "2024-10-17T13:43:35Z"})
    assert (rsp.status_code, rsp.text) == (400, errors.DATE_FORMAT)


def test_access_key_bad_format(sim):
    hdrs = _signed("GET", "/v1/hosts")
    hdrs["Authorization"] = "ZStack " + KEY_ID
    rsp = sim.get("/hosts", headers=hdrs)
    assert (rsp.status_code, rsp.text) == (400, "accessKey format is 'ZStack AccessKeyId:Signature'")


def test_max_concurrent_sessions(sim):
    sim.reset({"fleet": "seed-page", "global_configs": [{"category": "identity", "name": "session.maxConcurrent", "value": 2}]})
    first = sim.login()
    sim.login()
    rsp = sim.http.put(f"{sim.api}/accounts/login", json={"logInByAccount": {"accountName": "admin", "password": PASSWORD_HASH}})
    assert _error(rsp) == {"code": "ID.1006", "description": "Max number of active sessions exceeded", "details": errors.MAX_SESSIONS}
    sim.http.delete(f"{sim.api}/accounts/sessions/{first}")
    assert sim.login()
