"""Use cases that mail documents: ``order send``, ``quote send``, ``invoice send`` and ``recur run --send``.

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
  not be reached (before the message went out) it goes back to ``pending`` for the next run.
- if the connection died after the message went out, before the server's final reply, the
  server may have delivered it: the row becomes ``uncertain``, never retried automatically,
  listed by every ``recur run --send``; ``recur run --send --retry-uncertain`` mails those
  again once a person has checked.
- a run killed while sending leaves ``sending``: never retried automatically (at most
  once), and listed by ``recur run`` as needing a look.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa

from orders_cli import store
from orders_cli.core.context import Context
from orders_cli.core.errors import Invalid, MailError, OrdersError
from orders_cli.core.results import to_data
from orders_cli.recurring import run as recurring_run
from orders_cli.recurring.results import RunResult
from orders_cli.sending.results import DocumentSent, Mailed, MailReport, NotMailed
from orders_cli.store import schema as m

Progress = Callable[[str, int, "int | None"], None]  # (phase: billing | mailing, done, total)


def _load(kind: str, ref: str, today) -> tuple[dict, dict[str, Any]]:
    """The document as plain data (what the PDF and the mail templates read) and what
    recording a mail needs (ids, the account's e-mail)."""
    from orders_cli.invoicing import invoices as billing
    from orders_cli.sales import views as sales

    with store.transaction(write=False) as s:
        if kind == "order":
            row = sales.get(s, sales.ORDER, ref)
            doc = to_data(sales.view(s, sales.ORDER, row, today))
            ids = {"order_id": row.id, "invoice_id": None}
        elif kind == "quote":
            from orders_cli.sales import quotes

            row = sales.get(s, quotes.QUOTE, ref)
            quotes.check_sendable(row, today)
            doc = to_data(sales.view(s, quotes.QUOTE, row, today))
            ids = {"order_id": None, "invoice_id": None, "quote_id": row.id}
        elif kind == "credit":
            from orders_cli.invoicing import credit_views

            row = credit_views.get_credit(s, ref)
            doc = to_data(credit_views.credit_view(s, row))
            ids = {"order_id": row.order_id, "invoice_id": row.invoice_id, "credit": True}
        else:
            row = billing.get_invoice(s, ref)
            if row.status == "cancelled":
                raise Invalid(f"{row.number} is cancelled: a cancelled invoice is not sent")
            doc = to_data(billing.invoice_view(s, row))
            ids = {"order_id": row.order_id, "invoice_id": row.id}
        account = s.get(m.Account, row.account_id)
        ids["account_email"] = account.email if account else None
    return doc, ids


def send_document(ctx: Context, kind: str, ref: str, to: list[str], cc: list[str], subject: str | None, message: str | None,
                  eml: Path | None = None, plain: bool = False) -> DocumentSent:
    """Mail one order, quote, invoice or credit note with its PDF (or write the message to ``eml``); a
    credit note's mail is logged on its invoice, a quote's in its history (and it becomes sent)."""
    from orders_cli.adapters import invoice_file, mail, pdf

    settings = ctx.settings
    doc, ids = _load(kind, ref, ctx.today)
    if not to:
        if not ids["account_email"]:
            raise Invalid(f"{doc['account']['name']} has no e-mail address: give --to EMAIL")
        to = [ids["account_email"]]
    cfg = None if eml is not None else mail.smtp_config(settings)
    sender = cfg.sender if cfg else mail.check_address(str(settings.get("smtp.sender") or settings.get("company.email") or "orders@localhost.localdomain"), "smtp.sender")
    msg = mail.compose(kind, doc, settings, sender=sender, to=to, cc=cc, subject=subject, message=message,
                       pdf_bytes=invoice_file.render(kind, doc, settings, plain), filename=pdf.default_filename(doc))
    result = DocumentSent(kind=kind, number=doc["number"], to=list(to), cc=list(cc), subject=str(msg["Subject"]),
                          message_id=str(msg["Message-ID"]), attachment=pdf.default_filename(doc))
    if eml is not None:
        mail.write_eml(msg, eml)
        result.eml = str(eml)
        return result
    with mail.Mailer(cfg) as mailer:
        mailer.send(msg)
    with store.transaction() as s:
        if ids.get("quote_id") is not None:  # a quote has no activities: the mail goes in its history
            from orders_cli.sales import quotes

            result.status = quotes.record_mail(s, ids["quote_id"], str(msg["Subject"]), ", ".join(mail.recipients(msg)), str(msg["Message-ID"]))
            result.sent = True
            return result
        result.activity = _record(s, ids["order_id"], ids["invoice_id"], msg)
        if ids["invoice_id"] is not None and not ids.get("credit"):
            result.status = _mark_sent(s, ids["invoice_id"])
    result.sent = True
    return result


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
    from orders_cli.adapters import invoice_file, mail
    from orders_cli.adapters.settings import missing_seller_data

    mail.smtp_config(settings)
    if invoice_file.wants_facturx("invoice", settings):  # the seller data every Factur-X invoice needs, before billing
        needed = {"company.name", "company.address", "company.country", "company.siren", "company.vat_id", "company.iban"}
        gaps = [g for g in missing_seller_data(settings) if g["key"] in needed]
        if gaps:
            raise Invalid("--send mails Factur-X invoices, and the seller's " + ", ".join(g["label"] for g in gaps)
                          + (" is " if len(gaps) == 1 else " are ") + "missing or invalid: "
                          + "; ".join(f"orders config set {g['key']} ..." for g in gaps) + f" ({invoice_file.PLAIN_HINT.replace('--plain, or ', '')})")


def recur_run(ctx: Context, dry_run: bool = False, max_periods: int | None = None, send: bool = False,
              progress: Progress | None = None, retry_uncertain: bool = False, allow_future: bool = False,
              clock: date | None = None) -> RunResult:
    """``recur run [--send [--retry-uncertain]]``: bill what is due by ``ctx.today``, then (with
    ``send``, unless a dry run) mail the queue (with ``retry_uncertain``, the ``uncertain``
    rows too). Orders that failed and mails that failed are in the result (``failed``,
    ``mail.failed``); the invoices billed stay billed."""
    billing = (lambda done, total: progress("billing", done, total)) if progress else None
    result = recurring_run.run(ctx, dry_run, max_periods, billing, send=send, allow_future=allow_future, clock=clock)
    if send:
        report = MailReport()
        if not dry_run:
            if progress:
                progress("mailing", 0, None)
            report = send_pending(ctx.settings, (lambda done, total: progress("mailing", done, total)) if progress else None,
                                  retry_uncertain=retry_uncertain)
        report.no_address = list(result.no_address)
        result.mail = report
    return result


def send_pending(settings, progress: Callable[[int, int], None] | None = None, retry_uncertain: bool = False) -> MailReport:
    """Mail every ``pending`` invoice of the send log (with ``retry_uncertain``, every
    ``uncertain`` one too), each claimed first.

    Returns what was sent, what failed (a message that cannot be built is marked
    ``failed`` and not retried; an SMTP failure before the message went out puts the row
    back to ``pending``, one after it marks the row ``uncertain``; either stops the batch),
    how many stay pending, what may have been delivered (``uncertain``) and what an earlier
    killed run left ``sending``."""
    from orders_cli.adapters import mail

    cfg = mail.smtp_config(settings)
    log = m.SendLog.__table__
    statuses = ("pending", "uncertain") if retry_uncertain else ("pending",)
    with store.transaction(write=False) as s:
        pending = s.execute(sa.select(log.c.id, log.c.invoice_id, log.c.recipient, log.c.status)
                            .where(log.c.status.in_(statuses)).order_by(log.c.id)).all()
    report = MailReport()
    with mail.Mailer(cfg) as mailer:
        for i, row in enumerate(pending, start=1):
            if report.error is None and _claim(log, row.id, row.status):
                outcome, stop = _send_claimed(settings, cfg, mailer, log, row)
                (report.sent if isinstance(outcome, Mailed) else report.failed).append(outcome)
                report.error = stop
            if progress:
                progress(i, len(pending))
    with store.transaction(write=False) as s:
        report.pending = int(s.execute(sa.select(sa.func.count()).select_from(log).where(log.c.status == "pending")).scalar_one())
        def numbers(status: str) -> list[str]:
            return list(s.execute(sa.select(m.Invoice.number).join(log, log.c.invoice_id == m.Invoice.id)
                                  .where(log.c.status == status).order_by(m.Invoice.number)).scalars().all())

        report.stuck = numbers("sending")
        report.uncertain = numbers("uncertain")
    return report


def _claim(log, row_id: int, status: str = "pending") -> bool:
    """Take a row still in ``status`` for this run; False when another run took it first."""
    with store.transaction() as s:
        return s.execute(sa.update(log).where(log.c.id == row_id, log.c.status == status).values(status="sending", at=m.utcnow())).rowcount == 1


def _set_status(log, row_id: int, status: str) -> None:
    with store.transaction() as s:
        s.execute(sa.update(log).where(log.c.id == row_id).values(status=status, at=m.utcnow()))


def _send_claimed(settings, cfg, mailer, log, row) -> tuple[Mailed | NotMailed, str | None]:
    """Mail one claimed row: the outcome, and the SMTP error that stops the batch (or None)."""
    from orders_cli.adapters import invoice_file, mail, pdf
    from orders_cli.invoicing import invoices as billing

    number = str(row.invoice_id)
    try:
        with store.transaction(write=False) as s:
            inv = s.get(m.Invoice, row.invoice_id)
            number, order_id = inv.number, inv.order_id
            doc = to_data(billing.invoice_view(s, inv))
        msg = mail.compose("invoice", doc, settings, sender=cfg.sender, to=[row.recipient],
                           pdf_bytes=invoice_file.render("invoice", doc, settings), filename=pdf.default_filename(doc))
        mailer.send(msg)
    except mail.MailUncertain as exc:
        _set_status(log, row.id, "uncertain")  # may have been delivered: never re-sent without --retry-uncertain
        return NotMailed(number, row.recipient, exc.message, uncertain=True), exc.message
    except MailError as exc:
        _set_status(log, row.id, "pending")  # certainly not delivered: the next run tries again
        return NotMailed(number, row.recipient, exc.message), exc.message
    except OrdersError as exc:
        _set_status(log, row.id, "failed")  # this message cannot be built: never retried
        return NotMailed(number, row.recipient, exc.message), None
    with store.transaction() as s:
        s.execute(sa.update(log).where(log.c.id == row.id).values(status="sent", at=m.utcnow()))
        _record(s, order_id, row.invoice_id, msg)
        _mark_sent(s, row.invoice_id)
    return Mailed(number, row.recipient), None
