"""What is kept beside an order without changing it: attached documents (attachments.py) and
activities (activities.py); results in results.py."""
