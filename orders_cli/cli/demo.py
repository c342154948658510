"""orders demo: a believable small business in a database of its own."""

from typing import Annotated

import typer

from orders_cli.cli.common import Json

Force = Annotated[bool, typer.Option("--force", help="Add the demo records to a database that already holds records.")]


def demo(force: Force = False, json_: Json = False) -> None:
    """Fill a demo database with a demo company, and say where it is and what to try next.

    Without --db it writes demo.db next to the default database (never your real books);
    a database that already holds records is refused unless --force. Example: orders --db demo.db demo
    """
    import shlex
    from pathlib import Path

    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.cli.common import context
    from orders_cli.core.errors import Conflict
    from orders_cli.core.text import shown
    from orders_cli.demo import company as demo_uc
    from orders_cli.store import target as run_target

    if run_target.is_default():
        run_target.use(str(Path(run_target.db_target()).with_name("demo.db")))
    run_target.may_create()
    where = run_target.db_target()
    ctx = context()
    with store.transaction() as s:
        if not force and demo_uc.holds_records(s):
            raise Conflict(f"{shown(where)} already holds records: the demo fills an empty database (--force adds it anyway)")
        made = demo_uc.fill(s, ctx)
    if json_:
        output.record({"database": where, **made}, output.JSON)
        return
    created = {k: v for k, v in made.items() if v}
    output.note(f"demo database: {shown(where)}")
    if created:
        output.note("demo data added: " + ", ".join(f"{v} {k}" for k, v in created.items()))
    else:
        output.note("the demo data is already there (nothing added)")
    output.note(demo_uc.NEXT_STEPS.replace("  orders ", f"  orders --db {shlex.quote(shown(where))} "))
