"""How sign-in resists guessing without letting a stranger shut someone out.

django-axes locks an (account, client address) pair after CARESTAT_LOCKOUT_ATTEMPTS failures
for CARESTAT_LOCKOUT_MINUTES. That alone would let someone guess one account's password
from many addresses, so the account itself also slows down: once it has had that many
failures again from anywhere within the lockout window, each further try must wait 1, 2,
4... seconds after the last failure, never more than CARESTAT_LOCKOUT_BACKOFF_MAX_SECONDS.
Tries refused while waiting are not counted, so the wait cannot be pushed past its cap.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone


def client_address(request) -> str | None:
    """The client's address for lockouts: REMOTE_ADDR, which `carestat serve` sets from the
    trusted proxy's X-Forwarded-For and from no one else's. Never read a forwarding header
    here: any client can send one."""
    return request.META.get("REMOTE_ADDR") or None


def account_wait_seconds(username: str) -> int:
    """How many seconds the account must wait before another sign-in try (0: none)."""
    from axes.models import AccessAttempt

    username = (username or "").strip().lower()
    if not username:
        return 0
    now = timezone.now()
    recent = AccessAttempt.objects.filter(username=username, attempt_time__gte=now - settings.AXES_COOLOFF_TIME)
    totals = recent.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    beyond = (totals["failures"] or 0) - 2 * settings.AXES_FAILURE_LIMIT
    if beyond < 0 or totals["last"] is None:
        return 0
    wait = min(2 ** min(beyond, 30), settings.CARESTAT_LOCKOUT_BACKOFF_MAX_SECONDS)
    left = wait - (now - totals["last"]).total_seconds()
    return max(0, math.ceil(left))
