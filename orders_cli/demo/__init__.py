"""The demo company (company.py: taxes, accounts, vendors, products) and its orders (orders.py),
made through the same use cases as everything else."""
