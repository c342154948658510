"""orders demo: a believable small business in the current database."""

from __future__ import annotations

from orders_cli.cli.common import Json


def demo(json_: Json = False) -> None:
    """Fill the current database with a demo company, and say what to try next.

    Running it again adds nothing twice. Example: orders --db demo.db demo
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.cli.common import context
    from orders_cli.demo import company as demo_uc

    from orders_cli.store import target as run_target

    run_target.may_create()
    ctx = context()
    with store.transaction() as s:
        made = demo_uc.fill(s, ctx)
    if json_:
        output.record(made, output.JSON)
        return
    created = {k: v for k, v in made.items() if v}
    if created:
        output.note("demo data added: " + ", ".join(f"{v} {k}" for k, v in created.items()))
    else:
        output.note("the demo data is already there (nothing added)")
    output.note(demo_uc.NEXT_STEPS)
