"""Business operations on organisations, units, members, periods and tokens.

Each is transactional, checks the actor's role, records one audit entry and raises a typed
error (carestat.core.errors) that says what went wrong and what to do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from carestat.analytics.periods import PeriodError, PeriodKind, financial_year_of, parse_period, periods_within
from carestat.core.access import Access
from carestat.core.audit import describe_changes, log_action, snapshot
from carestat.core.changes import acting_user, require_reason, stamp
from carestat.core.changes import locked as _locked
from carestat.core.errors import Conflict, InvalidInput, NotAllowed, PeriodClosed, TokenExpired
from carestat.core.models import (
    UNIT_PARENT_KINDS,
    ApiToken,
    Jurisdiction,
    Membership,
    Organisation,
    PeriodStatus,
    ReportingPeriod,
    Role,
    Unit,
    UnitKind,
    User,
)
from carestat.core.permissions import Perm
from carestat.core.tenancy import scoped_to

ORG_FIELDS = ("name", "slug", "jurisdiction", "la_code")
UNIT_FIELDS = ("name", "kind", "parent", "is_archived")
MEMBER_FIELDS = ("role", "unit", "is_active")


_touch = stamp  # who changed it and when: one rule for every app (core.changes)


# Organisations -------------------------------------------------------------------------

@transaction.atomic
def create_organisation(
    *, name: str, jurisdiction: str, slug: str = "", la_code: str = "", actor: User | None = None
) -> Organisation:
    """Create an organisation with reporting periods for the current and previous year."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Enter the organisation's name", field="name")
    if jurisdiction not in Jurisdiction.values:
        raise InvalidInput(
            f"Jurisdiction ‘{jurisdiction}’ is not one CareStat knows; choose one of "
            + ", ".join(Jurisdiction.values),
            field="jurisdiction",
        )
    slug = slugify(slug or name)[:60]
    if not slug:
        raise InvalidInput("The short name must contain letters or numbers", field="slug")
    if Organisation.objects.filter(slug=slug).exists():
        raise Conflict(f"An organisation with the short name ‘{slug}’ already exists", field="slug")
    if Organisation.objects.filter(name__iexact=name).exists():
        raise Conflict(f"An organisation called ‘{name}’ already exists", field="name")
    org = Organisation(name=name, slug=slug, jurisdiction=jurisdiction, la_code=_clean_la_code(la_code, None))
    org.created_by = org.changed_by = acting_user(actor)
    org.save()
    log_action(
        "core.organisation.created",
        actor=actor,
        organisation=org,
        record=org,
        after=snapshot(org, ORG_FIELDS),
        message=f"Created organisation ‘{org.name}’ ({org.get_jurisdiction_display()})",
    )
    today = timezone.localdate()
    # A new organisation is its own entry point: nobody can have activated its scope yet.
    with scoped_to(org):
        for year_start in (today.year - 1, today.year):
            fy = financial_year_of(dt.date(year_start, today.month, 1))
            ensure_year_periods(org, fy.label, actor=actor)
    return org


def _clean_la_code(la_code: str, org: Organisation | None) -> str:
    """A local authority code as returns state it: DfE's three digits in England, whatever
    letters and digits a council outside England uses in the same formats."""
    la_code = (la_code or "").strip()
    if la_code and not (la_code.isalnum() and len(la_code) <= 10):
        raise InvalidInput(f"‘{la_code}’ is not a local authority code: use the code your returns state, "
                           "such as 938 (letters and digits only)", field="la_code")
    others = Organisation.objects.filter(la_code=la_code).exclude(pk=org.pk if org else None)
    if la_code and others.exists():
        raise Conflict(f"Another organisation has the local authority code {la_code}", field="la_code")
    return la_code


@transaction.atomic
def change_organisation(access: Access, *, name: str | None = None, la_code: str | None = None) -> Organisation:
    """An admin changes the organisation's name or local authority code (the code every
    loaded return must state, so another council's return is refused)."""
    access.require(Perm.ADMINISTER)
    org = Organisation.objects.select_for_update().get(pk=access.organisation.pk)
    before = snapshot(org, ORG_FIELDS)
    changed = []
    if name is not None:
        name = name.strip()
        if not name:
            raise InvalidInput("Enter the organisation's name", field="name")
        if Organisation.objects.filter(name__iexact=name).exclude(pk=org.pk).exists():
            raise Conflict(f"An organisation called ‘{name}’ already exists", field="name")
        if name != org.name:
            org.name = name
            changed.append("name")
    if la_code is not None:
        la_code = _clean_la_code(la_code, org)
        if la_code != org.la_code:
            org.la_code = la_code
            changed.append("la_code")
    if not changed:
        return org
    _touch(org, access.user)
    org.save(update_fields=[*changed, "changed_at", "changed_by"])
    after = snapshot(org, ORG_FIELDS)
    log_action("core.organisation.changed", actor=access.user, organisation=org, record=org, before=before,
               after=after, message=f"{access.user.display_name} changed {org.name}'s details: "
               + "; ".join(describe_changes(Organisation, before, after)))
    return org


@transaction.atomic
def ensure_year_periods(org: Organisation, year: str, *, actor: User | None = None) -> list[ReportingPeriod]:
    """The financial year, its halves, quarters and months, created where missing."""
    fy = parse_period(year)
    if fy.kind is not PeriodKind.YEAR:
        raise InvalidInput(f"‘{year}’ is not a financial year such as 2024-25", field="identifier")
    wanted = [fy]
    for kind in (PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH):
        wanted += periods_within(fy, kind)
    existing = set(
        ReportingPeriod.objects.filter(organisation=org, identifier__in=[p.label for p in wanted])
        .values_list("identifier", flat=True)
    )
    created = []
    for p in wanted:
        if p.label in existing:
            continue
        period = ReportingPeriod.objects.create(
            organisation=org, identifier=p.label, kind=p.kind.value, start=p.start, end=p.end,
            created_by=actor if actor and actor.pk else None,
        )
        created.append(period)
    if created:
        log_action(
            "core.period.created",
            actor=actor,
            organisation=org,
            message=f"Added reporting periods for {fy.label} ({len(created)} periods)",
        )
    return created


def add_year_periods(access: Access, year: str) -> list[ReportingPeriod]:
    access.require(Perm.ADMINISTER)
    try:
        return ensure_year_periods(access.organisation, year, actor=access.user)
    except PeriodError as exc:
        raise InvalidInput(str(exc), field="identifier") from None


def closed_periods_containing(org: Organisation, start: dt.date, end: dt.date | None = None) -> list[ReportingPeriod]:
    """The closed periods that freeze the dates ``start`` to ``end`` (a day if ``end`` is
    left out), smallest first.

    The one rule every service uses: something is frozen if any closed period contains it,
    so a month is frozen when its quarter, half or year is closed, a quarter when its year
    is, and a date when any period around it is. Closing a month does not freeze its
    quarter: the quarter's figure was never reported as closed."""
    end = end or start
    found = ReportingPeriod.objects.filter(organisation=org, status=PeriodStatus.CLOSED, start__lte=start,
                                           end__gte=end)
    return sorted(found, key=lambda p: (p.end - p.start, p.start))


def refuse_if_closed(org: Organisation, start: dt.date, end: dt.date | None = None, *, what: str,
                     frozen: str = "its figures are frozen", field: str | None = "period") -> None:
    """Raise PeriodClosed, naming the closed periods to reopen, if a closed period contains
    ``start`` to ``end``. ``what`` names the thing being changed ("2026-09", "The new date
    4 August 2026")."""
    closed = closed_periods_containing(org, start, end)
    if not closed:
        return
    names = [p.identifier for p in closed]
    others = [n for n in names if n != what]
    listed = " and ".join(others) if len(others) <= 2 else ", ".join(others[:-1]) + f" and {others[-1]}"
    them = "it" if len(names) == 1 else "them"
    if what in names:
        also = f", and so {'is' if len(others) == 1 else 'are'} {listed}" if others else ""
        message = f"{what} is closed{also}, so {frozen}; a manager can reopen {them} with a reason"
    else:
        which = "which is" if len(others) == 1 else "which are"
        message = f"{what} falls in {listed}, {which} closed, so {frozen}; a manager can reopen {them} with a reason"
    raise PeriodClosed(message, field=field)


@transaction.atomic
def close_period(access: Access, period: ReportingPeriod) -> ReportingPeriod:
    """Close a period: its updates and derived statuses are frozen until it is reopened."""
    access.require(Perm.MANAGE)
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_closed:
        raise Conflict(f"{period.identifier} is already closed")
    if period.end > timezone.localdate():
        raise Conflict(
            f"{period.identifier} has not ended yet (it ends {period.end:%-d %B %Y}); "
            "a period can be closed once it has ended"
        )
    period.status = PeriodStatus.CLOSED
    period.save(update_fields=["status", *_touch(period, access.user)])
    log_action(
        "core.period.closed",
        actor=access.user,
        organisation=access.organisation,
        record=period,
        before={"status": "Open"},
        after={"status": "Closed"},
        message=f"{access.user.display_name} closed reporting period {period.identifier}",
    )
    return period


@transaction.atomic
def reopen_period(access: Access, period: ReportingPeriod, reason: str) -> ReportingPeriod:
    access.require(Perm.MANAGE)
    reason = require_reason(reason, "Give the reason for reopening the period")
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if not period.is_closed:
        raise Conflict(f"{period.identifier} is not closed")
    period.status = PeriodStatus.OPEN
    period.save(update_fields=["status", *_touch(period, access.user)])
    log_action(
        "core.period.reopened",
        actor=access.user,
        organisation=access.organisation,
        record=period,
        before={"status": "Closed"},
        after={"status": "Open", "reason": reason},
        message=f"{access.user.display_name} reopened reporting period {period.identifier}: {reason}",
    )
    return period


def current_period(org: Organisation, kind: PeriodKind = PeriodKind.QUARTER) -> ReportingPeriod | None:
    today = timezone.localdate()
    return (
        ReportingPeriod.objects.filter(organisation=org, kind=kind.value, start__lte=today, end__gte=today)
        .first()
    )


# Units ---------------------------------------------------------------------------------

def _check_parent(org: Organisation, kind: str, parent: Unit | None) -> None:
    allowed = UNIT_PARENT_KINDS[UnitKind(kind)]
    if parent is None:
        if kind != UnitKind.DIRECTORATE:
            raise InvalidInput(f"A {UnitKind(kind).label.lower()} must sit within another unit", field="parent")
        return
    if parent.organisation_id != org.pk:
        raise InvalidInput("Choose a unit of this organisation", field="parent")
    if parent.kind not in allowed:
        raise InvalidInput(
            f"A {UnitKind(kind).label.lower()} cannot sit within a {parent.get_kind_display().lower()}",
            field="parent",
        )


@transaction.atomic
def add_unit(access: Access, *, name: str, kind: str, parent: Unit | None) -> Unit:
    access.require(Perm.ADMINISTER)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Enter the unit's name", field="name")
    if kind not in UnitKind.values:
        raise InvalidInput("Choose directorate, service or team", field="kind")
    _check_parent(access.organisation, kind, parent)
    if Unit.objects.filter(organisation=access.organisation, name__iexact=name).exists():
        raise Conflict(f"There is already a unit called ‘{name}’", field="name")
    unit = Unit(organisation=access.organisation, name=name, kind=kind, parent=parent)
    unit.created_by = unit.changed_by = access.user
    unit.save()
    log_action(
        "core.unit.created",
        actor=access.user,
        organisation=access.organisation,
        record=unit,
        after=snapshot(unit, UNIT_FIELDS),
        message=f"{access.user.display_name} added {unit.get_kind_display().lower()} ‘{unit.name}’"
        + (f" within ‘{parent.name}’" if parent else ""),
    )
    return unit


@transaction.atomic
def update_unit(access: Access, unit: Unit, *, name: str, is_archived: bool) -> Unit:
    access.require(Perm.ADMINISTER)
    unit = _locked(unit)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Enter the unit's name", field="name")
    if Unit.objects.filter(organisation=access.organisation, name__iexact=name).exclude(pk=unit.pk).exists():
        raise Conflict(f"There is already a unit called ‘{name}’", field="name")
    before = snapshot(unit, UNIT_FIELDS)
    unit.name, unit.is_archived = name, is_archived
    after = snapshot(unit, UNIT_FIELDS)
    if before == after:
        return unit
    unit.save(update_fields=["name", "is_archived", *_touch(unit, access.user)])
    log_action(
        "core.unit.changed",
        actor=access.user,
        organisation=access.organisation,
        record=unit,
        before=before,
        after=after,
        message=f"{access.user.display_name} changed unit ‘{unit.name}’: "
        + "; ".join(describe_changes(Unit, before, after)),
    )
    return unit


# People --------------------------------------------------------------------------------

def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(f"‘{email}’ is not an email address, like name@example.gov.uk", field="email") from None
    return email


@transaction.atomic
def create_user(*, email: str, full_name: str, password: str | None) -> User:
    """A new person who signs in with their email. Without a password they cannot sign in
    until one is set."""
    email = _clean_email(email)
    if User.objects.filter(username=email).exists():
        raise Conflict(f"Someone already signs in as {email}", field="email")
    user = User(username=email, email=email, full_name=(full_name or "").strip())
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), field="password") from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


# The account the command line acts as when no person is named. Its username is not an email
# address, so nobody can sign in as it or add it to an organisation; it is inactive and has
# no usable password. Being a saved row, everything the command line does is recorded
# against it like anyone else's change ("Command line (server operator) loaded ...").
COMMAND_LINE_USERNAME = "command-line"


def command_line_user() -> User:
    """The saved system account for work done on the server's command line."""
    user = User.objects.filter(username=COMMAND_LINE_USERNAME).first()
    if user is None:
        user = User(username=COMMAND_LINE_USERNAME, full_name="Command line (server operator)", is_active=False)
        user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def add_member(
    access: Access, *, email: str, full_name: str = "", role: str, unit: Unit | None = None
) -> tuple[Membership, str | None]:
    """Add a person to the organisation. Returns the membership and, for someone new, a
    one-time password to pass on (shown once, never stored in the clear)."""
    access.require(Perm.ADMINISTER)
    email = _clean_email(email)
    if role not in Role.values:
        raise InvalidInput("Choose a role", field="role")
    if unit is not None and unit.organisation_id != access.organisation.pk:
        raise InvalidInput("Choose a unit of this organisation", field="unit")
    # Across organisations by nature: the account may already belong to another council. Only
    # the account is read (User is no organisation's); its memberships elsewhere stay unseen.
    user = User.objects.filter(username=email).first()
    one_time_password = None
    if user is None:
        one_time_password = secrets.token_urlsafe(12)
        user = create_user(email=email, full_name=full_name, password=one_time_password)
        user.must_change_password = True
        user.save(update_fields=["must_change_password"])
    elif access.user.username != COMMAND_LINE_USERNAME and _belongs_elsewhere(user, access.organisation):
        # Adding them would show this organisation's admins the name another council keeps
        # for them (and let them reset a password that opens the other council's records).
        raise Conflict(f"{email} already signs in to CareStat for another organisation, so CareStat will "
                       "not add them from here. Ask your CareStat server operator to add them with "
                       "‘carestat adduser’.", field="email")
    existing = Membership.objects.select_for_update().filter(user=user, organisation=access.organisation).first()
    if existing is not None and existing.is_active:
        raise Conflict(f"{email} is already a member", field="email")
    if existing is not None:
        before = snapshot(existing, MEMBER_FIELDS)
        existing.role, existing.unit, existing.is_active = role, unit, True
        existing.save(update_fields=["role", "unit", "is_active", *_touch(existing, access.user)])
        membership = existing
    else:
        before = None
        membership = Membership(user=user, organisation=access.organisation, role=role, unit=unit)
        membership.created_by = membership.changed_by = access.user
        membership.save()
    log_action(
        "core.membership.created",
        actor=access.user,
        organisation=access.organisation,
        record=membership,
        before=before,
        after=snapshot(membership, MEMBER_FIELDS),
        message=f"{access.user.display_name} added {user.display_name} as {membership.get_role_display().lower()}",
    )
    return membership, one_time_password


def _belongs_elsewhere(user: User, org: Organisation) -> bool:
    """Whether ``user`` is (or was) a member of an organisation other than ``org``."""
    # Unscoped by necessity: in ``org``'s scope the other councils' memberships are invisible,
    # and this check exists to see that they are there (only whether, never which).
    return Membership.unscoped.filter(user=user).exclude(organisation=org).exists()


def _admins_left(org: Organisation, excluding: Membership) -> int:
    # Locking every admin's row makes two admins stepping down at once take turns, so the
    # second sees that the first has gone.
    admins = Membership.objects.select_for_update().filter(organisation=org, role=Role.ADMIN, is_active=True)
    return sum(1 for m in admins if m.pk != excluding.pk)


@transaction.atomic
def change_membership(
    access: Access, membership: Membership, *, role: str, unit: Unit | None, is_active: bool
) -> Membership:
    access.require(Perm.ADMINISTER)
    if role not in Role.values:
        raise InvalidInput("Choose a role", field="role")
    if unit is not None and unit.organisation_id != access.organisation.pk:
        raise InvalidInput("Choose a unit of this organisation", field="unit")
    # Judged on the row as it is now: a copy read before someone was made admin would let
    # the last admin go unnoticed.
    membership = _locked(membership)
    losing_admin = membership.role == Role.ADMIN and membership.is_active and (
        role != Role.ADMIN or not is_active
    )
    if losing_admin and _admins_left(access.organisation, membership) == 0:
        raise Conflict("An organisation needs at least one admin; make someone else admin first", field="role")
    before = snapshot(membership, MEMBER_FIELDS)
    membership.role, membership.unit, membership.is_active = role, unit, is_active
    after = snapshot(membership, MEMBER_FIELDS)
    if before == after:
        return membership
    membership.save(update_fields=["role", "unit", "is_active", *_touch(membership, access.user)])
    log_action(
        "core.membership.changed",
        actor=access.user,
        organisation=access.organisation,
        record=membership,
        before=before,
        after=after,
        message=f"{access.user.display_name} changed {membership.user.display_name}'s membership: "
        + "; ".join(describe_changes(Membership, before, after)),
    )
    return membership


# Passwords -----------------------------------------------------------------------------

def _check_new_password(user: User, password: str, again: str) -> None:
    if not password:
        raise InvalidInput("Enter a new password", field="new_password")
    if password != again:
        raise InvalidInput("The two new passwords are not the same; type it again in both boxes",
                           field="new_password_again")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="new_password") from None


@transaction.atomic
def change_own_password(user: User, *, old_password: str, new_password: str, new_password_again: str) -> User:
    """Change the signed-in person's password. Their current password is needed, so a
    browser left signed in cannot be used to take the account over; the new one must pass
    the password rules (12 characters or more, not common, not all numbers, not like their
    name or email)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password or ""):
        raise InvalidInput("Your current password is not right", field="old_password")
    _check_new_password(user, new_password, new_password_again)
    if user.check_password(new_password):
        raise InvalidInput("Choose a password different from your current one", field="new_password")
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    log_action("core.user.password_changed", actor=user, organisation=None, record=user,
               message=f"{user.display_name} changed their password")
    return user


@transaction.atomic
def reset_member_password(access: Access, membership: Membership) -> str:
    """An admin gives a member of their organisation a one-time password, shown once, that
    must be changed at the next sign-in. Every browser the member was signed in on is signed
    out (their session no longer matches the password). Only someone who belongs to this
    organisation alone can be reset from here: for anyone else, the other council's records
    would open to this admin."""
    access.require(Perm.ADMINISTER)
    if membership.organisation_id != access.organisation.pk:
        raise NotAllowed("You can reset passwords only for members of your own organisation")
    user = User.objects.select_for_update().get(pk=membership.user_id)
    if user.pk == access.user.pk:
        raise InvalidInput("Change your own password from ‘Change password’ instead", field=None)
    if _belongs_elsewhere(user, access.organisation):
        raise Conflict(f"{user.email} also signs in for another organisation, so only your CareStat server "
                       "operator can reset their password (‘carestat changepassword’)")
    if not user.is_active:
        raise Conflict(f"{user.email} cannot sign in to CareStat at all, so there is no password to reset")
    one_time_password = secrets.token_urlsafe(12)
    user.set_password(one_time_password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    # A reset is how an admin answers a password that may be known to someone else; the member's
    # API tokens may be too, so they stop working with it (the member makes new ones).
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    tokens = f"; their {revoked} API token{'s' if revoked != 1 else ''} no longer work{'s' if revoked == 1 else ''}" \
        if revoked else ""
    log_action("core.user.password_reset", actor=access.user, organisation=access.organisation, record=membership,
               message=f"{access.user.display_name} reset {user.display_name}'s password; they must choose "
                       f"a new one when they next sign in{tokens}")
    return one_time_password


# API tokens ----------------------------------------------------------------------------

TOKEN_PREFIX = "cst_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; the plain token is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Give the token a name, such as ‘Power BI refresh’", field="name")
    if len(name) > 100:
        raise InvalidInput("Use a name of 100 characters or fewer", field="name")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(days=settings.CARESTAT_API_TOKEN_DAYS)
    token = ApiToken.objects.create(user=user, name=name, prefix=plain[:10], token_hash=hash_token(plain),
                                    expires_at=expires_at)
    log_action(
        "core.token.created", actor=user, organisation=None, record=token,
        message=f"{user.display_name} created API token ‘{name}’ ({token.prefix}…), "
                f"working until {timezone.localtime(expires_at):%-d %B %Y}",
    )
    return token, plain


@transaction.atomic
def revoke_api_token(user: User, token: ApiToken) -> ApiToken:
    if token.user_id != user.pk:
        raise NotAllowed("You can only revoke your own tokens")
    token = _locked(token)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action(
            "core.token.revoked", actor=user, organisation=None, record=token,
            message=f"{user.display_name} revoked API token ‘{token.name}’ ({token.prefix}…)",
        )
    return token


def user_for_token(plain: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(plain or ""), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenExpired(f"This API token (‘{token.name}’, {token.prefix}…) expired on "
                           f"{timezone.localtime(token.expires_at):%-d %B %Y}. Create a new one on the "
                           "‘API tokens’ page and use that instead.")
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
