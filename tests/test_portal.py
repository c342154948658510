"""The customer portal over real HTTP (SPEC.md §5, CLI.md "The portal's surface"):
`orders portal serve` runs as a real process on a free port of 127.0.0.1 and is spoken to
with http.client, raw paths and all. Isolation between accounts, unfinalized orders
invisible, revocation, 401/404/405, path tricks, security headers, read-only."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import signal
import socket
import subprocess
import sys

import pytest
from conftest import db_content, ok, refused, run
from portal_server import build, free_port, last_line, start, stop

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    p = start(build(tmp_path_factory.mktemp("portal")))
    yield p
    code, err = stop(p)
    assert "Traceback" not in err, err


def text(body: bytes) -> str:
    return body.decode("utf-8")


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# ---------------------------------------------------------------- what a customer sees


def test_an_account_sees_its_finalized_orders_and_their_invoices(portal):
    status, headers, body = portal.request("/", token=portal.tokens["Acme"])
    assert status == 200 and headers["content-type"].startswith("text/html")
    page = text(body)
    assert "Acme" in page and "Atelier Dupré" in page
    for visible in ("SO-00001", "INV-00001", "SO-00004", "Acme final order", "Acme second final"):
        assert visible in page
    for hidden in ("SO-00002", "INV-00002", "Acme draft order", "SO-00003", "INV-00003", "Globex", "SO-00005"):
        assert hidden not in page
    page = text(portal.request("/", token=portal.tokens["Globex"])[2])
    assert "SO-00003" in page and "INV-00003" in page and "Globex secret order" in page
    assert "SO-00001" not in page and "Acme" not in page


def test_order_and_invoice_pages(portal):
    status, _, body = portal.request("/orders/SO-00001", token=portal.tokens["Acme"])
    page = text(body)
    assert status == 200
    assert "Order SO-00001" in page and "Mug émaillé" in page and "INV-00001" in page and "/orders/SO-00001.pdf" in page
    assert "20.40 EUR" in page  # 2 x 8.50 + 20 %
    status, _, body = portal.request("/invoices/INV-00001", token=portal.tokens["Acme"])
    page = text(body)
    assert status == 200 and "Invoice INV-00001" in page and "SO-00001" in page and "/invoices/INV-00001.pdf" in page


def test_pdf_downloads(portal):
    for path, number in (("/orders/SO-00001.pdf", "SO-00001"), ("/invoices/INV-00001.pdf", "INV-00001")):
        status, headers, body = portal.request(path, token=portal.tokens["Acme"])
        assert status == 200, path
        assert headers["content-type"] == "application/pdf"
        assert headers["content-disposition"].startswith(f'attachment; filename="{number}.pdf"')
        assert body.startswith(b"%PDF")
        assert number in pdf_text(body)
    status, _, body = portal.request("/orders/SO-00003.pdf", token=portal.tokens["Globex"])
    assert status == 200 and "SO-00003" in pdf_text(body)


def test_credit_notes_are_listed_with_their_invoice_and_downloadable(portal):
    page = text(portal.request("/orders/SO-00003", token=portal.tokens["Globex"])[2])
    assert "Credit notes" in page and "CN-00001" in page and "/credits/CN-00001.pdf" in page and "INV-00003" in page
    status, _, body = portal.request("/credits/CN-00001", token=portal.tokens["Globex"])
    page = text(body)
    assert status == 200 and "Credit note CN-00001" in page and "INV-00003" in page and "two mugs broken" in page
    status, headers, body = portal.request("/credits/CN-00001.pdf", token=portal.tokens["Globex"])
    assert status == 200 and headers["content-type"] == "application/pdf"
    assert "CN-00001" in pdf_text(body) and "INV-00003" in pdf_text(body)
    assert "Credit notes" not in text(portal.request("/orders/SO-00001", token=portal.tokens["Acme"])[2])


def test_head_is_allowed_without_a_body(portal):
    status, headers, body = portal.request("/orders/SO-00001", token=portal.tokens["Acme"], method="HEAD")
    assert status == 200 and body == b"" and headers["content-type"].startswith("text/html")


# ---------------------------------------------------------------- isolation


OTHER_ACCOUNT = ["/orders/SO-00003", "/orders/SO-00003.pdf", "/invoices/INV-00003", "/invoices/INV-00003.pdf", "/orders/SO-00005",
                 "/credits/CN-00001", "/credits/CN-00001.pdf"]
UNFINALIZED = ["/orders/SO-00002", "/orders/SO-00002.pdf", "/invoices/INV-00002", "/invoices/INV-00002.pdf", "/credits/CN-00002",
               "/credits/CN-00002.pdf"]
UNKNOWN = ["/orders/SO-09999", "/orders/SO-09999.pdf", "/invoices/INV-09999", "/invoices/INV-09999.pdf", "/quotes/QT-00001",
           "/purchase/PO-00001", "/nothing-here", "/orders", "/orders/", "/invoices/", "/favicon.ico", "/login", "/admin"]


@pytest.mark.parametrize("path", OTHER_ACCOUNT + UNFINALIZED + UNKNOWN)
def test_what_is_not_the_accounts_own_finalized_record_is_404(portal, path):
    status, _, body = portal.request(path, token=portal.tokens["Acme"])
    assert status == 404, path
    assert b"%PDF" not in body and b"Globex" not in body and b"draft" not in body


def test_the_other_way_round_and_no_oracle(portal):
    for path in ("/orders/SO-00001", "/orders/SO-00001.pdf", "/invoices/INV-00001", "/invoices/INV-00001.pdf", "/orders/SO-00004"):
        assert portal.request(path, token=portal.tokens["Globex"])[0] == 404
    # another account's order answers exactly like one that does not exist
    other = portal.request("/orders/SO-00003", token=portal.tokens["Acme"])
    missing = portal.request("/orders/SO-09999", token=portal.tokens["Acme"])
    assert other[2] == missing[2]
    assert {k: v for k, v in other[1].items() if k != "date"} == {k: v for k, v in missing[1].items() if k != "date"}


PATH_TRICKS = [
    "/orders/../orders/SO-00003",
    "/orders/..%2FSO-00003",
    "/orders/..%2fSO-00003",
    "/orders/%2e%2e/SO-00003",
    "/orders/%2E%2E%2FSO-00003",
    "/orders/SO-00001/../SO-00003",
    "/orders/SO-00001%2F..%2FSO-00003",
    "/orders/SO-00001%2F..%2F..%2Finvoices%2FINV-00003",
    "/orders/..%5CSO-00003",
    "/invoices/../orders/SO-00003",
    "/login/../orders/SO-00003",
    "//orders/SO-00003",
    "/./orders/SO-00003",
    "/orders/%53O-00003",          # an encoded letter still names Globex's order
    "/orders/SO-00003%00",
    "/orders/SO-00001%00.pdf",
    "/orders/%00",
    "/orders/SO-00001/",
    "/orders/SO-00001.pdf/",
    "/orders/SO-00001.pdf.pdf",
    "/orders/SO-00001;.pdf",
    "/orders/so-00001",
    "/orders/%20SO-00001",
    "/orders/1",                   # ids are not accepted, only numbers
    "/orders/3",
    "/invoices/1",
    "/orders/-1",
    "/orders/0",
    "/orders/" + "9" * 5000,       # huge ids
    "/invoices/" + "9" * 5000 + ".pdf",
    "/orders/99999999999999999999999999999999999999",
    "/orders/abc",                 # non-numeric ids
    "/orders/SO-0000x",
    "/orders/' OR '1'='1",
    "/orders/%27%20OR%20%271%27%3D%271",
    "/orders/%25",
    "/orders/%FF%FE",
    "/orders/é",
]


@pytest.mark.parametrize("path", PATH_TRICKS)
def test_path_tricks_are_404(portal, path):
    status, _, body = portal.request(path.replace(" ", "%20").replace("'", "%27").replace("é", "%C3%A9"), token=portal.tokens["Acme"])
    assert status == 404, (path, status)
    assert not body.startswith(b"%PDF")


# ---------------------------------------------------------------- sign-in


@pytest.mark.parametrize("path", ["/", "/orders/SO-00001", "/orders/SO-00001.pdf", "/invoices/INV-00001", "/invoices/INV-00001.pdf",
                                  "/orders/SO-00003", "/nothing-here", "/orders/..%2FSO-00001"])
def test_no_token_is_401(portal, path):
    status, headers, body = portal.request(path)
    assert status == 401, path
    assert headers["www-authenticate"].startswith("Bearer")
    assert b"SO-0000" not in body and b"INV-0000" not in body


@pytest.mark.parametrize("auth", [
    "Bearer wrong", "Bearer ", "Bearer", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "bearer x" * 3,
    "Bearer " + "A" * 43, "Bearer " + "A" * 5000, "Token {acme}", "Bearer {acme}x", "Bearer {acme_upper}",
])
def test_bad_tokens_are_401(portal, auth):
    acme = portal.tokens["Acme"]
    value = auth.format(acme=acme, acme_upper=acme.swapcase())
    status, _, body = portal.request("/", headers={"Authorization": value})
    assert status == 401, value
    assert b"SO-00001" not in body


def test_a_wrong_authorization_header_is_not_rescued_by_a_cookie(portal):
    cookie = f"orders_portal={portal.tokens['Acme']}"
    assert portal.request("/", cookie=cookie)[0] == 200
    assert portal.request("/", cookie=cookie, headers={"Authorization": "Bearer wrong"})[0] == 401
    assert portal.request("/", cookie="orders_portal=garbage")[0] == 401


def test_login_link_sets_an_httponly_samesite_cookie_and_redirects(portal):
    token = portal.tokens["Acme"]
    status, headers, body = portal.request(f"/login/{token}")
    assert status == 303
    assert headers["location"] == "/"
    assert token not in headers["location"]
    [cookie] = headers["set-cookie-all"]
    name_value, *attrs = [part.strip() for part in cookie.split(";")]
    assert name_value == f"orders_portal={token}"
    lowered = [a.lower() for a in attrs]
    assert "httponly" in lowered and "path=/" in lowered
    assert any(a.startswith("samesite=") and a in ("samesite=lax", "samesite=strict") for a in lowered)
    status, _, body = portal.request("/", cookie=name_value)
    assert status == 200 and b"SO-00001" in body
    status, _, body = portal.request("/orders/SO-00001.pdf", cookie=name_value)
    assert status == 200 and body.startswith(b"%PDF")
    assert portal.request("/orders/SO-00003", cookie=name_value)[0] == 404


@pytest.mark.parametrize("token", ["wrong", "A" * 43, "{acme}x", "..%2F..%2Forders%2FSO-00001", "%00"])
def test_a_bad_login_link_is_401_and_sets_no_cookie(portal, token):
    status, headers, _ = portal.request("/login/" + token.format(acme=portal.tokens["Acme"]))
    assert status == 401
    assert not [c for c in headers["set-cookie-all"] if not c.startswith('orders_portal="";') and "Max-Age=0" not in c]


def test_logout_clears_the_cookie(portal):
    status, headers, body = portal.request("/logout", cookie=f"orders_portal={portal.tokens['Acme']}")
    assert status == 200 and b"signed out" in body
    [cookie] = headers["set-cookie-all"]
    assert cookie.startswith("orders_portal=") and ("Max-Age=0" in cookie or "expires=Thu, 01 Jan 1970" in cookie)


# ---------------------------------------------------------------- methods and headers


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"])
@pytest.mark.parametrize("path", ["/", "/orders/SO-00001", "/orders/SO-00001.pdf", "/invoices/INV-00001", "/login/{acme}", "/nothing"])
def test_any_method_but_get_and_head_is_405(portal, method, path):
    path = path.format(acme=portal.tokens["Acme"])
    for token in (portal.tokens["Acme"], None):
        status, headers, _ = portal.request(path, token=token, method=method)
        assert status == 405, (method, path)
        assert headers["allow"] == "GET, HEAD"
        assert not headers["set-cookie-all"]


def check_security_headers(headers: dict, body: bytes) -> None:
    assert headers["cache-control"] == "no-store"
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    csp = headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in (x.strip() for x in csp.split(";")) if d}
    assert directives["default-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp and "script-src" not in directives or directives["script-src"] == ["'none'"]
    assert "server" not in headers
    match = re.search(rb"<style>(.*?)</style>", body, re.S)
    if match:  # the inline style is allowed by its hash, and only by it
        digest = base64.b64encode(hashlib.sha256(match.group(1)).digest()).decode()
        assert directives["style-src"] == [f"'sha256-{digest}'"]


def test_security_headers_on_every_kind_of_answer(portal):
    acme = portal.tokens["Acme"]
    answers = [
        portal.request("/", token=acme),
        portal.request("/orders/SO-00001", token=acme),
        portal.request("/orders/SO-00001.pdf", token=acme),
        portal.request("/invoices/INV-00001.pdf", token=acme),
        portal.request("/orders/SO-00003", token=acme),
        portal.request("/"),
        portal.request(f"/login/{acme}"),
        portal.request("/", method="POST"),
        portal.request("/logout"),
    ]
    assert [a[0] for a in answers] == [200, 200, 200, 200, 404, 401, 303, 405, 200]
    for status, headers, body in answers:
        check_security_headers(headers, body)


def test_pages_carry_no_script(portal):
    for path in ("/", "/orders/SO-00001", "/invoices/INV-00001", "/orders/SO-09999"):
        body = portal.request(path, token=portal.tokens["Acme"])[2].lower()
        assert b"<script" not in body and b"onclick" not in body and b"javascript:" not in body


def test_requests_never_write(portal):
    before = db_content(portal.env["ORDERS_DB"])
    acme = portal.tokens["Acme"]
    for path in ["/", "/orders/SO-00001", "/orders/SO-00001.pdf", "/invoices/INV-00001.pdf", f"/login/{acme}", "/logout",
                 "/orders/SO-00003", "/login/wrong"]:
        portal.request(path, token=acme)
        portal.request(path)
        portal.request(path, token=acme, method="POST")
    assert db_content(portal.env["ORDERS_DB"]) == before


# ---------------------------------------------------------------- revocation and binding


def test_revocation_takes_effect_at_once(portal):
    old = portal.tokens["Initech"]
    with portal.cli_env():
        second = last_line(ok("portal", "token", "Initech").out)
    cookie = f"orders_portal={second}"
    for token in (old, second):
        assert portal.request("/orders/SO-00005", token=token)[0] == 200
    assert portal.request("/", cookie=cookie)[0] == 200
    with portal.cli_env():
        assert ok("portal", "revoke", "Initech", "--json").json() == {"account": {"id": 3, "name": "Initech"}, "revoked": 2}
    for token in (old, second):
        assert portal.request("/", token=token)[0] == 401
        assert portal.request("/orders/SO-00005.pdf", token=token)[0] == 401
        assert portal.request(f"/login/{token}")[0] == 401
    status, headers, _ = portal.request("/", cookie=cookie)
    assert status == 401
    assert any(c.startswith("orders_portal=") for c in headers["set-cookie-all"])  # the dead cookie is cleared
    # other accounts are untouched, and a fresh token works again
    assert portal.request("/", token=portal.tokens["Acme"])[0] == 200
    with portal.cli_env():
        fresh = last_line(ok("portal", "token", "Initech").out)
    assert portal.request("/orders/SO-00005", token=fresh)[0] == 200


def _outward_address() -> str | None:
    """This machine's address on its default route (a UDP connect sends nothing)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_binds_to_127_0_0_1_by_default(portal):
    assert portal.proc.poll() is None
    with socket.create_connection(("127.0.0.1", portal.port), timeout=2):
        pass
    try:
        table = open("/proc/net/tcp").read().splitlines()[1:] + open("/proc/net/tcp6").read().splitlines()[1:]
    except OSError:
        table = []
    listening = [line.split()[1] for line in table if line.split()[3] == "0A" and line.split()[1].endswith(f":{portal.port:04X}")]
    if table:
        assert listening == [f"0100007F:{portal.port:04X}"], listening  # 127.0.0.1 only, no 0.0.0.0 or ::
    outward = _outward_address()
    if outward:
        with pytest.raises(OSError):
            socket.create_connection((outward, portal.port), timeout=2).close()


def test_serve_is_refused_while_the_portal_is_off():
    before = db_content()
    r = refused("portal", "serve", "--port", str(free_port()))
    assert "portal.enabled" in r.err
    assert db_content() == before
    ok("config", "set", "portal.enabled", "false")
    assert "portal.enabled" in refused("portal", "serve").err


def test_serve_on_a_busy_port_is_one_clear_refusal(tmp_path):
    ok("config", "set", "portal.enabled", "true")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "orders_cli", "portal", "serve", "--port", str(port)],
                           capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith("error: cannot listen on 127.0.0.1:") and len(r.stderr.strip().splitlines()) == 1
    refused("portal", "serve", "--port", "70000", code=2)
    refused("portal", "serve", "--host", "no-such-host.invalid", "--port", str(free_port()))


def test_serve_stops_cleanly_on_sigterm(tmp_path):
    from portal_server import Portal, _empty_books

    env = {"ORDERS_DB": _empty_books(tmp_path / "portal.db"), "ORDERS_CONFIG": str(tmp_path / "config.toml")}
    ok("config", "set", "portal.enabled", "true")
    p = start(Portal(tmp_path, env))
    assert p.request("/")[0] == 401
    assert p.proc.stdout.readline() == f"portal listening on http://127.0.0.1:{p.port}/\n"
    code, err = stop(p)
    assert code in (0, -signal.SIGTERM), err  # uvicorn shuts down gracefully, then re-raises the signal
    assert "Traceback" not in err


# ---------------------------------------------------------------- tokens from the command line


def test_token_is_shown_once_and_stored_only_as_a_hash():
    ok("account", "add", "Acme")
    r = ok("portal", "token", "Acme")
    link, token = r.out.rstrip("\n").split("\n")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert link == f"http://127.0.0.1:8765/login/{token}"
    assert "portal is off" in r.err and "shown once" in r.err
    content = repr(db_content())
    assert token not in content
    assert hashlib.sha256(token.encode()).hexdigest() in content
    again = last_line(ok("portal", "token", "1").out)
    assert again != token
    ok("config", "set", "portal.url", "https://portal.example.com/")
    ok("config", "set", "portal.enabled", "true")
    r = ok("portal", "token", "Acme")
    assert r.out.startswith("https://portal.example.com/login/") and "portal is off" not in r.err
    r = ok("portal", "token", "Acme", "--url", "http://10.0.0.5:9000", "--json").json()
    assert r["link"] == f"http://10.0.0.5:9000/login/{r['token']}" and r["account"] == {"id": 1, "name": "Acme"}
    assert ok("portal", "revoke", "Acme", "--json").json()["revoked"] == 4
    assert ok("portal", "revoke", "Acme", "--json").json()["revoked"] == 0


def test_token_refusals_change_nothing():
    ok("account", "add", "Acme")
    before = db_content()
    for args in (["portal", "token", "Nobody"], ["portal", "revoke", "Nobody"], ["portal", "token", "Acme", "--url", "ftp://x"],
                 ["portal", "token", "Acme", "--url", "not a url"]):
        refused(*args)
        assert db_content() == before
    refused("config", "set", "portal.url", "javascript:alert(1)")


def test_cookie_is_secure_when_the_portal_is_served_over_https(tmp_path):
    from portal_server import Portal

    env = {"ORDERS_DB": os.environ["ORDERS_DB"], "ORDERS_CONFIG": os.environ["ORDERS_CONFIG"]}
    ok("config", "set", "portal.enabled", "true")
    ok("config", "set", "portal.url", "https://portal.example.com")
    ok("account", "add", "Acme")
    token = last_line(ok("portal", "token", "Acme").out)
    p = start(Portal(tmp_path, env))
    try:
        status, headers, _ = p.request(f"/login/{token}")
        assert status == 303
        [cookie] = headers["set-cookie-all"]
        assert "secure" in [a.strip().lower() for a in cookie.split(";")]
    finally:
        stop(p)


@pytest.mark.parametrize("argv", [["doc"], ["activity"], ["portal"]])
def test_every_new_command_has_help_with_an_example(argv):
    group = run(*argv, "--help").out + run(*argv).err + run(*argv).out
    commands = [line.split()[0] for line in group.split("Commands:")[-1].splitlines() if line.strip() and not line.startswith(" " * 6)]
    assert commands
    for name in commands:
        r = run(*argv, name, "--help")
        assert r.code == 0 and "Example: orders " + argv[0] in " ".join(r.out.split()), (argv, name, r.out)
