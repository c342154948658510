"""One module per command group: parse options, call one use case, hand the result to output.py.

Module tops import only typer and the standard library (``--help`` must stay light):
SQLAlchemy, fpdf2, mail and web code are imported inside the commands that use them.
"""
