"""Reports and books: what the business sold, collected and is owed (``orders report``), and
the journal entries its accountant reads (``orders export fec | journal``). Read-only use cases,
set-wise SQL aggregates; the rules (periods, buckets, entries) are ``core``'s."""
