"""Secrets we must be able to use again (webhook signing secrets) are stored encrypted
with a key derived from ``SALINGJAGA_SECRET_KEY``; secrets we only check (API keys,
passwords) are stored hashed instead. A database dump alone reveals neither."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

PREFIX = "fernet:"


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"salingjaga-secretbox:" + secret_key.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(secret_key: str, plain: str) -> str:
    """Encrypt (and authenticate) a secret for storage."""
    return PREFIX + _fernet(secret_key).encrypt(plain.encode("utf-8")).decode("ascii")


def unseal(secret_key: str, stored: str) -> str:
    """The plain secret; raises ValueError if the key is wrong or the value was altered."""
    if not stored.startswith(PREFIX):
        raise ValueError("secret is not sealed")
    try:
        return _fernet(secret_key).decrypt(stored[len(PREFIX):].encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("sealed secret cannot be opened with this SALINGJAGA_SECRET_KEY") from exc
