"""The people's views of an order (or quote) and of an invoice, and the columns of ``order
list``: what ``show`` and ``list`` print without ``--json``, through output.py. Without Typer,
so that the read path (cli/fast.py) prints them too before the command modules load.
"""

from __future__ import annotations

LIST_COLUMNS = [
    ("number", "Number"),
    ("order_date", "Date"),
    ("account.name", "Account"),
    ("subject", "Subject"),
    ("status", "Status"),
    ("finalized", "Final"),
    ("total", "Total"),
]
LIST_EMPTY = "no orders (create one: orders order add --help)"


def human_doc(doc: dict) -> None:
    """The people's view of an order or quote: header, lines, totals, progress, relations."""
    from orders_cli.cli import output

    date_key = "order_date" if "order_date" in doc else "quote_date"
    head = {
        "number": doc["number"],
        "subject": doc["subject"],
        "status": doc["status"] + (" (finalized)" if doc.get("finalized") else ""),
        "date": doc[date_key],
        "valid until": doc.get("valid_until"),
        "account": doc["account"]["name"],
        "contact": (doc.get("contact") or {}).get("name"),
        "quote": doc.get("quote"),
        "customer ref": doc.get("customer_ref"),
        "assigned to": (doc.get("assigned_to") or {}).get("name"),
        "billing": ", ".join(v for v in doc["billing_address"].values() if v),
        "shipping": ", ".join(v for v in doc["shipping_address"].values() if v),
    }
    output.kv({k: v for k, v in head.items() if v not in (None, "")}, title=f"{doc['number']}  {doc['subject']}")
    cols = [("line_no", "#"), ("sku", "SKU"), ("description", "Description"), ("quantity", "Qty"), ("unit_price", "Unit price"), ("discount", "Disc."), ("net", "Net")]
    if "delivered_quantity" in (doc["lines"][0] if doc["lines"] else {}):
        cols += [("delivered_quantity", "Delivered"), ("invoiced_quantity", "Invoiced")]
    output.rows(doc["lines"], output.TABLE, cols, empty="no lines yet: orders order line add ...")
    output.totals(doc["totals"], doc["currency"], doc.get("discount"))
    if "progress" in doc:  # the view's lines go to stdout with the rest of it (| less keeps them)
        p = doc["progress"]
        output.say(f"delivered {p['delivered_percent']} %, invoiced {p['invoiced_percent']} % ({p['invoiced_amount']} {doc['currency']})")
    if "open_balance" in doc:
        output.say(f"open balance {doc['open_balance']} {doc['currency']}")
    rel = doc.get("related") or {}
    for key, label in (("invoices", "invoices"), ("deliveries", "delivery notes"), ("purchase_orders", "purchase orders"), ("orders", "orders")):
        items = rel.get(key) or []
        if items:
            output.say(f"{label}: " + ", ".join(i["number"] for i in items))
    if rel.get("documents"):
        output.rows(rel["documents"], output.TABLE, [("id", "Id"), ("filename", "File"), ("content_type", "Type"), ("size", "Size")], title="Documents")
    if rel.get("activities"):
        output.rows(rel["activities"], output.TABLE, [("id", "Id"), ("type", "Type"), ("subject", "Subject"), ("due", "Due"), ("done", "Done"), ("invoice", "Invoice")],
                    title="Activities")
    if doc.get("recurrence"):
        r = doc["recurrence"]
        output.say(f"recurring: {r['frequency']} from {r['start']}" + (" (off)" if not r["enabled"] else ""))


def human_invoice(doc: dict) -> None:
    from orders_cli.cli import output

    head = {
        "number": doc["number"], "order": doc["order"], "account": doc["account"]["name"], "subject": doc["subject"],
        "status": doc["status"], "invoice date": doc["invoice_date"], "due date": doc["due_date"],
    }
    if doc.get("period_start"):
        head["period"] = f"{doc['period_start']} to {doc['period_end']}"
    if doc.get("credit_notes"):
        head["credit notes"] = ", ".join(doc["credit_notes"])
    title = "Deposit invoice" if doc.get("kind") == "deposit" else "Invoice"
    output.kv({k: v for k, v in head.items() if v}, title=f"{title} {doc['number']}")
    output.rows(doc["lines"], output.TABLE, [("line_no", "Order line"), ("sku", "SKU"), ("description", "Description"), ("quantity", "Qty"),
                                              ("unit_price", "Unit price"), ("discount", "Disc."), ("net", "Net")])
    output.totals(doc["totals"], doc["currency"])
    standing = {"paid": doc["paid"]}
    if doc["credited"] != "0.00":
        standing["credited"] = doc["credited"]
    standing["balance"] = f"{doc['balance']} {doc['currency']}"
    standing["payment state"] = doc["payment_state"].replace("_", " ")
    output.kv(standing)
