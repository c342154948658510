"""E-mail: a document's PDF attached to a message built with the standard library.

- ``compose(kind, doc, settings, ...)`` builds an :class:`email.message.EmailMessage`
  from the e-mail template of the document's language (templating.py), the PDF
  attached. Addresses are checked one by one and every header value refuses line
  breaks, so nothing a user types (a subject, a company name) can add a header.
- ``Mailer`` holds one SMTP connection for a batch (``recur run --send``) and turns
  every network or protocol failure into :class:`MailError` (exit 1) naming the server.
  It drives the SMTP phases itself (MAIL, RCPT, DATA) to tell two kinds of failure apart:
  a refusal or a lost connection *before* the whole message went out is certain (nothing
  was delivered, a retry is safe); a lost connection or timeout *after* the message went
  out, while waiting for the server's final reply, is :class:`MailUncertain`: the server
  may have taken it, so it must not be sent again without a person checking.

The SMTP settings are ``smtp.host``, ``smtp.port``, ``smtp.security`` (starttls | ssl |
none), ``smtp.user`` and ``smtp.sender``; the password is read from the environment
variable ``ORDERS_SMTP_PASSWORD`` only, never from the settings file.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from orders_cli.core.errors import Invalid, MailError, OrdersError  # noqa: F401  (MailError: mail.MailError)


class MailUncertain(MailError):
    """The message went out whole but the server's final reply never came (connection lost,
    timeout): it may have been delivered. Never retried automatically."""

PASSWORD_ENV = "ORDERS_SMTP_PASSWORD"
TIMEOUT = 30  # seconds for connecting and for each SMTP command
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ADDR = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\]+$")


def check_address(value: str, what: str = "address") -> str:
    value = (value or "").strip()
    if not value or _CONTROL.search(value) or not _ADDR.match(value) or len(value) > 254:
        raise Invalid(f"{what} {value!r} is not an e-mail address like name@example.com")
    return value


def header_text(value: str, what: str) -> str:
    """A one-line header value: refuse line breaks and control characters (header injection)."""
    value = str(value or "")
    if _CONTROL.search(value.replace("\t", " ")):
        raise Invalid(f"{what} must be one line without control characters")
    if len(value) > 998:
        raise Invalid(f"{what} is too long (at most 998 characters)")
    return value.strip()


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str
    user: str
    sender: str
    password: str | None

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def smtp_config(settings) -> SmtpConfig:
    """The SMTP settings, checked: a host and a sender are required; the password comes from the environment."""
    host = str(settings.get("smtp.host") or "").strip()
    if not host:
        raise Invalid("no SMTP server configured: orders config set smtp.host HOST (and smtp.sender, smtp.port, smtp.security)")
    sender = str(settings.get("smtp.sender") or settings.get("company.email") or "").strip()
    if not sender:
        raise Invalid("no sender address: orders config set smtp.sender you@example.com")
    user = str(settings.get("smtp.user") or "").strip()
    password = os.environ.get(PASSWORD_ENV) or None
    if user and password is None:
        raise Invalid(f"smtp.user is set but {PASSWORD_ENV} is not: export the password in that variable")
    return SmtpConfig(host, int(settings.get("smtp.port")), str(settings.get("smtp.security")), user, check_address(sender, "smtp.sender"), password)


def _sender_header(settings, sender: str) -> Address:
    name = header_text(str(settings.get("company.name") or ""), "company.name")
    local, _, domain = sender.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


def document_values(kind: str, doc: dict, settings) -> dict[str, str]:
    """What ``$placeholders`` in an e-mail template may use."""
    totals = doc.get("totals") or {}
    return {
        "kind": kind,
        "number": doc.get("number") or "",
        "subject": doc.get("subject") or "",
        "company": settings.get("company.name") or "",
        "account": (doc.get("account") or {}).get("name") or "",
        "total": totals.get("total") or "",
        "currency": doc.get("currency") or "",
        "order_date": doc.get("order_date") or "",
        "quote_date": doc.get("quote_date") or "",
        "valid_until": doc.get("valid_until") or "",
        "invoice_date": doc.get("invoice_date") or "",
        "due_date": doc.get("due_date") or "",
        "period_start": doc.get("period_start") or "",
        "period_end": doc.get("period_end") or "",
        "order": doc.get("order") or "",
        "invoice": doc.get("invoice") or "",
        "credit_date": doc.get("credit_date") or "",
    }


def compose(kind: str, doc: dict, settings, *, sender: str, to: list[str], cc: list[str] | None = None,
            subject: str | None = None, message: str | None = None, pdf_bytes: bytes, filename: str) -> EmailMessage:
    """The message for one document: template subject and body (unless given), the PDF attached."""
    from orders_cli.adapters import templating

    to = [check_address(a, "--to") for a in to]
    cc = [check_address(a, "--cc") for a in (cc or [])]
    if not to:
        raise Invalid("no recipient: give --to EMAIL")
    subject_template, body_template = templating.email_template(kind, doc.get("language"), settings)
    values = document_values(kind, doc, settings)
    subject = header_text(subject if subject is not None else templating.fill(subject_template, values), "the subject")
    body = message if message is not None else templating.fill(body_template, values)
    if "\x00" in body:
        raise Invalid("the message must not contain NUL characters")

    msg = EmailMessage()
    msg["From"] = _sender_header(settings, sender)
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    msg.set_content(body if body.endswith("\n") else body + "\n")
    msg.add_attachment(pdf_bytes, maintype="application", subtype="pdf", filename=filename)
    return msg


def recipients(msg: EmailMessage) -> list[str]:
    from email.utils import getaddresses

    return [addr for _, addr in getaddresses(msg.get_all("To", []) + msg.get_all("Cc", []))]


class Mailer:
    """One SMTP connection, opened on the first message and reused; ``with Mailer(cfg) as m: m.send(msg)``."""

    def __init__(self, cfg: SmtpConfig):
        self.cfg = cfg
        self._smtp = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _connect(self):
        import smtplib
        import ssl

        cfg = self.cfg
        try:
            if cfg.security == "ssl":
                smtp = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=TIMEOUT, context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=TIMEOUT)
                if cfg.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if cfg.user:
                _login(smtp, cfg.user, cfg.password or "")
        except smtplib.SMTPAuthenticationError:
            raise MailError(f"SMTP server {cfg.where} refused the login of {cfg.user} (check smtp.user and {PASSWORD_ENV})") from None
        except smtplib.SMTPNotSupportedError as exc:
            raise MailError(f"SMTP server {cfg.where} does not support that: {_reason(exc)} (check smtp.security)") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"cannot reach SMTP server {cfg.where}: {_reason(exc)}") from None
        return smtp

    def send(self, msg: EmailMessage) -> None:
        """Hand ``msg`` to the server. Raises :class:`MailError` when it was certainly not
        delivered and :class:`MailUncertain` when it may have been."""
        import smtplib

        if self._smtp is None:
            self._smtp = self._connect()
        try:
            refused = _deliver(self._smtp, self.cfg.sender, msg)
        except MailUncertain as exc:
            self.close()
            raise MailUncertain(f"SMTP server {self.cfg.where} took the message but the connection was lost before it confirmed "
                                f"({exc.message}): it may have been delivered; check with the recipient before sending it again") from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailError(f"SMTP server {self.cfg.where} refused every recipient: {', '.join(exc.recipients)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise MailError(f"SMTP server {self.cfg.where} did not take the message: {_reason(exc)}") from None
        if refused:
            # Some recipients took it: the mail went out, so it counts as sent; say who was refused.
            print(f"warning: SMTP server refused {', '.join(refused)}", file=sys.stderr)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except Exception:  # the connection may already be gone; nothing to keep
                pass
            self._smtp = None


def _flatten(smtp, msg: EmailMessage, sender: str, to_addrs: list[str]) -> tuple[bytes, list[str]]:
    """The message's bytes on the wire (CRLF) and the MAIL options, as smtplib's send_message
    makes them (SMTPUTF8 when an address is not ASCII; no Bcc header)."""
    import copy
    import email.generator
    import io
    import smtplib

    msg = copy.copy(msg)
    del msg["Bcc"]
    options: list[str] = []
    policy = None
    if not "".join([sender, *to_addrs]).isascii():
        if not smtp.has_extn("smtputf8"):
            raise smtplib.SMTPNotSupportedError("an address needs internationalized e-mail (SMTPUTF8), which the server does not offer")
        options, policy = ["SMTPUTF8", "BODY=8BITMIME"], msg.policy.clone(utf8=True)
    with io.BytesIO() as out:
        email.generator.BytesGenerator(out, policy=policy).flatten(msg, linesep="\r\n")
        data = out.getvalue()
    if smtp.does_esmtp and smtp.has_extn("size"):
        options.insert(0, f"size={len(data)}")
    return data, options if smtp.does_esmtp else []


def _deliver(smtp, sender: str, msg: EmailMessage) -> dict[str, tuple[int, bytes]]:
    """MAIL, RCPT, DATA by hand (what smtplib's sendmail does) so that a failure after the
    message went out is told apart: returns the recipients refused (some took it); raises
    smtplib's errors for a failure before (certain) and :class:`MailUncertain` after."""
    import re
    import smtplib

    to_addrs = recipients(msg)
    smtp.ehlo_or_helo_if_needed()
    data, options = _flatten(smtp, msg, sender, to_addrs)
    code, resp = smtp.mail(sender, options)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, resp, sender)
    refused = {}
    for addr in to_addrs:
        code, resp = smtp.rcpt(addr)
        if code not in (250, 251):
            refused[addr] = (code, resp)
        if code == 421:  # the server is closing the connection
            raise smtplib.SMTPResponseException(code, resp)
    if len(refused) == len(to_addrs):
        try:
            smtp.rset()  # keep the connection usable for the next message
        except smtplib.SMTPServerDisconnected:
            pass
        raise smtplib.SMTPRecipientsRefused(refused)
    code, resp = smtp.docmd("DATA")
    if code != 354:  # DATA itself refused: nothing was sent
        raise smtplib.SMTPDataError(code, resp)
    data = re.sub(rb"(?m)^\.", b"..", data)  # dot-stuffing (RFC 5321 4.5.2)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    # An error while sending: the final "." never reached the server, which must then drop
    # the message: certain. From here on, the server has the whole message.
    smtp.send(data + b".\r\n")
    try:
        code, resp = smtp.getreply()
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        raise MailUncertain(_reason(exc)) from None
    if code == 250:
        return refused
    if 400 <= code < 600:  # the server said no to the message: not delivered
        raise smtplib.SMTPDataError(code, resp)
    raise MailUncertain(f"unexpected reply {code} {resp.decode('utf-8', 'replace')}".strip())


def _login(smtp, user: str, password: str) -> None:
    """smtplib's login encodes credentials as ASCII; RFC 4616 says UTF-8. An ASCII pair goes
    through smtplib (any mechanism it picks); otherwise AUTH PLAIN with UTF-8 by hand."""
    import base64
    import smtplib

    if (user + password).isascii():
        smtp.login(user, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if "plain" not in smtp.esmtp_features.get("auth", "").lower().split():
        raise smtplib.SMTPNotSupportedError("a non-ASCII user name or password needs AUTH PLAIN, which the server does not offer")
    token = base64.b64encode(b"\0" + user.encode("utf-8") + b"\0" + password.encode("utf-8")).decode("ascii")
    code, resp = smtp.docmd("AUTH", "PLAIN " + token)
    if code == 535:
        raise smtplib.SMTPAuthenticationError(code, resp)
    if code not in (235, 503):
        raise smtplib.SMTPResponseException(code, resp)


def _reason(exc: BaseException) -> str:
    smtp_error = getattr(exc, "smtp_error", None)
    if isinstance(smtp_error, bytes):
        return f"{getattr(exc, 'smtp_code', '')} {smtp_error.decode('utf-8', 'replace')}".strip()
    return str(exc) or type(exc).__name__


def write_eml(msg: EmailMessage, path) -> None:
    """The message as an .eml file (written whole; a folder is refused)."""
    from orders_cli.adapters import files

    files.write_file(path, msg.as_bytes(), option="--eml")
