from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema
from ninja.responses import Status

from carestat.core import selectors, services
from carestat.core.access import (
    get_job_for_user,
    get_membership_for_user,
    get_period_for_user,
    get_unit_for_user,
    org_access,
    organisations_for,
)
from carestat.core.errors import InvalidInput
from carestat.core.models import AuditEntry, Membership, ReportingPeriod, Role, Unit, UnitKind
from carestat.core.permissions import Perm

router = Router(tags=["organisations"])


class Problem(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    detail: str
    field: str | None = None
    errors: list[Problem] | None = None


class MembershipBrief(Schema):
    organisation: str
    organisation_name: str
    role: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    memberships: list[MembershipBrief]


class OrganisationOut(Schema):
    slug: str
    name: str
    jurisdiction: str
    la_code: str
    role: str


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    is_archived: bool


class UnitIn(Schema):
    name: str = Field(..., max_length=200)
    kind: UnitKind
    parent_id: int | None = None


class UnitPatch(Schema):
    name: str | None = Field(None, max_length=200)
    is_archived: bool | None = None


class PeriodOut(Schema):
    identifier: str
    kind: str
    start: dt.date
    end: dt.date
    status: str


class YearIn(Schema):
    year: str = Field(..., max_length=7, description="A financial year such as 2025-26")


class ReopenIn(Schema):
    reason: str = Field(..., max_length=1000)


class MemberOut(Schema):
    id: int
    email: str | None = Field(..., description="Shown to the organisation's admins only")
    full_name: str
    role: str
    unit_id: int | None
    is_active: bool


class MemberIn(Schema):
    email: str = Field(..., max_length=254)
    full_name: str = Field("", max_length=200)
    role: Role
    unit_id: int | None = None


class MemberCreated(MemberOut):
    one_time_password: str | None = None


class MemberPatch(Schema):
    role: Role | None = None
    unit_id: int | None = None
    is_active: bool | None = None


class AuditOut(Schema):
    at: dt.datetime
    actor: str
    action: str
    record_type: str
    record_id: str
    record: str
    message: str
    before: dict | None
    after: dict | None


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 503: ErrorOut}


def _org(access) -> dict:
    o = access.organisation
    return {"slug": o.slug, "name": o.name, "jurisdiction": o.jurisdiction, "la_code": o.la_code, "role": access.role}


def _unit(u: Unit) -> dict:
    return {"id": u.pk, "name": u.name, "kind": u.kind, "parent_id": u.parent_id, "is_archived": u.is_archived}


def _member(m: Membership, *, show_email: bool = True) -> dict:
    return {"id": m.pk, "email": m.user.email if show_email else None, "full_name": m.user.display_name, "role": m.role,
            "unit_id": m.unit_id, "is_active": m.is_active}


def _audit(e: AuditEntry) -> dict:
    return {"at": e.at, "actor": e.actor_name, "action": e.action, "record_type": e.record_type,
            "record_id": e.record_id, "record": e.record_label, "message": e.message,
            "before": e.before, "after": e.after}


@router.get("/me", response=MeOut, summary="The signed-in person and their memberships")
def me(request):
    # The person's own memberships in every organisation: the API's organisation chooser.
    memberships = Membership.unscoped.filter(user=request.user, is_active=True).select_related("organisation")
    return {
        "id": request.user.pk, "email": request.user.email, "full_name": request.user.display_name,
        "memberships": [{"organisation": m.organisation.slug, "organisation_name": m.organisation.name,
                         "role": m.role} for m in memberships],
    }


@router.get("/organisations", response=list[OrganisationOut], summary="Organisations you are a member of")
def organisations(request):
    return [_org(org_access(request, o.slug)) for o in organisations_for(request.user)]


@router.get("/organisations/{slug}", response={200: OrganisationOut, **ERRORS})
def organisation(request, slug: str):
    return _org(org_access(request, slug, Perm.VIEW))


@router.get("/organisations/{slug}/units", response={200: list[UnitOut], **ERRORS})
def units(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_unit(u) for u in Unit.objects.filter(organisation=access.organisation)]


@router.post("/organisations/{slug}/units", response={201: UnitOut, **ERRORS}, summary="Add a unit (admins)")
def add_unit(request, slug: str, payload: UnitIn):
    access = org_access(request, slug, Perm.VIEW)
    parent = get_unit_for_user(access, payload.parent_id) if payload.parent_id is not None else None
    return Status(201, _unit(services.add_unit(access, name=payload.name, kind=payload.kind, parent=parent)))


@router.patch("/organisations/{slug}/units/{unit_id}", response={200: UnitOut, **ERRORS})
def change_unit(request, slug: str, unit_id: int, payload: UnitPatch):
    access = org_access(request, slug, Perm.VIEW)
    unit = get_unit_for_user(access, unit_id)
    name = payload.name if payload.name is not None else unit.name
    archived = payload.is_archived if payload.is_archived is not None else unit.is_archived
    return _unit(services.update_unit(access, unit, name=name, is_archived=archived))


@router.get("/organisations/{slug}/periods", response={200: list[PeriodOut], **ERRORS})
def periods(request, slug: str, kind: str | None = None):
    access = org_access(request, slug, Perm.VIEW)
    rows = ReportingPeriod.objects.filter(organisation=access.organisation)
    if kind:
        if kind not in {"year", "half", "quarter", "month"}:
            raise InvalidInput("kind must be year, half, quarter or month", field="kind")
        rows = rows.filter(kind=kind)
    return [{"identifier": p.identifier, "kind": p.kind, "start": p.start, "end": p.end, "status": p.status}
            for p in rows]


@router.post("/organisations/{slug}/periods", response={201: list[PeriodOut], **ERRORS},
             summary="Add a financial year with its halves, quarters and months (admins)")
def add_year(request, slug: str, payload: YearIn):
    access = org_access(request, slug, Perm.VIEW)
    created = services.add_year_periods(access, payload.year)
    return Status(201, [{"identifier": p.identifier, "kind": p.kind, "start": p.start, "end": p.end, "status": p.status}
                       for p in created])


@router.post("/organisations/{slug}/periods/{identifier}/close", response={200: PeriodOut, **ERRORS})
def close_period(request, slug: str, identifier: str):
    access = org_access(request, slug, Perm.VIEW)
    p = services.close_period(access, get_period_for_user(access, identifier))
    return {"identifier": p.identifier, "kind": p.kind, "start": p.start, "end": p.end, "status": p.status}


@router.post("/organisations/{slug}/periods/{identifier}/reopen", response={200: PeriodOut, **ERRORS})
def reopen_period(request, slug: str, identifier: str, payload: ReopenIn):
    access = org_access(request, slug, Perm.VIEW)
    p = services.reopen_period(access, get_period_for_user(access, identifier), payload.reason)
    return {"identifier": p.identifier, "kind": p.kind, "start": p.start, "end": p.end, "status": p.status}


@router.get("/organisations/{slug}/memberships", response={200: list[MemberOut], **ERRORS})
def memberships(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    rows = Membership.objects.filter(organisation=access.organisation).select_related("user")
    admin = access.can(Perm.ADMINISTER)
    if not admin:
        rows = rows.filter(is_active=True)
    # Staff email addresses are for the admins who manage members, not for every viewer.
    return [_member(m, show_email=admin) for m in rows]


@router.post("/organisations/{slug}/memberships", response={201: MemberCreated, **ERRORS},
             summary="Add a member (admins); someone new gets a one-time password, shown once")
def add_membership(request, slug: str, payload: MemberIn):
    access = org_access(request, slug, Perm.VIEW)
    unit = get_unit_for_user(access, payload.unit_id) if payload.unit_id is not None else None
    membership, one_time = services.add_member(
        access, email=payload.email, full_name=payload.full_name, role=payload.role, unit=unit
    )
    return Status(201, {**_member(membership), "one_time_password": one_time})


@router.patch("/organisations/{slug}/memberships/{membership_id}", response={200: MemberOut, **ERRORS})
def change_membership(request, slug: str, membership_id: int, payload: MemberPatch):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.ADMINISTER)
    m = get_membership_for_user(access, membership_id)
    fields = payload.model_dump(exclude_unset=True)
    unit = m.unit
    if "unit_id" in fields:
        unit = get_unit_for_user(access, fields["unit_id"]) if fields["unit_id"] is not None else None
    return _member(services.change_membership(
        access, m, role=fields.get("role") or m.role, unit=unit,
        is_active=fields["is_active"] if fields.get("is_active") is not None else m.is_active,
    ))


@router.get("/organisations/{slug}/history/{record_type}/{record_id}", response={200: list[AuditOut], **ERRORS},
            summary="A record's history, newest first")
def record_history(request, slug: str, record_type: str, record_id: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_audit(e) for e in selectors.record_history(access.organisation, record_type, record_id)[:500]]


@router.get("/organisations/{slug}/audit", response={200: list[AuditOut], **ERRORS},
            summary="The organisation's audit trail, newest first (admins and auditors)")
def audit(request, slug: str, limit: int = 100, offset: int = 0, kind: str = "", actor: int | None = None,
          since: dt.date | None = None, until: dt.date | None = None, record_type: str = ""):
    access = org_access(request, slug, Perm.VIEW_AUDIT)
    if not 1 <= limit <= 1000 or offset < 0:
        raise InvalidInput("limit must be 1 to 1000 and offset 0 or more", field="limit")
    if kind not in ("", "changes", "signins"):
        raise InvalidInput("kind must be changes or signins, or left out for everything", field="kind")
    if since and until and until < since:
        raise InvalidInput("until must be the same day as since or later", field="until")
    chosen = selectors.AuditFilter(kind=kind, actor=actor, since=since, until=until, record_type=record_type)
    return [_audit(e) for e in chosen.apply(selectors.audit_entries(access.organisation))[offset: offset + limit]]


class JobOut(Schema):
    id: int
    kind: str = Field(..., description="The named task, such as casedata.ingest or reports.draft")
    title: str
    status: str = Field(..., description="queued, running, done or failed")
    done: int
    total: int
    percent: int | None
    message: str
    error: str
    result_url: str = Field(..., description="The page of what the job made, once it is done")
    attempts: int
    retryable: bool
    retry_problem: str | None = Field(None, description="Why it cannot be retried, when it cannot")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


def job_out(job) -> dict:
    problem = job.retry_problem if job.status == "failed" else None
    return {"id": job.pk, "kind": job.kind, "title": job.title, "status": job.status, "done": job.done,
            "total": job.total, "percent": job.percent, "message": job.message, "error": job.error,
            "result_url": job.result_url, "attempts": job.attempts,
            "retryable": job.status == "failed" and problem is None, "retry_problem": problem,
            "created_at": job.created_at, "started_at": job.started_at, "finished_at": job.finished_at}


@router.get("/organisations/{slug}/jobs/{job_id}", response={200: JobOut, **ERRORS},
            summary="A background job's status and progress; poll it until status is done or failed")
def get_job(request, slug: str, job_id: int):
    access = org_access(request, slug, Perm.VIEW)
    return job_out(get_job_for_user(access, job_id))


@router.post("/organisations/{slug}/jobs/{job_id}/retry", response={202: JobOut, **ERRORS},
             summary="Queue a failed job again (managers); 409 says why when it cannot be")
def retry(request, slug: str, job_id: int):
    from carestat.core.jobs import retry_job
    access = org_access(request, slug, Perm.MANAGE)
    job = retry_job(get_job_for_user(access, job_id).pk, user=request.user)
    return Status(202, job_out(job))


class SearchHitOut(Schema):
    kind: str = Field(..., description="What the record is: Plan, Action, Update commentary, Measure, Risk ...")
    title: str
    code: str
    detail: str
    url: str = Field(..., description="The record's page")


class SearchGroupOut(Schema):
    key: str = Field(..., description="plans, actions, milestones, updates, measures, risks, savings, decisions, "
                                      "reports or submissions")
    label: str
    hits: list[SearchHitOut]


@router.get("/organisations/{slug}/search", response={200: list[SearchGroupOut], **ERRORS},
            summary="Records you may read whose titles, codes or commentary match the words (at most 20 of each kind)")
def search(request, slug: str, q: str = ""):
    from carestat.core import search as finder

    access = org_access(request, slug, Perm.VIEW)
    return [{"key": g.key, "label": g.label,
             "hits": [{"kind": h.kind, "title": h.title, "code": h.code, "detail": h.detail, "url": h.href}
                      for h in g.hits]}
            for g in finder.search(access, q)]
# Notifications ---------------------------------------------------------------------------

class NotificationOut(Schema):
    id: int
    event: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationCountOut(Schema):
    marked_read: int


class NotificationPreferencesOut(Schema):
    events: list[str] = Field(..., description="The events you are told of")
    email: bool
    digest: bool


class NotificationPreferencesIn(Schema):
    events: list[str] = Field(..., description="The events to be told of; any left out are turned off")
    email: bool = True
    digest: bool = False


def _note(n) -> dict:
    return {"id": n.pk, "event": n.event, "title": n.title, "body": n.body, "url": n.url,
            "created_at": n.created_at, "read_at": n.read_at}


@router.get("/organisations/{slug}/notifications", response={200: list[NotificationOut], **ERRORS},
            summary="Your notifications in this organisation, unread first")
def notifications(request, slug: str, unread: bool = False):
    access = org_access(request, slug, Perm.VIEW)
    rows = selectors.notifications(access)
    return [_note(n) for n in (rows.filter(read_at__isnull=True) if unread else rows)[:200]]


@router.post("/organisations/{slug}/notifications/read", response={200: NotificationCountOut, **ERRORS},
             summary="Mark all your notifications (or the one ``id`` names) as read")
def notifications_read(request, slug: str, id: int | None = None):
    from carestat.core.notifications import mark_read

    access = org_access(request, slug, Perm.VIEW)
    return {"marked_read": mark_read(access.organisation, access.user, id)}


def _prefs(pref) -> dict:
    from carestat.core.models import NotificationEvent

    return {"events": [e for e in NotificationEvent.values if e not in (pref.muted or [])], "email": pref.email,
            "digest": pref.digest}


@router.get("/organisations/{slug}/notification-preferences", response={200: NotificationPreferencesOut, **ERRORS},
            summary="What CareStat tells you, and whether by email at once or in a daily digest")
def notification_preferences(request, slug: str):
    from carestat.core.notifications import preference_for

    access = org_access(request, slug, Perm.VIEW)
    return _prefs(preference_for(access.organisation, access.user))


@router.put("/organisations/{slug}/notification-preferences", response={200: NotificationPreferencesOut, **ERRORS},
            summary="Choose what CareStat tells you")
def notification_preferences_set(request, slug: str, payload: NotificationPreferencesIn):
    from carestat.core.models import NotificationEvent
    from carestat.core.notifications import set_preferences

    access = org_access(request, slug, Perm.VIEW)
    unknown = [e for e in payload.events if e not in NotificationEvent.values]
    if unknown:
        raise InvalidInput(f"‘{unknown[0]}’ is not an event CareStat tells people of", field="events")
    pref = set_preferences(access, muted=[e for e in NotificationEvent.values if e not in payload.events],
                           email=payload.email, digest=payload.digest)
    return _prefs(pref)
