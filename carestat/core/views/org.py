from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

from carestat.core import selectors, services
from carestat.core.access import (
    get_job_for_user,
    get_membership_for_user,
    get_period_for_user,
    get_unit_for_user,
    organisations_for,
)
from carestat.core.audit import describe_changes
from carestat.core.contributions import home_tiles
from carestat.core.errors import ServiceError
from carestat.core.exports import count_of
from carestat.core.forms import (
    AddMemberForm,
    AddUnitForm,
    AddYearForm,
    AuditFilterForm,
    ChangeMemberForm,
    ChangeUnitForm,
    ReopenPeriodForm,
)
from carestat.core.govuk_forms import apply_service_error
from carestat.core.models import AuditEntry, Membership, ReportingPeriod, Unit
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page, posted


@login_required
@require_safe
def home(request):
    orgs = organisations_for(request.user)
    if len(orgs) == 1:
        return redirect("core:org_home", orgs[0].slug)
    return page(request, "core/choose_org.html", "Your organisations", organisations=orgs)


def unit_tree(org):
    units = list(Unit.objects.filter(organisation=org).order_by("name"))
    children: dict = {}
    for u in units:
        children.setdefault(u.parent_id, []).append(u)

    def build(parent_id):
        return [{"unit": u, "children": build(u.pk)} for u in children.get(parent_id, [])]

    return build(None)


def _record_entries(org):
    return AuditEntry.unscoped.filter(organisation=org).exclude(action__startswith="core.auth.")


ROLE_HEADINGS = {
    "contributor": ("Your work", "Your updates and milestones for this quarter."),
    "manager": ("Needs your attention", "Your updates, what awaits your approval, and what is slipping or "
                                        "turning red in the plans and measures you look after."),
    "admin": ("Needs your attention", "Your updates, what awaits your approval, and what is slipping or "
                                      "turning red."),
    "viewer": ("Plans and performance", "Each plan's RAG, the latest published reports and the measures whose "
                                        "RAG changed."),
    "auditor": ("Data and reports", "The latest submissions and their data quality, and the latest published "
                                    "reports."),
}


@login_required
@require_safe
def org_home(request, slug):
    """Each role's own home page: what needs this person first (the tiles domains contribute
    for their role), then the organisation's figures; an admin also sees the admin tasks."""
    access = org_access(request, slug, Perm.VIEW)
    org = access.organisation
    period = services.current_period(org)
    tiles = home_tiles(access, period)
    admin = {}
    if access.can(Perm.ADMINISTER):
        admin = {"tree": unit_tree(org),
                 "members": Membership.objects.filter(organisation=org, is_active=True).select_related("user", "unit"),
                 "recent": _record_entries(org).select_related("actor")[:10]}
    heading, lede = ROLE_HEADINGS[access.role]
    return page(
        request, "core/org_home.html", org.name, section="home", period=period, role_heading=heading,
        role_lede=lede, yours=[t for t in tiles if t.group == "you"], tiles=[t for t in tiles if t.group != "you"],
        is_admin=bool(admin), **admin,
    )


# Members ------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def members(request, slug):
    access = org_access(request, slug, Perm.ADMINISTER)
    form = AddMemberForm(posted(request), organisation=access.organisation)
    one_time = None
    if request.method == "POST" and form.is_valid():
        try:
            membership, one_time = services.add_member(access, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            role = membership.get_role_display().lower()
            messages.success(request, f"{membership.user.display_name} is now a {role}.")
            if one_time is None:
                return redirect("core:members", slug)
            form = AddMemberForm(organisation=access.organisation)
            return page(request, "core/members.html", "Members and roles", section="members", form=form,
                        members=_members(access), one_time=one_time, new_member=membership)
    return page(request, "core/members.html", "Members and roles", section="members", form=form,
                members=_members(access), one_time=None)


def _members(access):
    return (Membership.objects.filter(organisation=access.organisation)
            .select_related("user", "unit").order_by("-is_active", "user__full_name"))


@login_required
@require_http_methods(["GET", "POST"])
def member_change(request, slug, pk):
    access = org_access(request, slug, Perm.ADMINISTER)
    membership = get_membership_for_user(access, pk)
    initial = {"role": membership.role, "unit": str(membership.unit_id or ""), "is_active": membership.is_active}
    form = ChangeMemberForm(posted(request), initial=initial, organisation=access.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.change_membership(access, membership, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Saved {membership.user.display_name}'s membership.")
            return redirect("core:members", slug)
    return page(request, "core/member_change.html", f"Change {membership.user.display_name}'s membership",
                section="members", form=form, membership=membership)


# Units --------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def units(request, slug):
    access = org_access(request, slug, Perm.ADMINISTER)
    form = AddUnitForm(posted(request), organisation=access.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.add_unit(access, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Added {unit.get_kind_display().lower()} ‘{unit.name}’.")
            return redirect("core:units", slug)
    return page(request, "core/units.html", "Units", section="units", form=form, tree=unit_tree(access.organisation))


@login_required
@require_http_methods(["GET", "POST"])
def unit_change(request, slug, pk):
    access = org_access(request, slug, Perm.ADMINISTER)
    unit = get_unit_for_user(access, pk)
    form = ChangeUnitForm(posted(request), initial={"name": unit.name, "is_archived": unit.is_archived})
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.update_unit(access, unit, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Saved unit ‘{unit.name}’.")
            return redirect("core:units", slug)
    return page(request, "core/unit_change.html", f"Change unit ‘{unit.name}’", section="units", form=form, unit=unit)


# Periods ------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def periods(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    form = AddYearForm(posted(request))
    if request.method == "POST":
        access.require(Perm.ADMINISTER)
        if form.is_valid():
            try:
                created = services.add_year_periods(access, form.cleaned_data["identifier"])
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, f"Added {len(created)} reporting periods." if created
                                 else "Those reporting periods already exist.")
                return redirect("core:periods", slug)
    kind = request.GET.get("kind", "quarter")
    if kind not in {"year", "half", "quarter", "month"}:
        kind = "quarter"
    rows = ReportingPeriod.objects.filter(organisation=access.organisation, kind=kind).order_by("-start")
    return page(request, "core/periods.html", "Reporting periods", section="periods", form=form,
                periods=rows, kind=kind, current=services.current_period(access.organisation))


@login_required
@require_http_methods(["POST"])
def period_close(request, slug, identifier):
    access = org_access(request, slug, Perm.MANAGE)
    period = get_period_for_user(access, identifier)
    try:
        services.close_period(access, period)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Closed {period.identifier}. Its updates are now frozen.")
    return redirect("core:periods", slug)


@login_required
@require_http_methods(["GET", "POST"])
def period_reopen(request, slug, identifier):
    access = org_access(request, slug, Perm.MANAGE)
    period = get_period_for_user(access, identifier)
    form = ReopenPeriodForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.reopen_period(access, period, form.cleaned_data["reason"])
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Reopened {period.identifier}.")
            return redirect("core:periods", slug)
    return page(request, "core/period_reopen.html", f"Reopen {period.identifier}", section="periods",
                form=form, period=period)


# History ------------------------------------------------------------------------------

def entry_lines(entry: AuditEntry) -> list[str]:
    from django.apps import apps

    model = None
    for m in apps.get_models():
        if m._meta.model_name == entry.record_type:
            model = m
            break
    if model is None or (entry.before is None and entry.after is None):
        return []
    if entry.before is None:
        return []
    return describe_changes(model, entry.before, entry.after)


@login_required
@require_safe
def record_history(request, slug, record_type, record_id):
    access = org_access(request, slug, Perm.VIEW)
    entries = list(
        selectors.record_history(access.organisation, record_type, record_id))
    if not entries:
        raise Http404("No history for that record")
    rows = [{"entry": e, "lines": entry_lines(e)} for e in entries]
    label = entries[0].record_label
    return page(request, "core/history.html", f"History of {label}", rows=rows, label=label,
                record_type=record_type)




def _audit_filter(request, access):
    """The audit trail's filter form, bound to the query, and the filter it gives (nothing filtered
    while the form has an error, which the page shows)."""
    org = access.organisation
    form = AuditFilterForm(request.GET or None, people=selectors.audit_people(org),
                           record_types=selectors.audit_record_types(org))
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        return form, selectors.AuditFilter(kind=d["kind"] or "", actor=d["actor"], since=d["since"],
                                           until=d["until"], record_type=d["record_type"] or "")
    return form, selectors.AuditFilter()


@login_required
@require_safe
def audit_log(request, slug):
    access = org_access(request, slug, Perm.VIEW_AUDIT)
    form, chosen = _audit_filter(request, access)
    entries = chosen.apply(selectors.audit_entries(access.organisation))
    paginator = Paginator(entries, 50)
    page_obj = paginator.get_page(request.GET.get("page"))
    rows = [{"entry": e, "lines": entry_lines(e)} for e in page_obj]
    query = request.GET.copy()
    query.pop("page", None)
    return page(request, "core/audit_log.html", "Audit trail", section="audit", rows=rows, page_obj=page_obj,
                form=form, query=query.urlencode(), filtered=chosen != selectors.AuditFilter())


@login_required
@require_safe
def audit_export(request, slug):
    from carestat.core.audit import log_action
    from carestat.core.exports import Column, export_response

    access = org_access(request, slug, Perm.VIEW_AUDIT)
    _, chosen = _audit_filter(request, access)
    entries = list(chosen.apply(selectors.audit_entries(access.organisation)))
    columns = [Column("When", "datetime"), Column("Who"), Column("Action"), Column("Record type"),
               Column("Record id"), Column("Record"), Column("What happened", width=60), Column("Before"),
               Column("After")]
    rows = [[e.at, e.actor_name, e.action, e.record_type, e.record_id, e.record_label, e.message,
             e.before or "", e.after or ""] for e in entries]
    fmt = "xlsx" if request.path.endswith(".xlsx") else "csv"
    response = export_response(f"{slug}-audit-trail", "Audit trail", columns, rows, fmt=fmt)
    log_action("core.audit.exported", actor=request.user, organisation=access.organisation,
               message=f"{request.user.display_name} exported the audit trail ({count_of(len(rows), 'entry')}) "
                       f"as {'Excel' if fmt == 'xlsx' else 'CSV'}")
    return response


@login_required
@require_safe
def job(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    job = get_job_for_user(access, pk)
    from carestat.core.jobs import MAX_ATTEMPTS

    return page(request, "core/job.html", job.title, job=job, max_attempts=MAX_ATTEMPTS)


@login_required
@require_http_methods(["POST"])
def job_retry(request, slug, pk):
    """Queue a failed job again (managers, who may start jobs), within the attempts allowed."""
    from carestat.core.jobs import retry_job

    access = org_access(request, slug, Perm.MANAGE)
    job = get_job_for_user(access, pk)
    try:
        job = retry_job(job.pk, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("core:job", slug, job.pk)
