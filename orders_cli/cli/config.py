"""orders config: show, get and set the settings (TOML)."""

from typing import Annotated

import typer

from orders_cli.cli.common import Json, group

app = group("config", "Settings: company identity, currency, numbering, SMTP, portal.")


@app.command("show")
def show(json_: Json = False) -> None:
    """Show every setting with its current value.

    Example: orders config show
    """
    from orders_cli.adapters import settings as config
    from orders_cli.cli import output

    settings = config.current()
    values = settings.all()
    if json_:
        output.record(values, output.JSON)
        return
    output.rows(
        ({"key": k, "value": v, "help": config.KEYS[k].help} for k, v in values.items()),
        output.TABLE,
        [("key", "Key"), ("value", "Value"), ("help", "Meaning")],
        title=f"Settings ({settings.path})",
    )


@app.command("get")
def get(key: Annotated[str, typer.Argument(help="A key, e.g. company.name")], json_: Json = False) -> None:
    """Print one setting's value.

    Example: orders config get numbering.invoice_prefix
    """
    from orders_cli.adapters import settings as config
    from orders_cli.cli import output

    value = config.current().get(key)
    if json_:
        output.write(output.dumps(value) + "\n")
    elif isinstance(value, bool):  # as written in the file and accepted by `config set`
        output.write(("true" if value else "false") + "\n")
    else:
        output.write(output.cell(value) + "\n")


@app.command("set")
def set_(
    key: Annotated[str, typer.Argument(help="A key, e.g. company.name")],
    value: Annotated[str, typer.Argument(help="The new value ('' for none, where a key allows it)")],
) -> None:
    """Validate and store one setting.

    Checked when set: charges.tax names an existing tax (orders tax list), language one the
    document templates have labels in, company.logo a readable PNG or JPEG file (stored as an
    absolute path), templates.dir a folder, numbers in their range (orders config show says
    which); a mistyped key is answered with the closest ones. A refusal leaves the file as it was.
    Negative numbers need no --.

    Example: orders config set company.name "Atelier Dupré"
    """
    from orders_cli.adapters import settings as config
    from orders_cli.adapters.env import ENV
    from orders_cli.cli import output

    path = ENV.config_path()
    stored = config.set_value(path, key, value, refine=_in_the_books)
    output.note(f"{key} = {stored!r} (in {path})")


def _in_the_books(key: str, value):
    """``charges.tax`` must name an existing tax: stored as the tax's own name."""
    if key != "charges.tax" or not value:
        return value
    from orders_cli import store
    from orders_cli.core.errors import NotFound
    from orders_cli.parties import taxes

    try:
        with store.transaction(write=False) as s:
            return taxes.show_tax(s, value).name
    except NotFound as exc:
        raise NotFound(f"{exc.message} (orders tax list)") from None


@app.command("unset")
def unset(key: Annotated[str, typer.Argument(help="A key, e.g. charges.tax")]) -> None:
    """Remove one setting from the file: its default applies again.

    A key that is not set is left alone (exit 0, said on stderr); an unknown key is refused.

    Example: orders config unset charges.tax
    """
    from orders_cli.adapters import settings as config
    from orders_cli.adapters.env import ENV
    from orders_cli.cli import output

    path = ENV.config_path()
    removed = config.unset_value(path, key)
    default = config.KEYS[key].default
    output.note(f"{key} {'unset' if removed else 'was not set'}: the default {default!r} applies (in {path})")


@app.command("check")
def check(json_: Json = False) -> None:
    """List what a lawful French invoice still misses among your company's settings.

    Name, address, SIREN, VAT number, legal form, share capital (not for a sole trader: EI,
    micro-entrepreneur), RCS city, IBAN (when invoice.payment_means is transfer) and country.
    Always exits 0. --json prints {"missing": [{"key", "label", "problem"}]}, problem
    "missing" or "invalid".

    Example: orders config check
    """
    from orders_cli.adapters import settings as config
    from orders_cli.cli import output

    missing = config.missing_seller_data(config.current())
    if json_:
        output.record({"missing": missing}, output.JSON)
        return
    if not missing:
        output.write("nothing missing\n")
        return
    for item in missing:
        output.write(f"{item['key']}: {item['label']} {item['problem']}\n")


def seller_warning() -> str | None:
    """The one warning line of ``invoice pdf`` and ``invoice send`` when seller data the law
    requires is missing (None when nothing is)."""
    from orders_cli.adapters import settings as config

    missing = config.missing_seller_data(config.current())
    if not missing:
        return None
    return f"warning: the invoice misses the seller's {', '.join(m['label'] for m in missing)} (orders config check)"
