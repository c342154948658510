"""The reminder run cron calls every day (``remind run``): for each invoice with an open
balance, the highest reminder level its days late have reached, once.

Levels: ``reminders.days`` (default ``[7, 15, 30]``): level 1 is due 7 days after the due
date, level 2 after 15, level 3 after 30. An invoice gets a level only if no level as high
was recorded for it: after a gap (cron down), only the highest level reached is recorded,
the ones skipped are not sent late, and a level is never lower than one already sent.

Which invoices: a balance above zero (total - credit notes - payments recorded, whatever
their date: money already received is never asked for again), a due date, not ``paid``.
A fully credited or paid invoice, or one cancelled before credit notes existed, has no
balance and is never reminded; recurring or not makes no difference.

Safety: each reminder is claimed in its own write transaction that re-reads the invoice,
its balance and its reminders, then inserts the (invoice, level) row a unique key guards
(``ON CONFLICT DO NOTHING``). Two runs at once, or a run started again, record and mail each
level at most once. With ``--send`` the row is ``claimed`` before the mail goes, then
``sent`` (with an ``email`` activity on the invoice), ``failed`` (certainly not delivered: no
address, a refusal, no server; the next ``--send`` run tries again while it is still the
invoice's highest level and a balance is open), or ``uncertain`` (the connection died after
the message went out: never mailed again without ``--retry-uncertain``). A run killed while
mailing leaves ``claimed``: never retried, listed by every ``--send`` run. Without
``--send`` rows are ``recorded`` (a person handles them) and are never mailed later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable

import sqlalchemy as sa

from orders_cli import store
from orders_cli.core import receivable
from orders_cli.core.context import Context
from orders_cli.core.errors import MailError, OrdersError
from orders_cli.core.money import Money, fmt_money, from_cents
from orders_cli.core.results import to_data
from orders_cli.reminding.results import (
    Pending,
    ReminderDue,
    ReminderFailed,
    RemindResult,
)
from orders_cli.store import receivables as rv
from orders_cli.store import schema as m

RETRYABLE = ("failed",)


def levels(settings) -> list[int]:
    """The ``reminders.days`` setting: days after the due date of each level (1, 2, ...)."""
    return list(settings.get("reminders.days"))


def level_reached(days: list[int], days_late: int) -> int:
    """The highest level (1-based) whose days ``days_late`` has reached; 0 for none."""
    return sum(1 for d in days if d <= days_late)


@dataclass
class _Candidate:
    invoice_id: int
    number: str
    account: str
    due_date: date
    currency: str
    highest: int  # the highest level recorded (0: none)
    highest_status: str | None
    highest_id: int | None


def _candidates(s, days: list[int], as_of: date) -> list[_Candidate]:
    """Invoices that may owe a reminder on ``as_of``: due at least ``days[0]`` days ago, not
    paid, with a balance (set-wise: one query for the invoices and their sums, one for the
    reminders recorded)."""
    from orders_cli.invoicing import balances

    inv, a, r = m.Invoice.__table__, m.Account.__table__, rv.Reminder.__table__
    sums = balances.sums_query()
    late = (inv.c.due_date.is_not(None), inv.c.due_date <= as_of - timedelta(days=days[0]), inv.c.status != "paid", inv.c.total > 0)
    q = (
        sa.select(inv.c.id, inv.c.number, inv.c.status, inv.c.due_date, inv.c.total, inv.c.currency, a.c.name,
                  sums.c.credited, sums.c.notes, sums.c.paid)
        .join(a, a.c.id == inv.c.account_id)
        .join(sums, sums.c.invoice_id == inv.c.id)
        .where(*late)
        .order_by(inv.c.due_date, inv.c.id)
    )
    rows = s.execute(q).all()
    highest: dict[int, tuple[int, str, int]] = {}
    recorded = sa.select(r.c.invoice_id, r.c.level, r.c.status, r.c.id).where(r.c.invoice_id.in_(sa.select(inv.c.id).where(*late)))
    for inv_id, level, status, row_id in s.execute(recorded.order_by(r.c.invoice_id, r.c.level)):
        highest[inv_id] = (level, status, row_id)
    out = []
    for row in rows:
        st = receivable.standing(row.total, from_cents(row.credited or 0), from_cents(row.paid or 0), row.due_date, as_of, row.status, (row.notes or 0) > 0)
        if st.balance <= 0:
            continue
        level, status, row_id = highest.get(row.id, (0, None, None))
        out.append(_Candidate(row.id, row.number, row.name, row.due_date, row.currency, level, status, row_id))
    return out


def _plan(c: _Candidate, days: list[int], as_of: date, send: bool, retry: tuple[str, ...]) -> tuple[int, bool] | None:
    """(level, is a retry) this run owes the invoice, or None."""
    reached = level_reached(days, (as_of - c.due_date).days)
    if reached > c.highest:
        return reached, False
    if send and c.highest and c.highest_status in retry and reached >= c.highest:
        return c.highest, True
    return None


def run(ctx: Context, dry_run: bool = False, send: bool = False, retry_uncertain: bool = False,
        progress: Callable[[int, int], None] | None = None) -> RemindResult:
    """Record (and with ``send`` mail) every reminder level due on ``ctx.today``; each in its
    own transactions. One invoice's failure does not stop the others; an SMTP failure stops
    the mailing (what is left is done by the next run)."""
    from orders_cli.adapters import mail

    settings = ctx.settings
    days = levels(settings)
    as_of = ctx.today
    result = RemindResult(as_of, dry_run, send, days)
    retry = RETRYABLE + (("uncertain",) if retry_uncertain else ())
    with store.transaction(write=False) as s:
        candidates = _candidates(s, days, as_of)
    plans = [(c, p) for c in candidates if (p := _plan(c, days, as_of, send, retry)) is not None]
    cfg = mail.smtp_config(settings) if send and not dry_run else None
    stopped = False
    with mail.Mailer(cfg) if cfg else _NoMailer() as mailer:
        for i, (c, (level, is_retry)) in enumerate(plans, start=1):
            if stopped:
                result.left += 1
            else:
                try:
                    stopped = _one(ctx, c, level, is_retry, dry_run, send, retry, cfg, mailer, result)
                except OrdersError as err:
                    result.failed.append(ReminderFailed(c.number, err.message, level))
                except Exception as err:  # one invoice's surprise must not stop the others
                    if isinstance(err, (KeyboardInterrupt, SystemExit)):
                        raise
                    result.failed.append(ReminderFailed(c.number, f"{type(err).__name__}: {err}", level))
            if progress:
                progress(i, len(plans))
    if send and not dry_run:
        _left_over(result)
    return result


class _NoMailer:
    def __enter__(self):
        return None

    def __exit__(self, *exc) -> None:
        return None


def _one(ctx: Context, c: _Candidate, level: int, is_retry: bool, dry_run: bool, send: bool, retry: tuple[str, ...], cfg,
         mailer, result: RemindResult) -> bool:
    """One invoice: claim its level, then (with ``send``) mail it. True when an SMTP failure
    must stop the mailing."""
    if dry_run:
        with store.transaction(write=False) as s:
            due = _fresh(s, c.invoice_id, level, is_retry, retry, ctx.today, claim=False)
        if due is not None:
            due.status = "planned"
            result.reminders.append(due)
        return False
    with store.transaction() as s:
        due = _fresh(s, c.invoice_id, level, is_retry, retry, ctx.today, claim=True, send=send)
    if due is None:
        return False  # paid, credited, or taken by another run since the list was read
    result.reminders.append(due)
    if not send:
        return False
    return _mail(ctx, due, cfg, mailer, result)


def _fresh(s, invoice_id: int, level: int, is_retry: bool, retry: tuple[str, ...], as_of: date, claim: bool,
           send: bool = False) -> ReminderDue | None:
    """Inside the claiming transaction: the invoice, its balance and reminders as they are now;
    with ``claim``, the level's row inserted (or, for a retry, taken back from failed)."""
    from orders_cli.invoicing import balances

    r = rv.Reminder.__table__
    inv = s.get(m.Invoice, invoice_id)
    if inv is None or inv.status == "paid" or inv.due_date is None:
        return None
    st = balances.standing_of(s, inv, as_of)
    if st.balance <= 0:
        return None
    account = s.get(m.Account, inv.account_id)
    recorded = s.execute(sa.select(r.c.id, r.c.level, r.c.status).where(r.c.invoice_id == invoice_id).order_by(r.c.level.desc()).limit(1)).first()
    days_late = (as_of - inv.due_date).days
    due = ReminderDue(inv.number, account.name, level, inv.due_date, days_late, Money(st.balance), inv.currency, "recorded",
                      invoice_id=inv.id)
    if is_retry:
        if recorded is None or recorded.level != level or recorded.status not in retry:
            return None
        due.retry = True
        due.row_id = recorded.id
        if claim and s.execute(sa.update(r).where(r.c.id == recorded.id, r.c.status == recorded.status)
                               .values(status="claimed", recipient=account.email or "", at=m.utcnow())).rowcount != 1:
            return None
    else:
        if recorded is not None and recorded.level >= level:
            return None
        if claim:
            due.row_id = _insert(s, {"invoice_id": inv.id, "level": level, "reminder_date": as_of, "balance": st.balance,
                                     "recipient": account.email or "", "status": "claimed" if send else "recorded", "at": m.utcnow()})
            if due.row_id is None:
                return None  # another run recorded this level first
    if send:
        due.to = account.email or ""
        due.status = "claimed"
    return due


def _insert(s, row: dict) -> int | None:
    """The reminder row, or None when the (invoice, level) key is already taken."""
    table = rv.Reminder.__table__
    if s.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table).values(row).on_conflict_do_nothing(index_elements=["invoice_id", "level"]).returning(table.c.id)
    return s.execute(stmt).scalar()


def _set(row_id: int, status: str) -> None:
    with store.transaction() as s:
        s.execute(sa.update(rv.Reminder.__table__).where(rv.Reminder.__table__.c.id == row_id).values(status=status, at=m.utcnow()))


def _mail(ctx: Context, due: ReminderDue, cfg, mailer, result: RemindResult) -> bool:
    """Mail one claimed reminder and record what happened. True when the SMTP failure must
    stop the mailing."""
    from orders_cli.adapters import mail

    def failed(status: str, error: str, uncertain: bool = False) -> None:
        _set(due.row_id, status)
        due.status = status
        result.failed.append(ReminderFailed(due.invoice, error, due.level, due.to, uncertain))

    if not due.to:
        failed("failed", f"{due.account} has no e-mail address: orders account edit {_quoted(due.account)} --email EMAIL "
                         "(the next remind run --send mails it)")
        return False
    try:
        msg, order_id = _message(ctx, due, cfg.sender)
    except OrdersError as exc:  # this message cannot be built (a template, an address)
        failed("failed", exc.message)
        return False
    except Exception as exc:
        failed("failed", f"{type(exc).__name__}: {exc}")
        return False
    try:
        mailer.send(msg)
    except mail.MailUncertain as exc:
        failed("uncertain", exc.message, uncertain=True)
        return True
    except MailError as exc:
        failed("failed", exc.message)
        return True
    with store.transaction() as s:
        r = rv.Reminder.__table__
        s.execute(sa.update(r).where(r.c.id == due.row_id).values(status="sent", at=m.utcnow()))
        s.execute(sa.insert(m.Activity.__table__).values(
            order_id=order_id, invoice_id=due.invoice_id, type="email",
            subject=f"Reminder {due.level} sent: {msg['Subject']}"[:500],
            note=f"To: {due.to}\nMessage-ID: {msg['Message-ID']}\nBalance: {fmt_money(due.balance)} {due.currency}, {due.days_late} days late",
            done=True, created_at=m.utcnow()))
    due.status = "sent"
    return False


def _quoted(name: str) -> str:
    return name if re.fullmatch(r"[\w.@-]+", name) else '"' + name.replace('"', '\\"') + '"'


def _message(ctx: Context, due: ReminderDue, sender: str) -> tuple[Any, int | None]:
    """The reminder mail (template ``email/reminder[.LANG].txt``, the invoice PDF attached) and the invoice's order id."""
    from orders_cli.adapters import invoice_file, mail, pdf, templating
    from orders_cli.invoicing import invoices as billing

    settings = ctx.settings
    with store.transaction(write=False) as s:
        inv = s.get(m.Invoice, due.invoice_id)
        order_id = inv.order_id
        doc = to_data(billing.invoice_view(s, inv))
    language = doc.get("language") or settings.get("language")
    subject_t, body_t = templating.email_template("reminder", language, settings)
    values: dict[str, Any] = mail.document_values("invoice", doc, settings)
    from orders_cli.adapters.pdf_text import Fmt, late_terms_of, late_terms_text

    labels = templating.labels(language, settings)
    terms = late_terms_of(doc, settings)  # the terms the invoice stated at issue
    rate, indemnity = terms["rate"], terms["indemnity"]
    mention = ""
    if settings.get("reminders.mention"):
        template = labels.get("reminder_mention", "")
        mention = templating.fill(template, late_terms_text(terms, labels, Fmt(None), template))  # as the mail writes its amounts
    values.update(balance=fmt_money(due.balance), days_late=str(due.days_late), level=str(due.level), mention=mention,
                  penalty_rate=rate, indemnity=indemnity)
    body = re.sub(r"\n{3,}", "\n\n", templating.fill(body_t, values))
    msg = mail.compose("invoice", doc, settings, sender=sender, to=[due.to], subject=templating.fill(subject_t, values), message=body,
                       pdf_bytes=invoice_file.render("invoice", doc, settings), filename=pdf.default_filename(doc))
    return msg, order_id


def _left_over(result: RemindResult) -> None:
    """What earlier runs left: ``claimed`` (killed while mailing) and ``uncertain`` rows."""
    r, inv = rv.Reminder.__table__, m.Invoice.__table__
    with store.transaction(write=False) as s:
        for status, into in (("claimed", result.stuck), ("uncertain", result.uncertain)):
            q = sa.select(inv.c.number, r.c.level).join(inv, inv.c.id == r.c.invoice_id).where(r.c.status == status).order_by(inv.c.number, r.c.level)
            into.extend(Pending(number, level) for number, level in s.execute(q))
