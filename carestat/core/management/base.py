"""Shared pieces for CareStat's management commands."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from carestat.core.access import Access
from carestat.core.errors import ServiceError
from carestat.core.models import Membership, Organisation, Role, User


class CareStatCommand(BaseCommand):
    """A command whose service errors become a one-line message and exit status 1."""

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except ServiceError as exc:
            where = f" ({exc.field})" if exc.field else ""
            raise CommandError(f"{exc.message}{where}") from None


def get_org(slug: str) -> Organisation:
    org = Organisation.objects.filter(slug=slug).first()
    if org is None:
        known = ", ".join(Organisation.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"No organisation with the short name ‘{slug}’ (known: {known})")
    return org


def command_access(org: Organisation, as_user: str | None, role_needed: str | None = None) -> Access:
    """Act as ``as_user`` (an email), with their role; without one, as an admin of the org.

    The command line is for operators on the server, who act with an admin's rights unless
    they name a person, in which case that person's role applies, just as in the UI.
    """
    if as_user:
        m = Membership.objects.select_related("user", "organisation").filter(
            organisation=org, user__username=as_user.strip().lower(), is_active=True
        ).first()
        if m is None:
            raise CommandError(f"{as_user} is not an active member of {org.name}")
        return Access(user=m.user, organisation=org, membership=m)
    m = Membership.objects.select_related("user").filter(organisation=org, role=Role.ADMIN, is_active=True).first()
    if m is None:
        system = User(username="command-line", full_name="Command line")
        return Access(user=system, organisation=org, membership=Membership(role=Role.ADMIN, organisation=org))
    return Access(user=m.user, organisation=org, membership=m)
