"""The catalog as CSV: ``product list --csv`` writes the columns ``product import`` reads.

The columns are the same both ways (``PRODUCT_CSV_COLUMNS``), so a list exported, edited in
a spreadsheet and imported again comes back as it was: ``price`` is also read as
``unit_price``, taxes are names separated by ``;``, and a cell that ``--csv`` made inert for
spreadsheets (a leading ``'`` before ``= + - @``) is read back without that quote.
``--upsert`` updates the products whose SKU exists (a supplier's new price list) and adds the
others; the whole file is one transaction, the first bad row refusing all of it.
"""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli.core import text, units
from orders_cli.core.csvcheck import check_header, data_rows
from orders_cli.core.errors import Conflict, Invalid, NotFound
from orders_cli.parties.catalog import _base_quantity, _kind, _price
from orders_cli.parties.results import ImportResult
from orders_cli.store import schema as m

PRODUCT_CSV_REQUIRED = ("sku", "name", "price")
PRODUCT_CSV_OPTIONAL = ("kind", "unit", "cost", "vendor", "taxes", "description", "base_quantity")
PRODUCT_CSV_COLUMNS = PRODUCT_CSV_REQUIRED + PRODUCT_CSV_OPTIONAL
# what ``product list --csv`` writes (its header is the keys: ``unit_price`` is read as ``price``)
PRODUCT_CSV_OUT = [(k, k) for k in ("sku", "name", "kind", "unit_price", "cost", "vendor", "taxes", "unit",
                                    "description", "base_quantity")]
_INERT = ("'=", "'+", "'-", "'@", "'\t", "'\r")


def uncell(value: str | None) -> str | None:
    """A cell as typed before ``--csv`` made it inert (``'=x`` -> ``=x``)."""
    return value[1:] if value and value.startswith(_INERT) else value


def _header(fieldnames, source: str):
    names = list(fieldnames) if fieldnames is not None else None
    if names:
        names = ["price" if n.strip() == "unit_price" else n for n in names]
    return check_header(names, PRODUCT_CSV_REQUIRED, PRODUCT_CSV_OPTIONAL, source)


def import_products(session: Session, handle: io.TextIOBase, source: str, upsert: bool = False) -> ImportResult:
    """Import products from CSV (header row; columns ``PRODUCT_CSV_COLUMNS``).

    All or nothing: the first bad row refuses the whole file, naming the line. With
    ``upsert`` a row whose SKU exists updates that product (the columns it has; ``taxes``
    replaces the product's taxes) instead of being refused. Rows are written set-wise.
    """
    reader = csv.DictReader(handle)
    reader.fieldnames = _header(reader.fieldnames, source)
    present = {h.strip() for h in reader.fieldnames}
    existing = dict(session.exec(select(m.Product.sku, m.Product.id)).all())
    vendors = {v.name: v.id for v in session.exec(select(m.Vendor))}
    taxes = {t.name: t.id for t in session.exec(select(m.Tax))}
    products: list[dict] = []
    updates: list[dict] = []
    tax_links: list[tuple[str, int]] = []
    seen: set[str] = set()
    for line, row in data_rows(reader, source):
        row = {k: uncell(v) for k, v in row.items()}
        try:
            sku = text.clean(row.get("sku"), "sku", 100, required=True)
            if any(c.isspace() or c == ":" for c in sku):
                raise Invalid(f"SKU {sku!r}: no spaces or colons")
            if sku in seen or (sku in existing and not upsert):
                raise Conflict(f"product {sku!r} already exists" + ("" if upsert or sku in seen else " (--upsert updates it)"))
            seen.add(sku)
            vendor_name = text.clean(row.get("vendor"), "vendor", 200)
            if vendor_name and vendor_name not in vendors:
                raise NotFound(f"no vendor {vendor_name!r}{text.did_you_mean(vendor_name, vendors)}")
            kind = (row.get("kind") or "product").strip() or "product"
            values = {
                "sku": sku,
                "name": text.clean(row.get("name"), "name", 300, required=True),
                "kind": _kind(kind),
                "unit": text.clean(row.get("unit"), "unit", 30),
                # lenient: a CSV of units that map to no code imports them without one
                "unit_code": units.unit_code_or_none(row["unit"]) if (row.get("unit") or "").strip() else None,
                "unit_price": _price(row.get("price") or "", "price"),
                "cost": None if not (row.get("cost") or "").strip() else _price(row["cost"], "cost"),
                "vendor_id": vendors.get(vendor_name) if vendor_name else None,
                "description": text.clean(row.get("description"), "description", 2000, multiline=True),
                "base_quantity": _base_quantity(row.get("base_quantity")),
            }
            row_taxes: set[str] = set()
            for name in (row.get("taxes") or "").split(";"):
                name = name.strip()
                if name:
                    if name not in taxes:
                        raise NotFound(f"no tax {name!r}{text.did_you_mean(name, taxes)}")
                    if name in row_taxes:
                        raise Invalid(f"the tax {name!r} is named twice")
                    row_taxes.add(name)
                    tax_links.append((sku, taxes[name]))
        except (Invalid, Conflict, NotFound) as err:
            raise type(err)(f"{source}: line {line}: {err.message}") from None
        if sku in existing:
            kept = {"sku"} | {k for k in values if _column_of(k) in present}
            updates.append({"b_id": existing[sku], **{k: v for k, v in values.items() if k in kept}})
        else:
            products.append(values)
    _write(session, products, updates, tax_links, "taxes" in present)
    return ImportResult(len(products) + len(updates))


def _column_of(key: str) -> str:
    return {"unit_price": "price", "unit_code": "unit", "vendor_id": "vendor"}.get(key, key)


def _write(session: Session, products: list[dict], updates: list[dict], tax_links: list[tuple[str, int]], taxes_given: bool) -> None:
    if products:
        session.execute(sa.insert(m.Product), products)
    by_shape: dict[tuple, list[dict]] = {}
    for u in updates:
        by_shape.setdefault(tuple(sorted(u)), []).append(u)
    table = m.Product.__table__
    for shape, batch in by_shape.items():
        cols = {k: sa.bindparam(f"v_{k}") for k in shape if k not in ("b_id", "sku")}
        if cols:
            params = [{"b_id": u["b_id"], **{f"v_{k}": u[k] for k in cols}} for u in batch]
            session.connection().execute(table.update().where(table.c.id == sa.bindparam("b_id")).values(cols), params)
    ids = dict(session.execute(sa.select(m.Product.sku, m.Product.id)).all()) if (tax_links or updates) else {}
    if taxes_given and updates:
        session.execute(sa.delete(m.ProductTax).where(m.ProductTax.product_id.in_([u["b_id"] for u in updates])))
    if tax_links:
        session.execute(sa.insert(m.ProductTax), [{"product_id": ids[s], "tax_id": t} for s, t in tax_links])
    session.expire_all()
