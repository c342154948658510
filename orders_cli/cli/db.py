"""orders db: create, upgrade, check and back up the database."""

from pathlib import Path
from typing import Annotated

import typer

from orders_cli.cli.common import Json, group

app = group("db", "The database: create it, upgrade its schema, check it, back it up.")


@app.command("init")
def init(json_: Json = False) -> None:
    """Create the database (if new) and bring it to the current schema.

    Example: orders --db shop.db db init
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.store import target as run_target

    run_target.may_create()
    eng = store.engine()
    info = store.check(eng)
    target = eng.url.render_as_string(hide_password=True)
    result = {"database": target, "revision": info["revision"], "ok": info["ok"]}
    if json_:
        output.record(result, output.JSON)
    else:
        output.note(f"database ready: {target} (schema {info['revision']})")


@app.command("upgrade")
def upgrade(json_: Json = False) -> None:
    """Migrate the database to the current schema (a SQLite file is backed up first).

    Example: orders db upgrade
    """
    from sqlalchemy import exc

    from orders_cli import store
    from orders_cli.cli import output

    target = store.db_target()
    store.refuse_missing(target)
    eng = store._make_engine(store.url_for(target))
    backup_path = None
    try:
        try:
            with eng.connect() as conn:
                before = store.current_revision(conn)
                conn.rollback()
        except exc.DBAPIError as err:
            raise store.open_failed(err, target) from None
        if before not in (None, store.HEAD) and eng.dialect.name == "sqlite":
            from orders_cli.adapters.env import today

            src = Path(eng.url.database or "")
            backup_path = store.backup(eng, src.with_name(f"{src.stem}-before-{store.HEAD}-{today().isoformat()}{src.suffix}"))
        _, after = store.upgrade(eng)
    finally:
        eng.dispose()
    result = {"from": before, "to": after, "backup": str(backup_path) if backup_path else None}
    if json_:
        output.record(result, output.JSON)
    elif before == after:
        output.note(f"already at the current schema ({after})")
    else:
        output.note(f"upgraded from {before or 'an empty database'} to {after}" + (f"; backup at {backup_path}" if backup_path else ""))


@app.command("check")
def check(json_: Json = False) -> None:
    """Run the integrity check and report the schema revision (exit 1 when not ok).

    Example: orders db check --json
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.core.errors import Invalid

    info = store.check(store.engine())
    if json_:
        output.record(info, output.JSON)
    else:
        output.note(f"schema revision {info['revision']} (head {info['head']}); integrity: {'ok' if not info['problems'] else 'PROBLEMS'}")
        for problem in info["problems"]:
            output.note(f"  {problem}")
    if not info["ok"]:
        raise Invalid("the database check failed")


@app.command("backup")
def backup(path: Annotated[Path, typer.Argument(help="The new backup file (must not exist).")], json_: Json = False) -> None:
    """Copy the SQLite database to PATH with SQLite's online backup (safe while others write).

    Example: orders db backup ~/backups/orders-$(date +%F).db
    """
    from orders_cli import store
    from orders_cli.cli import output

    target = store.backup(store.engine(), path)
    if json_:
        output.record({"backup": str(target)}, output.JSON)
    else:
        output.note(f"backup written: {target}")
