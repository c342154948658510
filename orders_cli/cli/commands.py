"""The classes every command and group of the app is built with (``common.Typer`` makes them
the default), so what they change holds for the whole CLI without touching one option:

- a negative number (``-3``, ``-2.50``, ``-10%``) given where no option of that name exists is
  a value, not an unknown option: ``orders config set invoice.due_days -3`` needs no ``--``;
- every option and argument without a metavar of its own gets one in words (``SKU``,
  ``YYYY-MM-DD``, ``AMOUNT``, ``N``, ``TEXT``), derived here from its name, type and help,
  never Typer's ``<str>`` / ``<list[str]>`` / ``<int range>``; the usage line writes the
  arguments as ``KEY VALUE`` (``[NAME]`` when optional); a required option is marked one
  way, Typer's ``[required]`` (a help text that ends in "(required)" gets it instead);
- a group's listing gives each command's first sentence whole, never cut at "...".
"""

import re

import typer
try:  # Typer >= 0.29 vendors click as typer._click; before, click is its own package
    from typer._click.parser import _OptionParser
except ImportError:  # pragma: no cover - an older Typer
    from click.parser import _OptionParser  # type: ignore[no-redef]
from typer.core import TyperCommand, TyperGroup

NEGATIVE = re.compile(r"-(?:\d+(?:[.,]\d*)?|[.,]\d+)%?")

# By parameter name (options and arguments alike): the words for its value.
NAMES = {
    "date": "YYYY-MM-DD", "since": "YYYY-MM-DD", "until": "YYYY-MM-DD", "due": "YYYY-MM-DD",
    "start": "YYYY-MM-DD", "end": "YYYY-MM-DD", "as_of": "YYYY-MM-DD", "delivery_date": "YYYY-MM-DD",
    "valid_until": "YYYY-MM-DD", "day": "YYYY-MM-DD",
    "amount": "AMOUNT", "price": "AMOUNT", "cost": "AMOUNT", "shipping_charge": "AMOUNT",
    "adjustment": "AMOUNT", "discount": "PCT%|AMOUNT", "rate": "PERCENT", "percent": "P",
    "qty": "QTY", "quantity": "QTY", "base_quantity": "QTY",
    "email": "EMAIL", "to": "EMAIL", "cc": "EMAIL", "phone": "PHONE", "url": "URL", "host": "HOST",
    "port": "PORT", "file": "FILE", "files": "FILE", "path": "PATH", "output": "FILE", "eml": "FILE",
    "account": "ACCOUNT", "contact": "CONTACT", "vendor": "VENDOR", "product": "SKU", "sku": "SKU",
    "tax": "TAX", "assigned_to": "USER", "user": "USER", "language": "LANG", "country": "COUNTRY",
    "currency": "CODE", "region": "REGION", "tax_region": "REGION", "order": "ORDER",
    "invoice": "INVOICE", "quote": "QUOTE", "credit": "CREDIT", "delivery": "DELIVERY",
    "purchase": "PURCHASE", "payment": "ID", "activity": "ID", "document": "ID", "line_no": "N",
    "subject": "TEXT", "name": "NAME", "key": "KEY", "value": "VALUE", "reason": "TEXT", "note": "TEXT",
    "comment": "TEXT", "message": "TEXT", "description": "TEXT", "reference": "TEXT",
    "customer_ref": "TEXT", "unit": "UNIT", "vat_id": "VAT-ID", "siren": "SIREN", "siret": "SIRET",
    "electronic_address": "SCHEME:ID|EMAIL", "category": "CODE", "exemption_code": "VATEX-CODE",
    "exemption_reason": "TEXT", "invoice_date": "start|end", "catch_up": "all|latest",
    "type": "TYPE", "invoice_status": "STATUS", "year": "YYYY", "month": "YYYY-MM", "period": "YYYY-MM|YYYY-QN|YYYY",
}
# By the type Typer read from the annotation, when the name says nothing.
TYPES = {"int": "N", "float": "NUMBER", "Decimal": "AMOUNT", "Path": "PATH", "bool": "BOOLEAN", "datetime": "YYYY-MM-DD"}
# Help that starts with its own picture of the value: "SKU:QTY[:PRICE[:DISCOUNT]] (repeatable) ..."
PICTURE = re.compile(r"([A-Z][A-Z0-9_]*(?:[:\[\]|%.-]+[A-Z0-9_]*)+)(?=[\s,;]|$)")
# Help that lists the values: "call | meeting | task", "transfer (default) | card | cash".
LISTED = re.compile(r"\s*([\w-]+)(?: \(default\))?((?: \| [\w-]+(?: \(default\))?)+)\s*$")


def _annotation_name(param) -> str:
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    args = getattr(annotation, "__args__", None)
    if descriptor is not None and descriptor.is_list and args:
        annotation = args[0]
    return getattr(annotation, "__name__", "str")


def metavar(param) -> str:
    """The words for what ``param`` (an option or argument) takes."""
    help_text = " ".join((param.help or "").split())
    descriptor = getattr(param, "type_descriptor", None)
    choices = descriptor.choices if descriptor is not None else None
    if choices:
        words = "|".join(str(getattr(c, "value", c)) for c in choices)
        return words if len(words) <= 24 or not help_text else (param.name or "value").upper().replace("_", "-")
    listed = LISTED.fullmatch(help_text)
    if listed:
        words = "|".join(word.replace(" (default)", "").strip() for word in (listed.group(1) + listed.group(2)).split("|"))
        return words if len(words) <= 24 else (param.name or "value").upper().replace("_", "-")  # the help lists them
    picture = PICTURE.match(help_text)
    if picture:
        return picture.group(1)
    name = (param.name or "").lower()
    if name in NAMES:
        return NAMES[name]
    if "YYYY-MM-DD" in help_text:
        return "YYYY-MM-DD"
    kind = _annotation_name(param)
    if kind in TYPES:
        return TYPES[kind]
    return name.upper().replace("_", "-") if param.param_type_name == "argument" else "TEXT"


def first_sentence(text: str | None) -> str:
    """The first sentence of a help text's first paragraph, whole (``e.g.`` does not end it)."""
    paragraph = " ".join((text or "").split("\n\n")[0].split())
    if paragraph.startswith("\b "):
        paragraph = paragraph[2:]
    end = re.search(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)\.(?=\s|$)", paragraph)
    return paragraph[: end.end()] if end else paragraph


def _words(params) -> None:
    for param in params:
        help_text = (param.help or "").rstrip()
        if help_text.endswith("(required)"):  # required marked one way: Typer's "  [required]"
            param.help = help_text[: -len("(required)")].rstrip() + "  [required]"
        if param.metavar is None and not getattr(param, "is_flag", False) and not getattr(param, "count", False):
            param.metavar = metavar(param)


class _NumbersParser(_OptionParser):
    """Click's option parser, except that ``-3`` / ``-2.50`` / ``-10%`` is a value when the
    command has no option of that name."""

    def _process_opts(self, arg: str, state) -> None:
        if NEGATIVE.fullmatch(arg) and arg not in self._short_opt and arg not in self._long_opt and self.allow_interspersed_args:
            state.largs.append(arg)
            return
        super()._process_opts(arg, state)


class Command(TyperCommand):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _words(self.params)

    def make_parser(self, ctx):
        parser = _NumbersParser(ctx)
        for param in self.get_params(ctx):
            param.add_to_parser(parser, ctx)
        return parser

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = param.metavar or (param.name or "").upper()
                name = name if param.required else f"[{name}]"
                pieces.append(name + ("..." if param.nargs != 1 else ""))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx, formatter) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":  # Typer writes "key <str>": the words alone
                arguments.append((param.metavar + ("..." if param.nargs != 1 else ""), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def get_short_help_str(self, limit: int = 45) -> str:
        return first_sentence(self.short_help or self.help)


class Group(TyperGroup):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _words(self.params)

    def get_short_help_str(self, limit: int = 45) -> str:
        return first_sentence(self.short_help or self.help)


class Typer(typer.Typer):
    """``typer.Typer`` whose groups are ``Group`` and whose commands are ``Command``."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("cls", Group)
        super().__init__(*args, **kwargs)

    def command(self, name=None, *, cls=None, **kwargs):
        return super().command(name, cls=cls or Command, **kwargs)
