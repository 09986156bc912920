"""Secrets of connected services (Calendly tokens, signing keys) encrypted at rest.

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) keyed by settings.FIELD_ENCRYPTION_KEY.
Production refuses to start without a key of its own (config/settings.py); the local default
only lets the app start on a laptop.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    return Fernet(settings.FIELD_ENCRYPTION_KEY.encode())


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    """The plaintext; ValueError when the value was encrypted with another key or altered."""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong FIELD_ENCRYPTION_KEY or altered value") from exc
