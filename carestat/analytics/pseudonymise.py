"""Pseudonymisation at ingest.

Person identifiers (child ID, UPN, NHS number, worker ID) are replaced by a keyed hash
(HMAC-SHA256 with a per-deployment secret) so the same person matches across years and
returns, but the identifier cannot be recovered or guessed by hashing candidate values
without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

KEY_LENGTH = 20  # hex characters kept: 80 bits, ample for a council's population


class Pseudonymiser:
    def __init__(self, secret: bytes | str):
        if isinstance(secret, str):
            secret = secret.encode()
        if len(secret) < 16:
            raise ValueError("the pseudonymisation secret must be at least 16 bytes")
        self._secret = secret

    @property
    def fingerprint(self) -> str:
        """Which key this is, in 16 hex digits, without revealing it: stored with each load so
        a return hashed with a different key (the same children, other keys) is refused."""
        return hmac.new(self._secret, b"carestat:key-fingerprint", hashlib.sha256).hexdigest()[:16]

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

    def many(self, identifiers: Iterable[str | None], *, kind: str = "person") -> list[str | None]:
        """``[self(i, kind=kind) for i in identifiers]``, about twice as fast.

        HMAC's padded key blocks are hashed once and copied for each identifier (RFC 2104,
        as ``hmac`` does inside), rather than set up again per call. For keying the distinct
        identifiers of a large extract, which are then joined back to its rows.
        """
        inner, outer = self._pads()
        prefix = f"{kind}:"
        out: list[str | None] = []
        append = out.append
        for identifier in identifiers:
            if identifier is None:
                append(None)
                continue
            value = str(identifier).strip().upper()
            if not value:
                append(None)
                continue
            h = inner.copy()
            h.update((prefix + value).encode())
            o = outer.copy()
            o.update(h.digest())
            append(o.hexdigest()[:KEY_LENGTH])
        return out

    def _pads(self):
        """sha256 states after the key XORed with the inner and the outer pad (RFC 2104)."""
        block = self._secret if len(self._secret) <= 64 else hashlib.sha256(self._secret).digest()
        block = block.ljust(64, b"\0")
        return (hashlib.sha256(bytes(b ^ 0x36 for b in block)),
                hashlib.sha256(bytes(b ^ 0x5C for b in block)))

    # -- the same keyed hash as SQL, for readers that stream millions of rows through DuckDB

    def sql(self, column: str, *, kind: str = "person") -> tuple[str, list[bytes]]:
        """DuckDB SQL giving ``self(column, kind=kind)``, and the parameters it takes.

        HMAC-SHA256 written out (RFC 2104): sha256(key^opad || sha256(key^ipad || message)),
        with DuckDB's ``sha256`` over BLOBs, so millions of identifiers are keyed inside the
        engine, in parallel. It agrees with ``__call__`` for identifiers of printable ASCII
        (space to ``~``), which is what case systems export; for anything else (accented
        letters, tabs) it gives NULL, and the caller keys those few values in Python, whose
        rules for trimming and upper-casing such characters the SQL does not copy. Blank
        values give NULL too, as ``__call__`` gives None.
        """
        block = self._secret if len(self._secret) <= 64 else hashlib.sha256(self._secret).digest()
        block = block.ljust(64, b"\0")
        inner = bytes(b ^ 0x36 for b in block)
        outer = bytes(b ^ 0x5C for b in block)
        value = f"nullif(upper(trim({column})), '')"
        sql = (
            f"CASE WHEN regexp_full_match({column}, '[ -~]*') THEN "
            f"left(lower(sha256(CAST(? AS BLOB) || unhex(sha256(CAST(? AS BLOB) || "
            f"encode({_sql_text(kind + ':')} || {value}))))), {KEY_LENGTH}) END"
        )
        return sql, [outer, inner]


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
