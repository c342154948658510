"""The customer portal (SPEC.md §5, CLI.md "The portal's surface"): per-account access
tokens (``tokens.py``), the read-only queries a customer may run (``queries.py``), and a
small Starlette app served by uvicorn with Jinja2 pages (``web.py``).

Nothing here is imported by ``--help``: Starlette, uvicorn and Jinja2 load only inside
``orders portal serve``.
"""
