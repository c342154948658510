"""orders portal: the customer portal's access tokens and its web server."""

from typing import Annotated, Optional

import typer

from orders_cli.cli.common import Json, group

app = group("portal", "The customer portal (read-only web pages of an account's finalized orders and invoices): tokens and server.")


def _enabled() -> bool:
    from orders_cli.adapters import settings as config

    return bool(config.current().get("portal.enabled"))


@app.command("token")
def portal_token(
    account: Annotated[str, typer.Argument(help="Account name or id")],
    url: Annotated[Optional[str], typer.Option("--url", help="Portal address for the link (default: the portal.url setting)")] = None,
    json_: Json = False,
) -> None:
    """Make a new access token for an account: prints the sign-in link, then the token alone
    on the last line. It is shown this once; only its hash is stored.

    Example: orders portal token "Café Müller"
    """
    from orders_cli import store
    from orders_cli.adapters import settings as config
    from orders_cli.adapters.settings import KEYS
    from orders_cli.cli import output
    from orders_cli.core.errors import Invalid
    from orders_cli.portal import tokens

    if url is not None:
        try:
            base = KEYS["portal.url"].check(url)
        except Invalid as exc:
            raise Invalid(f"--url: {exc.message}") from None
    else:
        base = config.current().get("portal.url")
    with store.transaction() as s:
        issued = tokens.issue(s, account)
    link = f"{base}/login/{issued['token']}"
    if not _enabled():
        output.note("note: the portal is off; turn it on with: orders config set portal.enabled true")
    if json_:
        output.record({"account": issued["account"], "link": link, "token": issued["token"]}, output.JSON)
        return
    output.note(f"portal token for {issued['account']['name']} ({issued['active_tokens']} active); shown once, keep it safe")
    output.write(f"{link}\n{issued['token']}\n")


@app.command("revoke")
def portal_revoke(account: Annotated[str, typer.Argument(help="Account name or id")], json_: Json = False) -> None:
    """Revoke every access token of an account; they stop working at once, also in open browsers.

    Example: orders portal revoke "Café Müller"
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.portal import tokens

    with store.transaction() as s:
        result = tokens.revoke(s, account)
    if json_:
        output.record(result, output.JSON)
    else:
        output.note(f"revoked {result['revoked']} token(s) of {result['account']['name']}")


@app.command("serve")
def portal_serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only)")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on (0: any free port)")] = 8765,
) -> None:
    """Serve the customer portal (read-only) until Ctrl-C.

    Prints "portal listening on http://HOST:PORT/" on stdout as soon as it listens (--port 0:
    any free port, the line says which). Pages in the account's language, else the language
    setting, with payment states. Refused while portal.enabled is false.

    Example: orders portal serve --port 8765   (after: orders config set portal.enabled true)
    """
    from orders_cli import store
    from orders_cli.adapters import settings as config
    from orders_cli.core.errors import Invalid

    if not _enabled():
        raise Invalid("the customer portal is off; turn it on with: orders config set portal.enabled true")
    store.engine()  # open (and migrate) the database now: a bad --db is refused before listening
    from orders_cli.portal import web

    web.serve(config.current(), host, port)
