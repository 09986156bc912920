"""Calendly API v2: the HTTP client (client.py) and webhook signatures (signatures.py)."""
