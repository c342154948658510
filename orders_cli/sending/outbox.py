"""Use cases that mail documents: ``order send``, ``invoice send`` and ``recur run --send``.

Order of work for one mail: read the document (read transaction), check the SMTP
settings, draw the PDF, build the message, send it, then record it in one write
transaction: an ``email`` activity on the order (and the invoice), and for an invoice
not yet sent, the status ``sent``. A mail that could not be sent records nothing.

``recur run --send`` claims each invoice in ``send_log`` before mailing it:

- the billing transaction that makes a recurring invoice also inserts its
  ``send_log`` row as ``pending`` (so a run killed after billing still mails it next time);
- a sender takes a row by ``UPDATE ... SET status='sending' WHERE status='pending'``; only
  the run whose update changed the row mails it, so overlapping runs never mail twice;
- after the SMTP server took it the row becomes ``sent``; if the server refused or could
  not be reached it goes back to ``pending`` for the next run. A run killed while
  sending leaves ``sending``: never retried automatically (at most once), and listed by
  ``recur run`` as needing a look.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa

from orders_cli.store import schema as m
from orders_cli import store
from orders_cli.core.errors import Invalid

def _load(kind: str, ref: str) -> tuple[dict, dict[str, Any]]:
    """The document's view and what recording a mail needs (ids, the account's e-mail)."""
    from orders_cli.invoicing import invoices as billing
    from orders_cli.core.results import to_data
    from orders_cli.sales import views as sales

    with store.transaction(write=False) as s:
        if kind == "order":
            row = sales.get(s, sales.ORDER, ref)
            doc = to_data(sales.view(s, sales.ORDER, row))
            ids = {"order_id": row.id, "invoice_id": None}
        else:
            row = billing.get_invoice(s, ref)
            if row.status == "cancelled":
                raise Invalid(f"{row.number} is cancelled: a cancelled invoice is not sent")
            doc = billing.invoice_view(s, row)
            ids = {"order_id": row.order_id, "invoice_id": row.id}
        account = s.get(m.Account, row.account_id)
        ids["account_email"] = account.email if account else None
    return doc, ids


def send_document(kind: str, ref: str, to: list[str], cc: list[str], subject: str | None, message: str | None,
                  eml: Path | None = None) -> dict:
    """Mail one order or invoice with its PDF (or write the message to ``eml``)."""
    from orders_cli.adapters import settings as config
    from orders_cli.adapters import mail
    from orders_cli.adapters import pdf

    settings = config.current()
    doc, ids = _load(kind, ref)
    if not to:
        if not ids["account_email"]:
            raise Invalid(f"{doc['account']['name']} has no e-mail address: give --to EMAIL")
        to = [ids["account_email"]]
    cfg = None if eml is not None else mail.smtp_config(settings)
    sender = cfg.sender if cfg else mail.check_address(str(settings.get("smtp.sender") or settings.get("company.email") or "orders@localhost.localdomain"), "smtp.sender")
    msg = mail.compose(kind, doc, settings, sender=sender, to=to, cc=cc, subject=subject, message=message,
                       pdf_bytes=pdf.render(kind, doc, settings), filename=pdf.default_filename(doc))
    result = {"kind": kind, "number": doc["number"], "to": list(to), "cc": list(cc), "subject": str(msg["Subject"]),
              "message_id": str(msg["Message-ID"]), "attachment": pdf.default_filename(doc)}
    if eml is not None:
        mail.write_eml(msg, eml)
        return {**result, "sent": False, "eml": str(eml)}
    with mail.Mailer(cfg) as mailer:
        mailer.send(msg)
    with store.transaction() as s:
        result["activity"] = _record(s, ids["order_id"], ids["invoice_id"], msg)
        if ids["invoice_id"] is not None:
            result["status"] = _mark_sent(s, ids["invoice_id"])
    return {**result, "sent": True}


def _record(s, order_id: int | None, invoice_id: int | None, msg) -> int:
    """The ``email`` activity of a sent message; returns its id."""
    from orders_cli.adapters import mail

    to = ", ".join(mail.recipients(msg))
    note = f"To: {to}\nMessage-ID: {msg['Message-ID']}"
    res = s.execute(sa.insert(m.Activity.__table__).values(
        order_id=order_id, invoice_id=invoice_id, type="email", subject=f"E-mail sent: {msg['Subject']}"[:500],
        note=note, done=True, created_at=m.utcnow()))
    return int(res.inserted_primary_key[0])


def _mark_sent(s, invoice_id: int) -> str:
    inv = s.get(m.Invoice, invoice_id)
    if inv.status in ("created", "auto_created", "approved"):
        s.add(m.StatusChange(doc_type="invoice", doc_id=inv.id, old_status=inv.status, new_status="sent"))
        inv.status = "sent"
        s.add(inv)
        s.flush()
    return inv.status


# ---------------------------------------------------------------- recur run --send


def check_ready(settings) -> None:
    """Before billing with --send: refuse up front when mail cannot possibly go out."""
    from orders_cli.adapters import mail

    mail.smtp_config(settings)


def send_pending(settings, progress: Callable[[int, int], None] | None = None) -> dict:
    """Mail every ``pending`` invoice of the send log, each claimed first.

    Returns what was sent, what failed (a message that cannot be built is marked
    ``failed`` and not retried; an SMTP failure puts the row back to ``pending`` and stops
    the batch), how many stay pending, and what an earlier killed run left ``sending``."""
    from orders_cli.adapters import mail

    cfg = mail.smtp_config(settings)
    log = m.SendLog.__table__
    with store.transaction(write=False) as s:
        pending = s.execute(sa.select(log.c.id, log.c.invoice_id, log.c.recipient).where(log.c.status == "pending").order_by(log.c.id)).all()
    sent: list[dict] = []
    failed: list[dict] = []
    error: str | None = None
    with mail.Mailer(cfg) as mailer:
        for i, row in enumerate(pending, start=1):
            if error is None and _claim(log, row.id):
                outcome = _send_claimed(settings, cfg, mailer, log, row)
                (sent if "error" not in outcome else failed).append(outcome)
                if outcome.get("stop"):
                    error = outcome.pop("stop")
            if progress:
                progress(i, len(pending))
    with store.transaction(write=False) as s:
        left = s.execute(sa.select(sa.func.count()).select_from(log).where(log.c.status == "pending")).scalar_one()
        stuck = s.execute(sa.select(m.Invoice.number).join(log, log.c.invoice_id == m.Invoice.id)
                          .where(log.c.status == "sending").order_by(m.Invoice.number)).scalars().all()
    return {"sent": sent, "failed": failed, "pending": int(left), "stuck": list(stuck), "error": error}


def _claim(log, row_id: int) -> bool:
    """Take a pending row for this run; False when another run took it first."""
    with store.transaction() as s:
        return s.execute(sa.update(log).where(log.c.id == row_id, log.c.status == "pending").values(status="sending", at=m.utcnow())).rowcount == 1


def _send_claimed(settings, cfg, mailer, log, row) -> dict:
    from orders_cli.invoicing import invoices as billing
    from orders_cli.adapters import mail
    from orders_cli.adapters import pdf
    from orders_cli.core.errors import OrdersError

    number = str(row.invoice_id)
    try:
        with store.transaction(write=False) as s:
            inv = s.get(m.Invoice, row.invoice_id)
            number, order_id = inv.number, inv.order_id
            doc = billing.invoice_view(s, inv)
        msg = mail.compose("invoice", doc, settings, sender=cfg.sender, to=[row.recipient],
                           pdf_bytes=pdf.render("invoice", doc, settings), filename=pdf.default_filename(doc))
        mailer.send(msg)
    except mail.MailError as exc:
        with store.transaction() as s:
            s.execute(sa.update(log).where(log.c.id == row.id).values(status="pending", at=m.utcnow()))
        return {"invoice": number, "to": row.recipient, "error": exc.message, "stop": exc.message}
    except OrdersError as exc:
        with store.transaction() as s:
            s.execute(sa.update(log).where(log.c.id == row.id).values(status="failed", at=m.utcnow()))
        return {"invoice": number, "to": row.recipient, "error": exc.message}
    with store.transaction() as s:
        s.execute(sa.update(log).where(log.c.id == row.id).values(status="sent", at=m.utcnow()))
        _record(s, order_id, row.invoice_id, msg)
        _mark_sent(s, row.invoice_id)
    return {"invoice": number, "to": row.recipient}
