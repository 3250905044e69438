"""Sign-in, sign-out and failed sign-in go into the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from carestat.core.audit import log_action


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    log_action("core.auth.signed_in", actor=user, organisation=None, record=user,
               message=f"{user.display_name} signed in", ip_address=_ip(request))


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        log_action("core.auth.signed_out", actor=user, organisation=None, record=user,
                   message=f"{user.display_name} signed out", ip_address=_ip(request))


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    log_action("core.auth.sign_in_failed", actor=None, organisation=None,
               message=f"Failed sign-in as ‘{username}’", ip_address=_ip(request),
               after={"username": username})
