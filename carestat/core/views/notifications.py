"""A person's notifications in one organisation, and their choices of what to be told."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from carestat.core import notifications as service
from carestat.core import selectors
from carestat.core.errors import ServiceError
from carestat.core.forms import NotificationPreferencesForm
from carestat.core.govuk_forms import apply_service_error
from carestat.core.models import NotificationEvent
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page, posted


@login_required
@require_safe
def notifications(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    rows = selectors.notifications(access)
    return page(request, "core/notifications.html", "Notifications", section="notifications",
                notes=Paginator(rows, 50).get_page(request.GET.get("page")),
                unread_count=service.unread(access.organisation, access.user).count())


@login_required
@require_POST
def notifications_read(request, slug):
    """With ``id``: mark that one of the person's notifications read and go to what it is about;
    without: mark them all read."""
    access = org_access(request, slug, Perm.VIEW)
    if "id" in request.POST:
        note = selectors.notifications(access).filter(pk=_id(request.POST["id"])).first()
        if note is None:
            return redirect("core:notifications", slug)
        service.mark_read(access.organisation, access.user, note.pk)
        # Only a path on this site: a notification's link is made by CareStat, never typed.
        if note.url.startswith("/") and not note.url.startswith("//"):
            return redirect(note.url)
        return redirect("core:notifications", slug)
    n = service.mark_read(access.organisation, access.user)
    messages.success(request, f"Marked {n} notification{'s' if n != 1 else ''} as read.")
    return redirect("core:notifications", slug)


def _id(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    pref = service.preference_for(access.organisation, access.user)
    how = "none" if not pref.email else ("digest" if pref.digest else "each")
    initial = {"events": [e for e in NotificationEvent.values if e not in (pref.muted or [])], "email": how}
    form = NotificationPreferencesForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        wanted = set(form.cleaned_data["events"])
        how = form.cleaned_data["email"]
        try:
            service.set_preferences(access, muted=[e for e in NotificationEvent.values if e not in wanted],
                                    email=how != "none", digest=how == "digest")
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, "Saved your notification choices.")
            return redirect("core:notifications", slug)
    return page(request, "core/notification_preferences.html", "What CareStat tells you", section="notifications",
                form=form)
