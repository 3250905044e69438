"""Typed, human-readable errors raised by service functions."""

from __future__ import annotations


class ServiceError(Exception):
    """Base for errors a person can act on. ``field`` names the input at fault, if any."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    """The person's role does not allow this."""


class InvalidInput(ServiceError):
    """The input breaks a rule; ``field`` and the message say which and how to fix it."""


class Conflict(ServiceError):
    """The change clashes with the current state (a closed period, a duplicate name)."""


class PeriodClosed(Conflict):
    """The reporting period is closed; reopen it with a reason first."""


class Busy(ServiceError):
    """The work cannot be done this moment (another is holding what it needs); try again shortly."""

    retry_after_seconds = 30


class TokenExpired(ServiceError):
    """An API token past its expiry date (CARESTAT_API_TOKEN_DAYS after it was made)."""


class StoredFileDamaged(Conflict):
    """A kept file no longer matches the fingerprint recorded when it was made."""


class RateLimited(ServiceError):
    """The person has asked for this costly work too often lately; ``retry_after_seconds`` says
    when they may again."""

    def __init__(self, message: str, *, retry_after_seconds: int, field: str | None = None):
        super().__init__(message, field=field)
        self.retry_after_seconds = retry_after_seconds
