"""The books' entries as text, line by line as they come (constant memory): the French FEC,
hledger and beancount journals, and CSV.

**FEC** (Fichier des Écritures Comptables, LPF art. L47 A-I; the format is A47 A-1 as amended
by the arrêté of 29 July 2013, sections VI to XII; BOI-CF-IOR-60-40-20): a flat file of records
separated by a line end (VI 1° a), its fields "obligatoirement séparées par une tabulation ou le
caractère |" (VI 1° c): the tab here, so no field may hold a tab or a line break, and stored
text is cleaned (``ledger.field_text``: every control character becomes a space). The first line
names the fields (VII 4°): the 18 of VII 1°, in that order. Entries are in the chronological
order of validation, numbered "sur une séquence continue" (VII 1°, field 3). Numbers have a
comma decimal and no thousands separator (XII 2°), dates are ``AAAAMMJJ`` (XII 4°); debit and
credit in two fields, never negative. The character set is ASCII, ISO 8859-15 or UTF-8 (XII 1°):
UTF-8 by default (no name loses a letter), ``--encoding iso-8859-15`` for a tool that wants it
(a character Latin-9 lacks loses its accent or becomes ``?``: ``ledger.latin9``). The file is
named ``SirenFECAAAAMMJJ``, the date that of the closing of the year (IX): the span's last day.
Montantdevise and Idevise are empty for EUR; a document in another currency gives its amount and
ISO 4217 code.

**hledger**: accounts are the PCG numbers (``707000``), a customer's is ``411000:C00012`` (its
auxiliary account under the collective one), each declared once (``account ...  ; label``)
before first use, like the commodity, so ``hledger check --strict`` passes; debits positive.
**beancount** (v2 and v3 rules): an account is ``Type:Component...``, each component starting
with a capital letter or a digit: ``Assets:411000:C00012``, ``Income:707000``,
``Liabilities:445710``, the type from the PCG class; ``open`` (and ``commodity``) dated at
first use. **CSV**: one row per posting, plain English headers, ISO dates, dot decimals, text
that a spreadsheet would run as a formula made inert (``ledger.spreadsheet_cell``).
"""

from __future__ import annotations

import csv
import io
from typing import Iterable, Iterator

from orders_cli.core import ledger

FEC_COLUMNS = ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum", "CompAuxLib",
               "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise")
CSV_COLUMNS = ("journal", "journal_name", "entry", "date", "account", "account_name", "customer_account", "customer_name", "document",
               "document_date", "label", "debit", "credit", "letter", "letter_date", "validated", "currency_amount", "currency")
HOME = "EUR"


def _rows(entries: Iterable[ledger.Entry], chart: ledger.Chart) -> Iterator[tuple[int, ledger.Entry, ledger.Posting, str]]:
    """(entry number from 1, entry, posting, account label) for every posting."""
    for n, entry in enumerate(entries, 1):
        for p in entry.postings:
            yield n, entry, p, chart.label(p.account)


def fec_lines(entries: Iterable[ledger.Entry], chart: ledger.Chart, latin9: bool = False) -> Iterator[str]:
    """The FEC, a header record then one record per posting, each ending in ``\\n``."""
    t = ledger.latin9 if latin9 else (lambda s: s)
    yield "\t".join(FEC_COLUMNS) + "\n"
    for n, e, p, label in _rows(entries, chart):
        foreign = e.currency != HOME
        fields = (
            e.journal, e.journal_label, str(n), ledger.fec_date(e.day), p.account, label, p.aux, ledger.field_text(p.aux_label, 100),
            ledger.field_text(e.ref, 40), ledger.fec_date(e.ref_day), ledger.field_text(p.label), ledger.fec_amount(p.debit),
            ledger.fec_amount(p.credit), p.letter, ledger.fec_date(p.letter_date), ledger.fec_date(e.day),
            ledger.fec_amount(p.debit or p.credit) if foreign else "", e.currency if foreign else "",
        )
        yield t("\t".join(fields)) + "\n"


def csv_lines(entries: Iterable[ledger.Entry], chart: ledger.Chart) -> Iterator[str]:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")

    def line(row) -> str:
        buf.seek(0)
        buf.truncate()
        out.writerow(row)
        return buf.getvalue()

    yield line(CSV_COLUMNS)
    for n, e, p, label in _rows(entries, chart):
        cell = ledger.spreadsheet_cell
        yield line((
            e.journal, e.journal_label, n, e.day.isoformat(), p.account, label, p.aux, cell(ledger.field_text(p.aux_label, 100)),
            cell(ledger.field_text(e.ref, 40)), e.ref_day.isoformat(), cell(ledger.field_text(p.label)), f"{p.debit:.2f}", f"{p.credit:.2f}",
            p.letter, p.letter_date.isoformat() if p.letter_date else "", e.day.isoformat(), f"{p.debit or p.credit:.2f}", e.currency,
        ))


def _hledger_text(value: str) -> str:
    """Description text: one line, no ``;`` (it would start a comment)."""
    return ledger.field_text(value).replace(";", ",")


def _first_uses(e: ledger.Entry, declared: set[str], account_name, chart: ledger.Chart) -> tuple[bool, list[tuple[str, str]]]:
    """What entry ``e`` uses for the first time (a journal declares each before its first use):
    whether its currency is new, and the (name, label) of each new account; ``declared`` grows."""
    new_currency = e.currency not in declared
    declared.add(e.currency)
    accounts = []
    for p in e.postings:
        name = account_name(p)
        if name not in declared:
            declared.add(name)
            accounts.append((name, p.aux_label if p.aux else chart.label(p.account)))
    return new_currency, accounts


def hledger_lines(entries: Iterable[ledger.Entry], chart: ledger.Chart, title: str = "") -> Iterator[str]:
    yield f"; {_hledger_text(title)}\n\n" if title else ""
    declared: set[str] = set()
    for e in entries:
        new_currency, accounts = _first_uses(e, declared, _hledger_account, chart)
        head = [f"commodity 1000.00 {e.currency}\n"] if new_currency else []
        head += [f"account {name}  ; {_hledger_text(label)}\n" for name, label in accounts]
        code = ledger.field_text(e.ref, 40).replace(")", "]").replace("(", "[")
        party = _hledger_text(e.party).replace("|", "/")
        text = [f"{e.day.isoformat()} * ({code}) {party} | {_hledger_text(e.label)}\n"]
        for p in e.postings:
            tag = f"  ; let:{p.letter}, datelet:{p.letter_date.isoformat()}" if p.letter and p.letter_date else ""
            text.append(f"    {_hledger_account(p)}  {p.signed:.2f} {e.currency}{tag}\n")
        yield ("\n" if head else "") + "".join(head) + "\n" + "".join(text)


def _hledger_account(p: ledger.Posting) -> str:
    return f"{p.account}:{p.aux}" if p.aux else p.account


def beancount_type(account: str) -> str:
    """The beancount root of a PCG account: class 6 Expenses, 7 Income, 1 Equity; in class 4
    what is owed to the business (41 but 419 advances received, 4456 VAT deductible, 409) is
    Assets, the rest Liabilities; classes 2, 3, 5 Assets."""
    if account.startswith("7"):
        return "Income"
    if account.startswith("6"):
        return "Expenses"
    if account.startswith("1"):
        return "Equity"
    if account.startswith("4"):
        if account.startswith("419"):
            return "Liabilities"
        return "Assets" if account.startswith(("41", "4456", "409")) else "Liabilities"
    return "Assets"


def _bean_account(p: ledger.Posting) -> str:
    name = f"{beancount_type(p.account)}:{p.account}"
    return f"{name}:{p.aux.upper()}" if p.aux else name


def _bean_string(value: str) -> str:
    return '"' + ledger.field_text(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def beancount_lines(entries: Iterable[ledger.Entry], chart: ledger.Chart, title: str = "") -> Iterator[str]:
    yield (f"; {ledger.field_text(title)}\n" if title else "") + f'option "title" {_bean_string(title or "orders")}\n'
    declared: set[str] = set()
    for e in entries:
        day = e.day.isoformat()
        new_currency, accounts = _first_uses(e, declared, _bean_account, chart)
        head = [f"{day} commodity {e.currency}\n"] if new_currency else []
        head += [f"{day} open {name}\n  name: {_bean_string(label)}\n" for name, label in accounts]
        text = [f"{day} * {_bean_string(e.party)} {_bean_string(e.label)}\n  document: {_bean_string(e.ref)}\n"]
        for p in e.postings:
            text.append(f"  {_bean_account(p)}  {p.signed:.2f} {e.currency}\n")
            if p.letter and p.letter_date:
                text.append(f'    letter: "{p.letter}"\n    letter_date: {p.letter_date.isoformat()}\n')
        yield ("\n" if head else "") + "".join(head) + "\n" + "".join(text)


WRITERS = {"hledger": hledger_lines, "beancount": beancount_lines}
