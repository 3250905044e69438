from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from carestat.analytics.calendar import Jurisdiction
from carestat.analytics.judgements.rag import format_value
from carestat.core.errors import ServiceError
from carestat.core.govuk_forms import apply_service_error
from carestat.core.models import Unit
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page, posted, posted_files
from carestat.measures import importing, selectors, services
from carestat.measures.access import get_measure_for_user, get_revision_for_user, get_value_for_user
from carestat.measures.catalogue import ensure_catalogue
from carestat.measures.forms import (
    AdoptMeasureForm,
    AutoApproveForm,
    BenchmarkForm,
    ImportForm,
    LocalMeasureForm,
    MeasureSettingsForm,
    ObjectiveLinkForm,
    ProcessChangeForm,
    RejectRevisionForm,
    TargetForm,
    ValueForm,
)
from carestat.measures.judging import icon, judge, spark, value_rows_for_public
from carestat.measures.models import MeasureValueRevision
from carestat.measures.selectors import FILTER_VARIATIONS, cached_measure_rows
from carestat.plans.models import Plan

SECTION = "measures"


def _public(request) -> bool:
    return request.GET.get("public", "").lower() in ("true", "1", "yes")


def _crumbs(access, measure=None):
    items = [{"text": "Measures", "href": f"/o/{access.organisation.slug}/measures/"}]
    if measure is not None:
        items.append({"text": measure.code, "href": f"/o/{access.organisation.slug}/measures/{measure.code}/"})
    return items


@login_required
@require_safe
def measure_list(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    public = _public(request)
    filters = {k: request.GET.get(k, "") for k in ("domain", "plan", "unit", "rag", "variation", "changed")}
    rows, domains = cached_measure_rows(access.organisation, public=public, **filters)
    plans = Plan.objects.filter(organisation=access.organisation, is_archived=False).order_by("title")
    units = Unit.objects.filter(organisation=access.organisation, is_archived=False).order_by("name")
    return page(request, "measures/list.html", "Public measures" if public else "Measures", section=SECTION,
                rows=rows, domains=domains, units=units, plans=plans, filters=filters, public=public,
                variations=FILTER_VARIATIONS, icon=icon,
                awaiting_count=0 if public else selectors.pending_revisions(access.organisation).count())


@login_required
@require_safe
def measure_export(request, slug, fmt):
    """The measures list as filtered on the page (public view too), as CSV or Excel."""
    from carestat.core.audit import log_action
    from carestat.core.exports import Column, count_of, export_response

    access = org_access(request, slug, Perm.VIEW)
    public = _public(request)
    filters = {k: request.GET.get(k, "") for k in ("domain", "plan", "unit", "rag", "variation")}
    rows, _ = cached_measure_rows(access.organisation, public=public, **filters)
    columns = [Column("Code"), Column("Measure", width=50), Column("Domain"), Column("Owner"), Column("Unit"),
               Column("Latest period"), Column("Latest value", "number"), Column("Provisional"),
               Column("Target", "number"), Column("National", "number"), Column("RAG"), Column("Variation", width=30),
               Column("Assurance", width=30)]
    out = []
    for row in rows:
        m, r = row["measure"], row["report"]
        latest = r.latest_point
        value = None
        if latest is not None:
            value = latest.display if latest.suppressed else latest.value.value
        out.append([m.code, m.title, m.domain, m.owner_unit.name if m.owner_unit else "", m.unit,
                    latest.period if latest else "", value,
                    "Yes" if latest and not latest.suppressed and latest.value.is_provisional else "",
                    r.target.value if r.target else None, r.national.value if r.national else None,
                    r.rag_label if r.judgement else "", r.variation.label if r.variation else "",
                    r.assurance.label if r.assurance else ""])
    response = export_response(f"{slug}-{'public-' if public else ''}measures", "Measures", columns, out, fmt=fmt)
    log_action("measures.list.exported", actor=request.user, organisation=access.organisation,
               message=f"{request.user.display_name} exported the {'public ' if public else ''}measures list as "
                       f"{'Excel' if fmt == 'xlsx' else 'CSV'} ({count_of(len(out), 'measure')})")
    return response


@login_required
@require_safe
def measure_detail(request, slug, code):
    access = org_access(request, slug, Perm.VIEW)
    measure = get_measure_for_user(access, code)
    public = _public(request)
    report = judge(measure, public=public)
    # The values table lists each value's earlier versions: read them all at once.
    prefetch_related_objects(report.all_values, Prefetch(
        "revisions", queryset=MeasureValueRevision.objects.select_related("replaced_by")))
    return page(request, "measures/detail.html", f"{measure.code}: {measure.title}", section=SECTION,
                measure=measure, report=report, public=public,
                public_rows=value_rows_for_public(report) if public else None,
                process_changes=measure.process_changes.all(), targets=measure.targets.order_by("-period_start"),
                entered_benchmarks=measure.benchmarks.all(), breadcrumbs=_crumbs(access), spark=spark(report),
                objective_links=measure.objective_links.select_related("objective__priority__plan"),
                can_enter=access.can(Perm.CONTRIBUTE), can_manage=access.can(Perm.MANAGE), icon=icon,
                awaiting=[] if public else list(selectors.pending_revisions(access.organisation).filter(
                    current__measure=measure)))


@login_required
@require_http_methods(["GET", "POST"])
def measure_add(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    ensure_catalogue()
    tracked = access.organisation.measures.values_list("code", flat=True)
    every = request.GET.get("all") == "1"
    offered = selectors.offered_catalogue(access.organisation, every_jurisdiction=every)
    form = AdoptMeasureForm(posted(request), organisation=access.organisation, tracked=tracked, offered=offered)
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.adopt_measure(access, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"{measure.code} is now tracked.")
            return redirect("measures:detail", slug, measure.code)
    return page(request, "measures/add.html", "Track a measure from the catalogue", section=SECTION, form=form,
                local=False, breadcrumbs=_crumbs(access), every_jurisdiction=every,
                jurisdiction=Jurisdiction(access.organisation.jurisdiction).label,
                catalogue=[c for c in offered if c.national_value is not None])


@login_required
@require_http_methods(["GET", "POST"])
def measure_add_local(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    form = LocalMeasureForm(posted(request), organisation=access.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.add_local_measure(access, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Added local measure {measure.code}.")
            return redirect("measures:detail", slug, measure.code)
    return page(request, "measures/add.html", "Add a local measure", section=SECTION, form=form, local=True,
                breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "POST"])
def value_new(request, slug, code):
    access = org_access(request, slug, Perm.CONTRIBUTE)
    measure = get_measure_for_user(access, code)
    form = ValueForm(posted(request), measure=measure, initial={"period": request.GET.get("period", "")})
    if request.method == "POST" and form.is_valid():
        try:
            value = services.enter_value(access, measure, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Saved {measure.code} for {value.period}: "
                             + ("approved." if value.is_approved else "it awaits a manager's approval."))
            return redirect("measures:detail", slug, measure.code)
    return page(request, "measures/form.html", f"Enter a value for {measure.code}", section=SECTION, form=form,
                measure=measure, button="Save value", breadcrumbs=_crumbs(access, measure))


@login_required
@require_POST
def value_approve(request, slug, code, pk):
    access = org_access(request, slug, Perm.MANAGE)
    measure = get_measure_for_user(access, code)
    value = get_value_for_user(access, pk)
    if value.measure_id != measure.pk:
        from django.http import Http404

        raise Http404("No such value")
    try:
        services.approve_value(access, value)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Approved {measure.code} for {value.period}.")
    return redirect("measures:detail", slug, measure.code)


def _manage_form(request, slug, code, form_class, service, title, button, done):
    access = org_access(request, slug, Perm.MANAGE)
    measure = get_measure_for_user(access, code)
    form = form_class(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            service(access, measure, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("measures:detail", slug, measure.code)
    return page(request, "measures/form.html", f"{title} for {measure.code}", section=SECTION, form=form,
                measure=measure, button=button, breadcrumbs=_crumbs(access, measure))


@login_required
@require_http_methods(["GET", "POST"])
def target_new(request, slug, code):
    return _manage_form(request, slug, code, TargetForm, services.set_target, "Set a target", "Save target",
                        "Saved the target.")


@login_required
@require_http_methods(["GET", "POST"])
def benchmark_new(request, slug, code):
    return _manage_form(request, slug, code, BenchmarkForm, services.add_benchmark, "Add a benchmark",
                        "Add benchmark", "Added the benchmark.")


@login_required
@require_http_methods(["GET", "POST"])
def process_change_new(request, slug, code):
    return _manage_form(request, slug, code, ProcessChangeForm, services.record_process_change,
                        "Record a process change", "Record change", "Recorded the process change.")


@login_required
@require_http_methods(["GET", "POST"])
def import_values(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    form = ImportForm(posted(request), posted_files(request))
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = importing.import_values(access, upload.name, upload.read())
        except importing.ImportRejected as exc:
            problems = exc.problems
            form.add_error("file", f"{upload.name} was not imported: nothing was saved. Fix the problems listed "
                                   "and upload it again.")
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, result.summary)
            return redirect("measures:list", slug)
    return page(request, "measures/import.html", "Import measure values", section=SECTION, form=form,
                problems=problems, breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "POST"])
def objective_link(request, slug, code):
    access = org_access(request, slug, Perm.MANAGE)
    measure = get_measure_for_user(access, code)
    linked = measure.objective_links.values_list("objective_id", flat=True)
    form = ObjectiveLinkForm(posted(request),
                             objectives=services.objectives_for(access.organisation).exclude(pk__in=list(linked)))
    if request.method == "POST" and form.is_valid():
        try:
            services.link_objective(access, measure, form.cleaned_data["objective"])
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"{measure.code} is now a measure of success for that objective.")
            return redirect("measures:detail", slug, measure.code)
    return page(request, "measures/form.html", f"Link to a plan objective for {measure.code}", section=SECTION,
                form=form, measure=measure, button="Link objective", breadcrumbs=_crumbs(access, measure))


@login_required
@require_POST
def objective_unlink(request, slug, code, pk):
    from django.http import Http404

    access = org_access(request, slug, Perm.MANAGE)
    measure = get_measure_for_user(access, code)
    link = measure.objective_links.select_related("objective__priority__plan", "measure").filter(pk=pk).first()
    if link is None:
        raise Http404("No such link")
    services.unlink_objective(access, link)
    messages.success(request, f"Removed the link to ‘{link.objective}’.")
    return redirect("measures:detail", slug, measure.code)


@login_required
@require_http_methods(["GET", "POST"])
def measure_settings(request, slug, code):
    access = org_access(request, slug, Perm.MANAGE)
    measure = get_measure_for_user(access, code)
    initial = {"owner_unit": str(measure.owner_unit_id or ""), "tolerance": f"{measure.tolerance.normalize():f}",
               "tolerance_kind": measure.tolerance_kind, "is_public": measure.is_public}
    form = MeasureSettingsForm(posted(request), initial=initial, organisation=access.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.change_measure_settings(access, measure, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Saved the settings of {measure.code}.")
            return redirect("measures:detail", slug, measure.code)
    return page(request, "measures/form.html", f"Change the settings for {measure.code}", section=SECTION,
                form=form, measure=measure, button="Save settings", breadcrumbs=_crumbs(access, measure))


# Recomputed figures awaiting approval ------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def recomputed(request, slug):
    """Recomputed figures that differ from approved ones, old and new side by side; managers
    approve each, admins choose whether they need approving at all."""
    from carestat.casedata import services as casedata_services

    access = org_access(request, slug, Perm.ADMINISTER if request.method == "POST" else Perm.VIEW)
    org = access.organisation
    form = AutoApproveForm(posted(request),
                           initial={"auto_approve_recomputed": casedata_services.auto_approves(org)})
    if request.method == "POST" and form.is_valid():
        casedata_services.set_auto_approve(access, form.cleaned_data["auto_approve_recomputed"])
        messages.success(request, "Recomputed figures are now approved automatically."
                         if form.cleaned_data["auto_approve_recomputed"]
                         else "Recomputed figures that replace approved ones now wait for a manager.")
        return redirect("measures:recomputed", slug)
    rows = [{"revision": r, "measure": r.current.measure, **_side_by_side(r)} for r in selectors.pending_revisions(org)]
    return page(request, "measures/recomputed.html", "Recomputed figures awaiting approval", section=SECTION,
                rows=rows, form=form, breadcrumbs=_crumbs(access))


@login_required
@require_POST
def recomputed_approve(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    revision = get_revision_for_user(access, pk)
    try:
        value = services.approve_revision(access, revision)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Approved the recomputed {value.measure.code} for {value.period}: "
                                  f"{format_value(value.value, value.measure.unit)}.")
    return redirect("measures:recomputed", slug)


@login_required
@require_http_methods(["GET", "POST"])
def recomputed_reject(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    revision = get_revision_for_user(access, pk)
    form = RejectRevisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.reject_revision(access, revision, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Kept the approved {revision.current.measure.code} for "
                                      f"{revision.current.period}; the recomputed figure was rejected.")
            return redirect("measures:recomputed", slug)
    return page(request, "measures/recomputed_reject.html", "Reject a recomputed figure", section=SECTION,
                form=form, revision=revision, breadcrumbs=_crumbs(access), **_side_by_side(revision))


def _side_by_side(revision) -> dict:
    """The approved and recomputed figures in the measure's format, with enough decimal places
    to tell them apart (77.42% beside 77.38%, never 77.4% beside 77.4%), and their counts."""
    from carestat.analytics.judgements.rag import default_places

    current, unit = revision.current, revision.current.measure.unit
    places = default_places(unit)
    while places < 4 and format_value(revision.replaces_value, unit, places) == format_value(revision.value, unit,
                                                                                            places):
        places += 1

    def counts(n, d):
        return f"{n:,.0f} of {d:,.0f}" if n is not None and d is not None else ""

    old_n, old_d = (current.numerator, current.denominator) if current.version == revision.replaces_version \
        else (None, None)
    return {"old": format_value(revision.replaces_value, unit, places), "old_counts": counts(old_n, old_d),
            "new": format_value(revision.value, unit, places),
            "new_counts": counts(revision.numerator, revision.denominator)}
