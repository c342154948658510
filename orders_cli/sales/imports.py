"""Orders from JSON: ``order add --from-json`` reads what ``order show --json`` prints (one
object, an array, or JSON lines), streamed in chunks, and inserts them in batches.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

from sqlmodel import Session

from orders_cli.core import text
from orders_cli.core.context import Context
from orders_cli.core.errors import Conflict, Invalid, NotFound
from orders_cli.parties.resolver import Resolver
from orders_cli.parties.taxes import require_buyer_vat_id
from orders_cli.recurring.settings import recurrence_from_json
from orders_cli.sales.inputs import DocInput, LineInput, Prepared, insert, prepare
from orders_cli.sales.results import ImportResult
from orders_cli.store.documents import ORDER, Kind

ORDER_JSON_KEYS = {
    "id", "number", "subject", "status", "finalized", "order_date", "currency", "account", "contact", "quote",
    "customer_ref", "assigned_to", "billing_address", "shipping_address", "lines", "totals", "progress",
    "recurrence", "related", "discount", "shipping_charge", "adjustment", "language", "finalized_at", "created_at",
    "updated_at", "quote_date", "valid_until", "open_balance", "allowances_charges",
}
LINE_JSON_KEYS = {
    "line_no", "sku", "description", "quantity", "unit_price", "discount", "net", "taxes", "delivered_quantity",
    "invoiced_quantity", "kind", "comment", "remaining_to_invoice", "remaining_to_deliver", "unit_code", "base_quantity",
}


def input_from_json(obj: Any, kind: Kind = ORDER, exact: bool = False) -> DocInput:
    """A DocInput from what ``show --json`` prints (unknown keys refused, named). ``exact``: the
    parser saw no float, huge integer, duplicate key or surrogate in it (``_documents``), so the
    walk of ``_refuse_inexact`` would find nothing."""
    if not exact:
        _refuse_inexact(obj)
    if not isinstance(obj, dict):
        raise Invalid(f"expected a JSON object, got {type(obj).__name__}")
    if not ORDER_JSON_KEYS.issuperset(obj):
        raise Invalid(f"unknown field {sorted(set(obj) - ORDER_JSON_KEYS)[0]!r}")
    get = obj.get
    lines = get("lines", [])
    if not isinstance(lines, list):
        raise Invalid("lines: expected an array")
    specs = []
    for i, ln in enumerate(lines, start=1):
        if not isinstance(ln, dict):
            raise Invalid(f"lines[{i}]: expected an object")
        if not LINE_JSON_KEYS.issuperset(ln):
            raise Invalid(f"lines[{i}]: unknown field {sorted(set(ln) - LINE_JSON_KEYS)[0]!r}")
        if "sku" not in ln or "quantity" not in ln:
            raise Invalid(f"lines[{i}]: sku and quantity are required")
        if not exact:  # exact: no float in it
            for key in ("quantity", "unit_price", "base_quantity"):
                if isinstance(ln.get(key), float):  # float-ok: refusing floats
                    raise Invalid(f"lines[{i}].{key}: write numbers as strings (\"2.5\"), not JSON floats")
        line_get = ln.get
        specs.append(LineInput(ln["sku"], ln["quantity"], line_get("unit_price"), line_get("discount"), line_get("comment"), line_get("base_quantity")))
    totals = get("totals")
    if not isinstance(totals, dict):
        totals = _NO_TOTALS
    shipping = get("shipping_charge", totals.get("shipping"))
    adjustment = get("adjustment", totals.get("adjustment"))
    discount = obj["discount"] if "discount" in obj else (totals.get("discount") if totals.get("discount") not in (None, "0.00", "0") else None)
    if not exact:
        for key, value in (("shipping_charge", shipping), ("adjustment", adjustment), ("discount", discount)):
            if isinstance(value, float):  # float-ok: refusing floats
                raise Invalid(f"{key}: write amounts as strings (\"12.00\"), not JSON floats")
    charges = get("allowances_charges", totals.get("allowances_charges"))
    if charges is not None and not isinstance(charges, list):
        raise Invalid("allowances_charges: expected an array")
    for i, c in enumerate(charges or (), start=1):
        if not isinstance(c, dict):
            raise Invalid(f"allowances_charges[{i}]: expected an object")
        if any(isinstance(v, float) for v in c.values()):  # float-ok: refusing floats
            raise Invalid(f"allowances_charges[{i}]: write amounts as strings (\"12.00\"), not JSON floats")
    rec = get("recurrence")
    if rec is not None and not isinstance(rec, dict):
        raise Invalid("recurrence: expected an object or null")
    a_quote = kind is ORDER and "quote_date" in obj and "order_date" not in obj  # what `quote show --json` prints
    return DocInput(
        subject=get("subject"),
        account=get("account"),
        contact=get("contact"),
        quote=None if a_quote else get("quote"),  # a quote's JSON is not a link to it (quote convert order is)
        customer_ref=get("customer_ref"),
        assigned_to=get("assigned_to"),
        date=get(kind.date_field),
        discount=discount,
        shipping_charge=shipping,
        adjustment=adjustment,
        billing=get("billing_address"),
        shipping=get("shipping_address"),
        lines=specs,
        status=None if a_quote else get("status"),  # a quote's status (sent, accepted) is not an order's
        finalized=get("finalized", False),
        recurrence=rec,
        allowances_charges=charges or None,
    )


_NO_TOTALS: dict = {}


def iter_json_documents(stream, source: str) -> Iterator[tuple[int, Any]]:
    """Yield (line number, value) from one object, an array of objects, or JSON lines,
    reading the stream in chunks (a 100,000-order file is never held whole)."""
    for line, value, _ in _documents(stream, source):
        yield line, value


# What a document's text holds when its value may hold a lone surrogate: a raw one, or the
# escape of one (``\ud800``; an escaped backslash before "ud800" only costs the full check).
_RAW_SURROGATE = re.compile("[\ud800-\udfff]")
_MAYBE_SURROGATE = re.compile("[\ud800-\udfff]|\\\\u[dD][89abcdefABCDEF]")


def _documents(stream, source: str) -> Iterator[tuple[int, Any, bool]]:
    """``iter_json_documents`` with, per document, whether it is exact: no float, integer of
    over 40 digits, duplicate key or lone surrogate anywhere in it (what ``_refuse_inexact``
    refuses), so input_from_json can skip walking it."""
    marks = [0]  # how many marked values the parser made: a float, a huge integer, a duplicate

    def no_float(text_value: str):
        marks[0] += 1
        return _JsonFloat(text_value)  # float-ok: kept only to be refused

    def an_int(text_value: str):
        value = _int(text_value)
        if type(value) is not int:
            marks[0] += 1
        return value

    def an_object(pairs: list[tuple[str, Any]]) -> dict:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        marks[0] += 1
        return _object(pairs)

    decoder = json.JSONDecoder(parse_float=no_float, parse_int=an_int, parse_constant=_no_constant, object_pairs_hook=an_object)
    maybe_surrogate = _MAYBE_SURROGATE.search
    raw_surrogate = [False]  # whether a chunk read so far held a lone surrogate as such
    buf = ""
    pos = 0
    line = 1
    eof = False
    in_array = None  # None: not decided yet

    def fill() -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        chunk = stream.read(1 << 16)
        if not chunk:
            eof = True
            return False
        if not raw_surrogate[0] and not chunk.isascii() and _RAW_SURROGATE.search(chunk):
            raw_surrogate[0] = True  # (stdin decoded with surrogateescape) each document is searched from now on
        buf = buf[pos:] + chunk
        pos = 0
        return True

    def skip_ws() -> None:
        nonlocal pos, line
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                if buf[pos] == "\n":
                    line += 1
                pos += 1
            if pos < len(buf) or not fill():
                return

    skip_ws()
    if pos >= len(buf):
        raise Invalid(f"{source}: no JSON input")
    if buf[pos] == "[":
        in_array = True
        pos += 1
    first = True
    while True:
        skip_ws()
        if pos >= len(buf):
            if in_array:
                raise Invalid(f"{source}: line {line}: the array is not closed (missing ']')")
            return
        if in_array:
            if buf[pos] == "]":
                pos += 1
                skip_ws()
                if pos < len(buf):
                    raise Invalid(f"{source}: line {line}: unexpected text after the array")
                return
            if not first:
                if buf[pos] != ",":
                    raise Invalid(f"{source}: line {line}: expected ',' or ']' between array items")
                pos += 1
                skip_ws()
        start_line = line
        before = marks[0]
        while True:
            try:
                value, end = decoder.raw_decode(buf, pos)
                break
            except json.JSONDecodeError as err:
                # Only an error on the buffer's last, unfinished line can be a document cut by the
                # chunk boundary (JSON strings hold no newline): read on. Any other error is real,
                # and is reported now rather than after reading the rest of a large file.
                if buf.find("\n", err.pos) == -1 and fill():
                    continue
                if not buf[err.pos:].strip():
                    raise Invalid(
                        f"{source}: line {start_line}: invalid JSON: the document starting on this line is incomplete ({err.msg} at the end of the input)"
                    ) from None
                bad_line = start_line + buf.count("\n", pos, err.pos)
                raise Invalid(f"{source}: line {bad_line}: invalid JSON: {err.msg}") from None
            except _Refused as err:
                raise Invalid(f"{source}: line {start_line}: {err}") from None
        if marks[0] != before:
            exact = False
        elif raw_surrogate[0] or buf.find("\\u", pos, end) != -1:
            exact = maybe_surrogate(buf, pos, end) is None
        else:
            exact = True
        line += buf.count("\n", pos, end)
        pos = end
        first = False
        yield start_line, value, exact


class _Refused(ValueError):
    pass


class _JsonFloat(str):  # float-ok: marks a refused JSON float
    """A JSON float as written, kept so the refusal can name its field (see _refuse_inexact)."""


class _JsonHugeInt(str):
    """A JSON integer of more digits than any number here may have, kept as written (``int()``
    refuses 4,300 digits and more, slowly) so the refusal can name its field."""


class _Duplicated(dict):
    """A JSON object that names a key twice (``dict`` would keep the last one silently)."""

    duplicate: str = ""


MAX_INT_DIGITS = 40  # D() reads at most 40 characters


def _no_float(text_value: str):
    return _JsonFloat(text_value)  # float-ok: kept only to be refused


def _int(text_value: str):
    if len(text_value.lstrip("-")) > MAX_INT_DIGITS:
        return _JsonHugeInt(text_value)
    return int(text_value)


def _object(pairs: list[tuple[str, Any]]) -> dict:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
    marked = _Duplicated(obj)
    marked.duplicate = duplicate
    return marked


def _refuse_inexact(value: Any, path: str = "") -> None:
    """Refuse what the JSON cannot mean exactly, naming where it is (``lines[1].quantity``): a
    float, an integer of over 40 digits, a key written twice, a lone surrogate (``"\\ud800"``)."""
    where = f"{path}: " if path else ""
    if isinstance(value, (_JsonFloat, float)):  # float-ok: the refusal itself
        shown = str(value)[:30]
        raise Invalid(f"{where}the number {shown} must be written as a string (\"{shown}\"): JSON floats are not exact")
    if isinstance(value, _JsonHugeInt):
        raise Invalid(f"{where}the number {value[:12]}... has {len(value.lstrip('-'))} digits (at most {MAX_INT_DIGITS})")
    if isinstance(value, str):
        text.check_surrogates(value, path or "value")
    elif isinstance(value, dict):
        if isinstance(value, _Duplicated):
            raise Invalid(f"{where}duplicate key {value.duplicate[:40]!r}: each key may appear once in an object")
        for key, item in value.items():
            text.check_surrogates(key, f"{path}: a key" if path else "a key")
            key = text.shown(key, 40)  # a key is user input too: no newline into the one-line error
            _refuse_inexact(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, item in enumerate(value, start=1):
            _refuse_inexact(item, f"{path}[{i}]")


def _no_constant(name: str):
    raise _Refused(f"{name} is not a number")


def _one_order_per_quote(session: Session, prepared: Prepared, linked: set[int]) -> None:
    """An order fed back (``order show --json | order add --from-json -``) is a copy: it keeps
    the ``quote`` link only when no order has it yet, so a quote never leads to two orders."""
    import sqlalchemy as sa

    from orders_cli.store import schema as m

    quote_id = prepared.header.get("quote_id")
    if quote_id is None:
        return
    taken = quote_id in linked or session.execute(
        sa.select(m.SalesOrder.id).where(m.SalesOrder.quote_id == quote_id).limit(1)).first() is not None
    if taken:
        prepared.header["quote_id"] = None
    else:
        linked.add(quote_id)


def import_json(session: Session, ctx: Context, stream, source: str, batch_size: int = 500, progress=None) -> ImportResult:
    """Create orders from JSON (one object, an array, or JSON lines), all in this transaction.

    Returns how many were made, and the first and last numbers (they follow one another).
    Documents are validated and inserted in batches, so memory stays flat whatever the file's
    size. The first bad document refuses the whole import.
    """
    import gc

    # Millions of short-lived dicts and tuples, freed as they go: with the default thresholds the
    # collector ran 2,000 times over 100,000 orders (0.9 s, a tenth of the import); 200 times now.
    saved = gc.get_threshold()
    gc.set_threshold(20_000, 10, 10)
    try:
        return _import_json(session, ctx, stream, source, batch_size, progress)
    finally:
        gc.set_threshold(*saved)


def _import_json(session: Session, ctx: Context, stream, source: str, batch_size: int, progress) -> ImportResult:
    rv = Resolver(session, ctx.settings)
    linked: set[int] = set()  # the quotes given an order by this import
    made: list[str] = []  # the first and the last number so far
    count = 0
    batch: list[Prepared] = []
    documents = _documents(stream, source)
    line = 1
    while True:
        try:
            line, obj, exact = next(documents)
        except StopIteration:
            break
        except RecursionError:
            raise Invalid(f"{source}: after line {line}: the JSON is nested too deeply") from None
        try:
            prepared = prepare(rv, ctx, ORDER, input_from_json(obj, exact=exact))
            _one_order_per_quote(session, prepared, linked)
            require_buyer_vat_id("order", ((ln["line_no"], ln["sku"], ln["taxes"]) for ln in prepared.lines), prepared.account)
            if prepared.recurrence:
                recurrence_from_json(0, prepared.recurrence)  # stored by insert(); checked now, for the line number
            batch.append(prepared)
        except (Invalid, NotFound, Conflict) as err:
            raise type(err)(f"{source}: line {line}: {err.message}") from None
        except RecursionError:
            raise Invalid(f"{source}: line {line}: the JSON is nested too deeply") from None
        if len(batch) >= batch_size:
            count = _insert_batch(session, ctx, batch, made, count, progress)
            batch = []
    if batch:
        count = _insert_batch(session, ctx, batch, made, count, progress)
    if not count:
        raise Invalid(f"{source}: no orders in the input")
    return ImportResult(imported=count, first=made[0], last=made[-1])


def _insert_batch(session: Session, ctx: Context, batch: list[Prepared], made: list[str], count: int, progress) -> int:
    """Insert ``batch``; ``made`` becomes [first number, last number]; returns the new count."""
    numbers = insert(session, ctx, ORDER, batch, vat_checked=True)
    if not made:
        made.append(numbers[0][1])
    made[1:] = [numbers[-1][1]]
    count += len(numbers)
    if progress:
        progress(count)
    return count
