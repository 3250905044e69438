"""Pseudonymisation at ingest.

Person identifiers (child ID, UPN, NHS number, worker ID) are replaced by a keyed hash
(HMAC-SHA256 with a per-deployment secret) so the same person matches across years and
returns, but the identifier cannot be recovered or guessed by hashing candidate values
without the secret.
"""

from __future__ import annotations

import hashlib
import hmac

KEY_LENGTH = 20  # hex characters kept: 80 bits, ample for a council's population


class Pseudonymiser:
    def __init__(self, secret: bytes | str):
        if isinstance(secret, str):
            secret = secret.encode()
        if len(secret) < 16:
            raise ValueError("the pseudonymisation secret must be at least 16 bytes")
        self._secret = secret

    def __call__(self, identifier: str | None, *, kind: str = "person") -> str | None:
        """Keyed hash of ``identifier``; None or blank stays None.

        ``kind`` separates namespaces so a child's ID and a worker's ID that happen to be
        equal do not collide. Identifiers are compared trimmed and case-insensitively, as
        case systems export them inconsistently.
        """
        if identifier is None:
            return None
        value = str(identifier).strip().upper()
        if not value:
            return None
        digest = hmac.new(self._secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return digest[:KEY_LENGTH]
