"""Shared pieces for CareStat's management commands."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from carestat.core.access import Access
from carestat.core.errors import ServiceError
from carestat.core.models import Membership, Organisation, Role
from carestat.core.services import command_line_user
from carestat.core.tenancy import activate, enforced


class CareStatCommand(BaseCommand):
    """A command whose service errors become a one-line message and exit status 1."""

    def execute(self, *args, **options):
        # No organisation is in scope until the command resolves its --org (get_org).
        try:
            with enforced():
                return super().execute(*args, **options)
        except ServiceError as exc:
            where = f" ({exc.field})" if exc.field else ""
            raise CommandError(f"{exc.message}{where}") from None


def get_org(slug: str) -> Organisation:
    org = Organisation.objects.filter(slug=slug).first()
    if org is None:
        known = ", ".join(Organisation.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"No organisation with the short name ‘{slug}’ (known: {known})")
    # The entry point of every command taking --org: its queries see this organisation only.
    activate(org)
    return org


AS_USER_HELP = "Act as this member (email); default: the command line, with an admin's rights"


def command_access(org: Organisation, as_user: str | None) -> Access:
    """Act as ``as_user`` (an email), with their role; without one, as the command line.

    The command line is for operators on the server. Unless they name a person (whose role then
    applies, just as in the UI), they act with an admin's rights as the saved "Command line"
    account, so the audit trail says the change came from the server rather than crediting
    a member who did not make it, and an organisation with no members yet can be set up.
    """
    activate(org)
    if as_user:
        m = Membership.objects.select_related("user", "organisation").filter(
            organisation=org, user__username=as_user.strip().lower(), is_active=True
        ).first()
        if m is None:
            raise CommandError(f"{as_user} is not an active member of {org.name}")
        return Access(user=m.user, organisation=org, membership=m)
    # An unsaved membership: the account is a member of no organisation, so it can never
    # see anything through the web or the API.
    return Access(user=command_line_user(), organisation=org, membership=Membership(role=Role.ADMIN, organisation=org))
