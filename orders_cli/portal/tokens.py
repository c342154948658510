"""Portal access tokens: random (``secrets``), shown once, stored only as their SHA-256,
compared in constant time, revocable.

A token is 32 random bytes, URL-safe base64 (43 characters). The database keeps
``sha256(token)``; a presented token is hashed, looked up by that hash, and the stored
hash compared with ``hmac.compare_digest`` before it is trusted.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.store import refs
from orders_cli.store import schema as m

TOKEN_BYTES = 32
_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str | None) -> bool:
    return bool(token) and _SHAPE.fullmatch(token) is not None


def issue(session: Session, account_ref: str) -> dict:
    """A new token for the account (earlier ones stay valid until revoked). The only time it is seen."""
    account = refs.account(session, account_ref)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = m.PortalToken(account_id=account.id, token_hash=digest(token))
    session.add(row)
    session.flush()
    active = session.execute(
        sa.select(sa.func.count()).select_from(m.PortalToken.__table__).where(
            m.PortalToken.__table__.c.account_id == account.id, m.PortalToken.__table__.c.revoked_at.is_(None)
        )
    ).scalar_one()
    return {"account": {"id": account.id, "name": account.name}, "token": token, "token_id": row.id, "active_tokens": active}


def revoke(session: Session, account_ref: str) -> dict:
    """Revoke every active token of the account; they stop working on the next request."""
    account = refs.account(session, account_ref)
    t = m.PortalToken.__table__
    result = session.execute(
        sa.update(t).where(t.c.account_id == account.id, t.c.revoked_at.is_(None)).values(revoked_at=datetime.now(timezone.utc))
    )
    return {"account": {"id": account.id, "name": account.name}, "revoked": result.rowcount or 0}


def account_for(session: Session, token: str | None) -> tuple[int, str, str | None] | None:
    """(account id, name, language) of a valid, unrevoked token; None for anything else."""
    if not well_formed(token):
        return None
    wanted = digest(token)  # type: ignore[arg-type]
    t = m.PortalToken.__table__
    a = m.Account.__table__
    row = session.execute(
        sa.select(t.c.token_hash, a.c.id, a.c.name, a.c.language).join(a, a.c.id == t.c.account_id)
        .where(t.c.token_hash == wanted, t.c.revoked_at.is_(None))
    ).first()
    if row is None or not hmac.compare_digest(row.token_hash.encode("ascii"), wanted.encode("ascii")):
        return None
    return row.id, row.name, row.language
