"""orders order send | quote send | invoice send | credit send: a document mailed with its PDF attached.

Plain functions, mounted as ``send`` sub-commands of their groups in app.py.
"""

from pathlib import Path
from typing import Annotated, Optional

import typer

from orders_cli.cli.common import Json

To = Annotated[Optional[list[str]], typer.Option("--to", metavar="EMAIL", help="Recipient (repeat for several; default: the account's e-mail)")]
Cc = Annotated[Optional[list[str]], typer.Option("--cc", metavar="EMAIL", help="Copy to (repeat for several)")]
Subject = Annotated[Optional[str], typer.Option("--subject", help="Subject line (default: from the e-mail template)")]
Message = Annotated[Optional[str], typer.Option("--message", help="Body text (default: from the e-mail template)")]
Eml = Annotated[Optional[Path], typer.Option("--eml", metavar="FILE", help="Write the message to FILE (.eml) instead of sending it")]
Plain = Annotated[bool, typer.Option("--plain", help="Attach a plain PDF, not the Factur-X e-invoice (default: the invoice.format setting)")]


def _send(kind: str, ref: str, to, cc, subject, message, eml, json_: bool, plain: bool = False) -> None:
    from orders_cli.cli import output
    from orders_cli.cli.common import context
    from orders_cli.sending import outbox

    result = outbox.send_document(context(), kind, ref, list(to or []), list(cc or []), subject, message, eml, plain)
    if kind == "invoice":
        from orders_cli.cli.config import seller_warning

        warning = seller_warning()
        if warning:
            output.note(warning)
    if json_:
        output.record(result, output.JSON)
    elif result.sent:
        output.note(f"{result.number} mailed to {', '.join(result.to + result.cc)}" + (f" (now {result.status})" if kind == "quote" else ""))
    else:
        output.note(f"{result.number}: message written to {result.eml} (not sent)")


def order_send(order: Annotated[str, typer.Argument(help="Order number or id")], to: To = None, cc: Cc = None, subject: Subject = None,
               message: Message = None, eml: Eml = None, json_: Json = False) -> None:
    """Mail an order with its PDF attached, through the smtp.* settings; logged on the order as an activity.

    The password comes from ORDERS_SMTP_PASSWORD only. Subject and body come from the
    e-mail template of the order's language unless given.

    Example: orders order send SO-00001 --to buyer@example.com --cc boss@example.com
    """
    _send("order", order, to, cc, subject, message, eml, json_)


def quote_send(quote: Annotated[str, typer.Argument(help="Quote number or id")], to: To = None, cc: Cc = None, subject: Subject = None,
               message: Message = None, eml: Eml = None, json_: Json = False) -> None:
    """Mail a quote with its PDF attached; logged in the quote's history, and a created or expired quote becomes sent.

    A rejected or cancelled quote is refused, and so is one past its valid-until date (give it
    a new one first: quote edit --valid-until). --eml FILE writes the message instead (nothing logged).

    Example: orders quote send QT-00001 --to buyer@example.com
    """
    _send("quote", quote, to, cc, subject, message, eml, json_)


def invoice_send(invoice: Annotated[str, typer.Argument(help="Invoice number or id")], to: To = None, cc: Cc = None, subject: Subject = None,
                 message: Message = None, eml: Eml = None, json_: Json = False, plain: Plain = False) -> None:
    """Mail an invoice with its PDF attached (a Factur-X e-invoice by default); logged as an activity, and the invoice becomes sent.

    A cancelled invoice is refused. --eml FILE writes the message instead (nothing logged).
    If the connection dies after the server got the message, before it confirmed, the error
    says it may have been delivered (nothing is logged): check before sending it again.

    Example: orders invoice send INV-00001 --to accounts@example.com
    """
    _send("invoice", invoice, to, cc, subject, message, eml, json_, plain)


def credit_send(credit: Annotated[str, typer.Argument(help="Credit note number or id")], to: To = None, cc: Cc = None, subject: Subject = None,
                message: Message = None, eml: Eml = None, json_: Json = False, plain: Plain = False) -> None:
    """Mail a credit note with its PDF attached (a Factur-X e-invoice by default); logged as an activity on its invoice.

    Example: orders credit send CN-00001 --to accounts@example.com
    """
    _send("credit", credit, to, cc, subject, message, eml, json_, plain)
