"""Who and what documents name: taxes and their regional rates, accounts and contacts, vendors,
users and products, the product CSV import (catalog.py), and the resolving of references once
per transaction (resolver.py). Results in results.py."""
