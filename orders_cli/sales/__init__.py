"""sales: the use cases of orders and quotes.

inputs.py (DocInput, prepare, insert, create), imports.py (``--from-json``), views.py (show,
list, history), edits.py (edit, lines, status, finalize, duplicate), quotes.py (a quote's
status, validity and mail, quote -> order), and the typed results they return (results.py).
"""
