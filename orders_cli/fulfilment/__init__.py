"""Delivery notes and supplier purchase orders made from an order (notes.py, planned by
``core.planner``); results in results.py."""
