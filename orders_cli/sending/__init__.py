"""Mail out: ``order send`` / ``invoice send``, and ``recur run --send`` with its outbox (each
invoice queued in its billing transaction, claimed before it is mailed, never mailed twice);
results in results.py. Uses the sales and invoicing views, the PDF and the mail adapters."""
