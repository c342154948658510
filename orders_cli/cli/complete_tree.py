"""The table shell completion answers from (complete.py): the command tree Typer builds,
reduced to names, short helps and, for every option and argument, the kind of value it takes:

- the values its type or help lists (a click ``Choice``; ``created | approved | delivered``;
  ``call|meeting|task`` as its metavar; "Status of new invoices: auto_created (default), created");
- a kind the database answers (``store.quick.SOURCES``; ``invoice+credit``: both), from the parameter's name (``--account``,
  ``--vendor``, ``--invoice``...), its metavar (``ORDER``, ``SKU``...), or, for a ``NAME`` or ``ID``
  argument of a group's command other than ``add``, the group's records (``tax show NAME``);
- the setting keys for the ``KEY`` of ``config``.

A node: ``h`` short help, ``c`` sub-commands (groups), ``o`` option -> kind (``"-"`` a flag,
None no proposals), ``oh`` the visible options with their help, ``a`` the arguments' kinds,
``r`` the kind of the last argument when it takes many, ``x`` hidden.
"""

from __future__ import annotations

import re

from orders_cli.cli.commands import LISTED, first_sentence
from orders_cli.cli.complete import FLAG

BY_NAME = {
    "account": "account", "product": "sku", "sku": "sku", "vendor": "vendor", "tax": "tax", "user": "user",
    "assigned_to": "user", "contact": "contact", "order": "order", "quote": "quote", "invoice": "invoice",
    "credit": "credit", "delivery": "delivery", "purchase": "purchase",
}
BY_METAVAR = {
    "ORDER": "order", "QUOTE": "quote", "INVOICE": "invoice", "CREDIT": "credit", "DELIVERY": "delivery",
    "PURCHASE": "purchase", "ACCOUNT": "account", "SKU": "sku", "VENDOR": "vendor", "TAX": "tax", "USER": "user",
    "CONTACT": "contact",
}
# The records a group's NAME / ID argument names (``account show NAME``), but not in ``add``.
BY_GROUP = {"tax": "tax", "account": "account", "contact": "contact", "vendor": "vendor", "user": "user", "product": "sku"}
WORDS = re.compile(r"[a-z0-9][a-z0-9_.-]*(?:\|[a-z0-9][a-z0-9_.-]*)+")
COLON_LIST = re.compile(r".*:\s*([\w-]+(?: \(default\))?(?:, [\w-]+(?: \(default\))?)+)\.?")


def listed(param) -> list[str] | None:
    """The values ``param``'s type, metavar or help lists, if any."""
    choices = getattr(getattr(param, "type", None), "choices", None)
    if choices:
        return [str(getattr(c, "value", c)) for c in choices]
    help_text = " ".join((param.help or "").split())
    found = LISTED.fullmatch(help_text)
    if found:
        return [w.replace(" (default)", "").strip() for w in (found.group(1) + found.group(2)).split("|")]
    if param.metavar and WORDS.fullmatch(param.metavar):
        return param.metavar.split("|")
    found = COLON_LIST.fullmatch(help_text)
    if found:
        return [w.replace(" (default)", "").strip() for w in found.group(1).split(",")]
    return None


def kind(group: str, command: str, param):
    """The kind of value ``param`` of ``group command`` takes (see the module's docstring)."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return FLAG
    values = listed(param)
    if values:
        return values
    name, metavar = (param.name or "").lower(), (param.metavar or "").upper()
    if group == "config" and metavar == "KEY":
        from orders_cli.adapters import settings

        return sorted(settings.KEYS)
    if name in BY_NAME and metavar not in ("TEXT", "FILE", "PATH", "N"):
        return BY_NAME[name]
    if metavar in BY_METAVAR:
        return BY_METAVAR[metavar]
    if param.param_type_name == "argument" and metavar in ("NAME", "ID") and command != "add" and group in BY_GROUP:
        return BY_GROUP[group]
    if (param.help or "").startswith("Invoice number or id; or a credit note"):  # payment add DOCUMENT
        return "invoice+credit"
    return None


def _node(cmd, group: str, name: str) -> dict:
    node: dict = {"h": first_sentence(cmd.get_short_help_str() if hasattr(cmd, "get_short_help_str") else cmd.help), "o": {}, "oh": []}
    if getattr(cmd, "hidden", False):
        node["x"] = 1
    args = []
    for param in cmd.params:
        if param.param_type_name == "argument":
            if param.nargs == -1:
                node["r"] = kind(group, name, param)
            else:
                args.extend([kind(group, name, param)] * max(param.nargs, 1))
            continue
        value_kind = kind(group, name, param)
        help_text = first_sentence(param.help)
        for opt in (*param.opts, *getattr(param, "secondary_opts", ())):
            node["o"][opt] = FLAG if opt in getattr(param, "secondary_opts", ()) else value_kind
            if not getattr(param, "hidden", False):
                node["oh"].append([opt, help_text])
    if not any(o == "--help" for o, _ in node["oh"]):
        node["o"]["--help"] = FLAG
        node["oh"].append(["--help", "Show this message and exit."])
    node["a"] = args
    commands = getattr(cmd, "commands", None)
    if commands is not None:
        node["c"] = {sub: _node(subcmd, name, sub) for sub, subcmd in commands.items()}
    return node


def build(command) -> dict:
    """The table of the root click ``command`` (Typer's ``get_command(app)``)."""
    return _node(command, "", "orders")
