"""The portal's web app: Starlette routes, Jinja2 pages, served by uvicorn.

Surface (CLI.md): ``/login/TOKEN`` (sets the session cookie, 303 to ``/``), ``/``,
``/orders/NUMBER``, ``/orders/NUMBER.pdf``, ``/invoices/NUMBER``, ``/invoices/NUMBER.pdf``, ``/credits/NUMBER(.pdf)``,
``/logout``. A token comes as ``Authorization: Bearer TOKEN`` or as the cookie.
Anything not the token's account's or not finalized: 404; no valid token: 401; a method
other than GET/HEAD: 405. Every response carries the security headers below.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import sys
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from orders_cli.adapters.env import today
from orders_cli.portal import queries, states, tokens, words

COOKIE = "orders_portal"
COOKIE_MAX_AGE = 12 * 3600
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "portal"
ALLOWED_METHODS = (b"GET", b"HEAD")


def _css() -> str:
    return (TEMPLATES / "portal.css").read_text(encoding="utf-8")


def security_headers(css: str) -> list[tuple[bytes, bytes]]:
    style_hash = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    csp = (
        f"default-src 'none'; style-src 'sha256-{style_hash}'; img-src 'none'; script-src 'none'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return [
        (b"cache-control", b"no-store"),
        (b"pragma", b"no-cache"),
        (b"content-security-policy", csp.encode("ascii")),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cross-origin-resource-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]


class Guard:
    """Outermost ASGI layer: only GET and HEAD get through (else 405), and every response,
    errors included, leaves with the security headers."""

    def __init__(self, app, headers: list[tuple[bytes, bytes]]):
        self.app = app
        self.headers = headers
        self.names = {name for name, _ in headers}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                return await self.app(scope, receive, send)
            return  # no websockets here

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in self.names]
                message = {**message, "headers": kept + self.headers}
            await send(message)

        if scope["method"].encode("ascii", "replace") not in ALLOWED_METHODS:
            body = b"405 Method Not Allowed: this portal is read-only (GET and HEAD only)\n"
            await send_with_headers({"type": "http.response.start", "status": 405, "headers": [
                (b"allow", b"GET, HEAD"), (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send_with_headers)


def build_app(settings) -> Guard:
    """The app. The business's templates (``templates.dir``: labels, layout) are read once here,
    so a broken one refuses ``portal serve`` in one line instead of failing every page."""
    css = _css()
    words.check(settings)
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]), auto_reload=False)
    env.filters["seg"] = lambda value: quote(str(value), safe="")
    company = str(settings.get("company.name") or "")
    style = Markup(css)
    # behind a reverse proxy that terminates HTTPS the request arrives as http: trust the configured address
    https_behind_proxy = str(settings.get("portal.url")).startswith("https://")

    def page(name: str, language: str | None, status: int = 200, account: str | None = None, **context) -> HTMLResponse:
        w = words.words(language, settings)  # the customer's language: the account's, else the setting's
        html = env.get_template(name).render(
            css=style, company=company or w.L["portal_title"], account=account, L=w.L, lang=w.lang, amount=w.amount, day=w.day,
            state=w.state, meta=w.meta, parties=w.parties, columns=w.columns, cell=w.cell, totals=w.totals, mark=w.mark,
            void=states.void, **context)
        return HTMLResponse(html, status_code=status)

    def error(status: int, who: tuple | None = None) -> HTMLResponse:
        resp = page("error.html", who[2] if who else None, status=status, account=who[1] if who else None, status_code=status)
        if status == 401:
            resp.headers["WWW-Authenticate"] = 'Bearer realm="orders portal"'
        return resp

    def presented(request: Request) -> tuple[str | None, bool]:
        """(token, from the cookie?): the Authorization header wins over the cookie."""
        header = request.headers.get("authorization")
        if header is not None:
            scheme, _, value = header.partition(" ")
            return (value.strip() if scheme.lower() == "bearer" else None), False
        return request.cookies.get(COOKIE), True

    def signed_in(request: Request, s) -> tuple[int, str, str | None] | None:
        token, _ = presented(request)
        return tokens.account_for(s, token)

    def unauthorized(request: Request) -> HTMLResponse:
        resp = error(401)
        if COOKIE in request.cookies:
            resp.delete_cookie(COOKIE, path="/")
        return resp

    def show_all(request: Request) -> bool:
        """``?all=1``: cancelled and credited documents too (a plain link: no script needed)."""
        return request.query_params.get("all") == "1"

    def home(request: Request) -> Response:
        with queries.read_only() as s:
            who = signed_in(request, s)
            if who is None:
                return unauthorized(request)
            orders = queries.overview(s, who[0], today())
        everything = show_all(request)
        hidden = any(states.void(o.state) or any(states.void(i.state) for i in o.invoices) for o in orders)
        shown = [o for o in orders if everything or not states.void(o.state)]
        return page("index.html", who[2], account=who[1], orders=shown, all=everything, hidden=hidden)

    def login(request: Request) -> Response:
        token = request.path_params["token"]
        with queries.read_only() as s:
            who = tokens.account_for(s, token)
        if who is None:
            return unauthorized(request)
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(COOKIE, token, max_age=COOKIE_MAX_AGE, path="/", httponly=True, samesite="lax",
                        secure=request.url.scheme == "https" or https_behind_proxy)
        return resp

    def logout(request: Request) -> Response:
        with queries.read_only() as s:
            who = signed_in(request, s)  # said in the account's language while the token still works
        resp = page("signed_out.html", who[2] if who else None)
        resp.delete_cookie(COOKIE, path="/")
        return resp

    def document(kind: str):
        def endpoint(request: Request) -> Response:
            ref = request.path_params["number"]
            want_pdf = ref.endswith(".pdf")
            number = ref[: -len(".pdf")] if want_pdf else ref
            with queries.read_only() as s:
                who = signed_in(request, s)
                if who is None:
                    return unauthorized(request)
                if kind == "order":
                    doc = queries.order(s, who[0], number, today())
                elif kind == "credit":
                    doc = queries.credit(s, who[0], number)
                else:
                    doc = queries.invoice(s, who[0], number, today())
            if doc is None:
                return error(404, who)
            if want_pdf:
                from orders_cli.adapters import invoice_file, pdf

                data = invoice_file.render_or_plain(kind, doc, settings)  # Factur-X when the invoice can be one
                name = pdf.default_filename(doc)
                return Response(data, media_type="application/pdf", headers={
                    "Content-Disposition": f"attachment; filename=\"{_ascii(name)}\"; filename*=UTF-8''{quote(name, safe='')}"})
            return page(f"{kind}.html", who[2], account=who[1], doc=doc, all=show_all(request))

        return endpoint

    def anything_else(request: Request) -> Response:
        with queries.read_only() as s:
            who = signed_in(request, s)
        if who is None:
            return unauthorized(request)
        return error(404, who)

    routes = [
        Route("/", home, methods=["GET"]),
        Route("/login/{token}", login, methods=["GET"]),
        Route("/logout", logout, methods=["GET"]),
        Route("/orders/{number:path}", document("order"), methods=["GET"]),
        Route("/invoices/{number:path}", document("invoice"), methods=["GET"]),
        Route("/credits/{number:path}", document("credit"), methods=["GET"]),
        Route("/{rest:path}", anything_else, methods=["GET"]),
    ]
    return Guard(Starlette(routes=routes), security_headers(css))


def _ascii(name: str) -> str:
    return "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)


def listen(host: str, port: int) -> socket.socket:
    """A bound, listening socket (we bind it ourselves so a busy port is one clear refusal)."""
    from orders_cli.core.errors import Invalid

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise Invalid(f"--host {host}: {exc.strerror}") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise Invalid(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def _loopback(address: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


def serve(settings, host: str, port: int) -> None:
    import uvicorn

    app = build_app(settings)
    sock = listen(host, port)
    bound = sock.getsockname()
    shown_host = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    if not _loopback(bound[0]):
        print(f"warning: the portal listens on {bound[0]}, reachable from other machines; put it behind HTTPS", file=sys.stderr)
    # the address, on stdout and flushed, the moment the socket listens (a script or a test reads
    # it, e.g. with --port 0); a request that comes before uvicorn is up waits in the backlog
    print(f"portal listening on http://{shown_host}:{bound[1]}/", flush=True)
    print("portal: Ctrl-C stops it", file=sys.stderr, flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False, lifespan="off",
                            proxy_headers=False, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
