"""One scoped getter per object type. Tenancy fails closed: anything outside the person's
organisations is a 404, whatever its id."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from carestat.core.errors import NotAllowed
from carestat.core.models import Membership, Organisation, ReportingPeriod, Unit, User
from carestat.core.permissions import PERM_WORDS, ROLE_PERMS, Perm


@dataclass(frozen=True)
class Access:
    """A person acting within one organisation, with their role there."""

    user: User
    organisation: Organisation
    membership: Membership

    @property
    def role(self) -> str:
        return self.membership.role

    def can(self, perm: Perm) -> bool:
        return perm in ROLE_PERMS[self.membership.role]

    def require(self, perm: Perm) -> None:
        if not self.can(perm):
            raise NotAllowed(
                f"Your role ({self.membership.get_role_display().lower()}) does not allow you to "
                f"{PERM_WORDS[perm]}."
            )


def get_access(user: User, org_slug: str) -> Access:
    """The person's access to the organisation ``org_slug``, or 404."""
    if not user.is_authenticated:
        raise Http404("No such organisation")
    # Across organisations by nature: it finds which organisation the person may enter.
    membership = (
        Membership.unscoped.select_related("organisation", "user")
        .filter(user=user, organisation__slug=org_slug, is_active=True)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation")
    return Access(user=user, organisation=membership.organisation, membership=membership)


def organisations_for(user: User) -> list[Organisation]:
    """The organisation chooser: across organisations by nature, before any is in scope. It reads
    Organisation (no organisation's record) joined to the person's own active memberships."""
    if not user.is_authenticated:
        return []
    return list(
        Organisation.objects.filter(memberships__user=user, memberships__is_active=True).order_by("name")
    )


def get_unit_for_user(access: Access, pk: int | str) -> Unit:
    unit = Unit.objects.filter(organisation=access.organisation, pk=_int(pk)).first()
    if unit is None:
        raise Http404("No such unit")
    return unit


def get_membership_for_user(access: Access, pk: int | str) -> Membership:
    membership = (
        Membership.objects.select_related("user", "unit")
        .filter(organisation=access.organisation, pk=_int(pk))
        .first()
    )
    if membership is None:
        raise Http404("No such member")
    return membership


def get_period_for_user(access: Access, identifier: str) -> ReportingPeriod:
    period = ReportingPeriod.objects.filter(
        organisation=access.organisation, identifier=identifier
    ).first()
    if period is None:
        raise Http404("No such reporting period")
    return period


def get_job_for_user(access: Access, pk: int | str):
    from carestat.core.models import Job

    job = Job.objects.filter(organisation=access.organisation, pk=_int(pk)).first()
    if job is None:
        raise Http404("No such job")
    return job


def org_access(request, slug: str, perm=None) -> Access:
    """The signed-in person's access to organisation ``slug`` (404 if not a member), checked
    for ``perm`` (403 if their role lacks it), with that organisation put in scope. Call it
    first in a view or an API endpoint."""
    from carestat.core.tenancy import activate

    access = get_access(request.user, slug)
    request.access = access
    # The entry point of every /o/<slug>/ page and organisation API route: from here on the
    # request's queries see this organisation's rows only (carestat.core.tenancy).
    activate(access.organisation)
    if perm is not None:
        access.require(perm)
    return access


def _int(pk: int | str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404("Not found") from None
