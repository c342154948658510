"""Reminders (dunning): ``remind run`` claims, records and mails the reminder levels due on
unpaid invoices; ``remind list`` shows what was recorded and sent."""
