"""Risk register pages: thin views over carestat.risks.services and carestat.risks.register."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from carestat.charts.risk import HeatmapRisk, ScorePoint, risk_heatmap, score_history_chart
from carestat.core.errors import NotAllowed, ServiceError
from carestat.core.govuk_forms import apply_service_error
from carestat.core.models import Unit
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page, posted, posted_files
from carestat.risks import excel, services
from carestat.risks.access import (
    get_category_for_user,
    get_control_for_user,
    get_indicator_for_user,
    get_mitigation_for_user,
    get_risk_for_user,
)
from carestat.risks.forms import (
    ArchiveForm,
    AssessForm,
    CategoryChangeForm,
    CategoryForm,
    ControlChangeForm,
    ControlForm,
    ImportForm,
    IssueForm,
    LinkActionForm,
    LinkMeasureForm,
    MatrixForm,
    NewActionForm,
    RiskChangeForm,
    RiskForm,
)
from carestat.risks.models import RiskCategory, RiskMatrix, matrix_for
from carestat.risks.register import (
    FLAG_FILTERS,
    SORTS,
    filter_rows,
    mitigation_states,
    register_rows,
    risk_row,
    sort_rows,
)

SECTION = "risks"


def _page(request, access, template, title, **context):
    context.setdefault("breadcrumbs", [{"text": "Risks", "href": f"/o/{access.organisation.slug}/risks/"}])
    return page(request, template, title, section=SECTION, **context)


def _form_page(request, access, form, *, title, button, back, caption="", intro=""):
    return _page(request, access, "risks/edit.html", title, form=form, button=button, back=back, caption=caption,
                 intro=intro)


def _run(form, call):
    """Call the service; a ServiceError is shown on the form (NotAllowed goes on to a 403)."""
    try:
        return call(), True
    except NotAllowed:
        raise
    except ServiceError as exc:
        apply_service_error(form, exc)
        return None, False


# The register -----------------------------------------------------------------------------

def _register_export(access, rows, fmt):
    """The register as filtered and sorted on the page, one risk a row, as CSV or Excel. (The
    workbook to edit and import back is ``risks:export``.)"""
    from carestat.core.audit import log_action
    from carestat.core.exports import Column, count_of, export_response

    columns = [Column("Ref"), Column("Risk", width=40), Column("Category"), Column("Owner"), Column("Unit"),
               Column("Status"), Column("Inherent score", "int"), Column("Current score", "int"),
               Column("Current band"), Column("Target score", "int"), Column("Movement"), Column("Flags", width=30),
               Column("Last assessed", "date"), Column("Next review", "date")]
    out = []
    for row in rows:
        r, mv = row.risk, row.movement
        out.append([r.ref, r.title, r.category.name, r.owner.display_name if r.owner else "",
                    r.unit.name if r.unit else "", r.get_status_display(),
                    row.inherent.score if row.inherent else None, row.current.score if row.current else None,
                    row.current.band if row.current else "", row.target.score if row.target else None,
                    mv.label if mv else "", "; ".join(row.flags.words()),
                    row.current.assessed_on if row.current else None, r.next_review])
    log_action("risks.register.exported", actor=access.user, organisation=access.organisation,
               message=f"{access.user.display_name} exported the risk register list as "
                       f"{'Excel' if fmt == 'xlsx' else 'CSV'} ({count_of(len(out), 'risk')})")
    return export_response(f"{access.organisation.slug}-risk-register", "Risk register", columns, out, fmt=fmt)


@login_required
@require_safe
def register(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    flags = [f for f in request.GET.getlist("flag") if f in FLAG_FILTERS]
    category, unit = request.GET.get("category", ""), request.GET.get("unit", "")
    sort = request.GET.get("sort", "score")
    show_closed = request.GET.get("show") == "all"
    rows = register_rows(access.organisation, include_closed=show_closed, issues=None if show_closed else False)
    total = len(rows)
    rows = sort_rows(filter_rows(rows, flags=flags, category=category, unit=unit), sort)
    fmt = {"csv": "csv", "xlsx": "xlsx"}.get(request.GET.get("format", ""))
    if fmt:
        return _register_export(access, rows, fmt)
    options = {
        "category": [(str(c.pk), c.name) for c in RiskCategory.objects.filter(organisation=access.organisation)],
        "unit": [(str(u.pk), u.name) for u in Unit.objects.filter(organisation=access.organisation,
                                                                   is_archived=False)],
    }
    return _page(request, access, "risks/register.html", "Risk register", rows=rows, total=total, flags=flags,
                 category=category, unit=unit, sort=sort, sorts=SORTS, flag_filters=FLAG_FILTERS, options=options,
                 filtered=bool(flags or category or unit), show_closed=show_closed, breadcrumbs=[])


@login_required
@require_safe
def needing_review(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    rows = sort_rows([r for r in register_rows(access.organisation) if r.flags.needs_review], "review")
    return _page(request, access, "risks/review.html", "Risks needing review", rows=rows)


@login_required
@require_safe
def issues(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    rows = register_rows(access.organisation, include_closed=True, issues=True, indicators=False)
    rows = sorted(rows, key=lambda r: r.risk.occurred_on, reverse=True)
    return _page(request, access, "risks/issues.html", "Issues log", rows=rows)


def heatmaps(org, rows):
    m = matrix_for(org)
    out = []
    for kind, label in (("current", "Current"), ("target", "Target")):
        placed = [HeatmapRisk(r.risk.ref, r.risk.title, a.likelihood, a.impact, a.score, a.band)
                  for r in rows if (a := getattr(r, kind)) is not None
                  and a.likelihood <= len(m.likelihood) and a.impact <= len(m.impact)]
        out.append(risk_heatmap(placed, likelihood=m.likelihood, impact=m.impact, band_for=m.band_for,
                                title=f"{label} positions of {len(placed)} open risks",
                                chart_id=f"risks-heatmap-{kind}"))
    return out


@login_required
@require_safe
def heatmap(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    rows = register_rows(access.organisation, indicators=False)
    current, target = heatmaps(access.organisation, rows)
    return _page(request, access, "risks/heatmap.html", "Risk heatmap", current=current, target=target, rows=rows)


# One risk ----------------------------------------------------------------------------------

@login_required
@require_safe
def risk_page(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    risk = get_risk_for_user(access, pk)
    row = risk_row(risk)
    history = list(risk.assessments.select_related("created_by").order_by("assessed_on", "pk"))
    m = matrix_for(access.organisation)
    chart = None
    if history:
        chart = score_history_chart(
            [ScorePoint(a.assessed_on, a.kind, a.likelihood, a.impact, a.score, a.band, a.reason) for a in history],
            title=f"Score history of {risk.ref}: {risk.title}", max_score=m.max_score,
            bands=[(b.label, b.min_score, b.rag) for b in m.bands], chart_id=f"risk-{risk.pk}-history")
    from carestat.core.contributions import record_panels

    return _page(request, access, "risks/risk.html", f"{risk.ref}: {risk.title}", risk=risk, row=row, chart=chart,
                 panels=record_panels("risk", access, risk),
                 controls=risk.controls.filter(is_archived=False), mitigations=mitigation_states(risk),
                 can_manage=services.can_manage_risk(access, risk) and not risk.is_archived,
                 can_assess=services.can_assess_risk(access, risk) and not risk.is_archived)


@login_required
@require_http_methods(["GET", "POST"])
def risk_new(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    form = RiskForm(posted(request), organisation=access.organisation, initial={"review_frequency": "quarterly"})
    if request.method == "POST" and form.is_valid():
        risk, ok = _run(form, lambda: services.create_risk(access, **form.cleaned_data))
        if ok:
            messages.success(request, f"Added risk {risk.ref}. Now score it.")
            return redirect("risks:assess", slug, risk.pk)
    return _form_page(request, access, form, title="Add a risk", button="Add risk", back=f"/o/{slug}/risks/")


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    risk = get_risk_for_user(access, pk)
    initial = {"ref": risk.ref, "title": risk.title, "cause": risk.cause, "event": risk.event,
               "consequence": risk.consequence, "category": str(risk.category_id),
               "owner": str(risk.owner_id or ""), "unit": str(risk.unit_id or ""),
               "priority": str(risk.priority_id or ""), "review_frequency": risk.review_frequency,
               "next_review": risk.next_review, "status": risk.status, "version": risk.version}
    form = RiskChangeForm(posted(request), organisation=access.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        _, ok = _run(form, lambda: services.update_risk(access, risk, expected_version=version, **data))
        if ok:
            messages.success(request, f"Saved risk {risk.ref}.")
            return redirect("risks:risk", slug, risk.pk)
    return _form_page(request, access, form, title=f"Change {risk.ref}", button="Save changes",
                      back=f"/o/{slug}/risks/{risk.pk}/")


@login_required
@require_http_methods(["GET", "POST"])
def assess(request, slug, pk):
    access = org_access(request, slug, Perm.CONTRIBUTE)
    risk = get_risk_for_user(access, pk)
    if not services.can_assess_risk(access, risk):
        raise NotAllowed(f"Only the risk's owner, or a manager of {risk.unit or 'its unit'}, may score {risk.ref}")
    form = AssessForm(posted(request), organisation=access.organisation, initial={"kind": "current"})
    if request.method == "POST" and form.is_valid():
        a, ok = _run(form, lambda: services.assess(access, risk, **form.cleaned_data))
        if ok:
            messages.success(request, f"Scored {risk.ref} ({a.get_kind_display().lower()}) at {a.score}, {a.band}.")
            return redirect("risks:risk", slug, risk.pk)
    m = matrix_for(access.organisation)
    return _form_page(request, access, form, title=f"Score {risk.ref}", button="Save score",
                      back=f"/o/{slug}/risks/{risk.pk}/", caption=risk.title,
                      intro=f"The score is likelihood times impact, from 1 to {m.max_score}. Bands: "
                      + ", ".join(f"{b.label} from {b.min_score}" for b in m.bands) + ".")


def _risk_form(request, slug, pk, form_class, call, *, title, button, done, form_kwargs=None):
    access = org_access(request, slug, Perm.MANAGE)
    risk = get_risk_for_user(access, pk)
    form = form_class(posted(request), **(form_kwargs(access) if form_kwargs else {}))
    if request.method == "POST" and form.is_valid():
        _, ok = _run(form, lambda: call(access, risk, form.cleaned_data))
        if ok:
            messages.success(request, done)
            return redirect("risks:risk", slug, risk.pk)
    return _form_page(request, access, form, title=title, button=button, back=f"/o/{slug}/risks/{risk.pk}/",
                      caption=f"{risk.ref}: {risk.title}")


@login_required
@require_http_methods(["GET", "POST"])
def control_new(request, slug, pk):
    return _risk_form(request, slug, pk, ControlForm,
                      lambda a, r, d: services.add_control(a, r, **d), title="Add a control", button="Add control",
                      done="Added the control.")


@login_required
@require_http_methods(["GET", "POST"])
def control_edit(request, slug, pk, control_pk):
    access = org_access(request, slug, Perm.MANAGE)
    risk = get_risk_for_user(access, pk)
    control = get_control_for_user(access, risk, control_pk)
    form = ControlChangeForm(posted(request), initial={"description": control.description,
                                                    "effectiveness": control.effectiveness})
    if request.method == "POST" and form.is_valid():
        _, ok = _run(form, lambda: services.update_control(access, control, **form.cleaned_data))
        if ok:
            messages.success(request, "Saved the control.")
            return redirect("risks:risk", slug, risk.pk)
    return _form_page(request, access, form, title="Change a control", button="Save control",
                      back=f"/o/{slug}/risks/{risk.pk}/", caption=f"{risk.ref}: {risk.title}")


@login_required
@require_http_methods(["GET", "POST"])
def mitigation_link(request, slug, pk):
    return _risk_form(request, slug, pk, LinkActionForm,
                      lambda a, r, d: services.link_action(a, r, d["action"]), title="Link a plan action",
                      button="Link action", done="Linked the action as a mitigation.",
                      form_kwargs=lambda a: {"organisation": a.organisation})


@login_required
@require_http_methods(["GET", "POST"])
def mitigation_create(request, slug, pk):
    return _risk_form(request, slug, pk, NewActionForm,
                      lambda a, r, d: services.create_mitigating_action(a, r, d["objective"], title=d["title"],
                                                                        due=d["due"], owner=d["owner"]),
                      title="Create a plan action for this risk", button="Create action",
                      done="Created the action in the plan and linked it as a mitigation.",
                      form_kwargs=lambda a: {"organisation": a.organisation})


@login_required
@require_POST
def mitigation_unlink(request, slug, pk, link_pk):
    access = org_access(request, slug, Perm.MANAGE)
    risk = get_risk_for_user(access, pk)
    services.unlink_action(access, get_mitigation_for_user(access, risk, link_pk))
    messages.success(request, "Removed the mitigation.")
    return redirect("risks:risk", slug, risk.pk)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_link(request, slug, pk):
    return _risk_form(request, slug, pk, LinkMeasureForm,
                      lambda a, r, d: services.link_measure(a, r, d["measure"]), title="Link a key risk indicator",
                      button="Link measure", done="Linked the measure as a key risk indicator.",
                      form_kwargs=lambda a: {"organisation": a.organisation})


@login_required
@require_POST
def indicator_unlink(request, slug, pk, link_pk):
    access = org_access(request, slug, Perm.MANAGE)
    risk = get_risk_for_user(access, pk)
    services.unlink_measure(access, get_indicator_for_user(access, risk, link_pk))
    messages.success(request, "Removed the indicator.")
    return redirect("risks:risk", slug, risk.pk)


@login_required
@require_http_methods(["GET", "POST"])
def issue(request, slug, pk):
    return _risk_form(request, slug, pk, IssueForm,
                      lambda a, r, d: services.record_issue(a, r, **d), title="Record that this risk has happened",
                      button="Move to the issues log", done="Moved the risk to the issues log.")


@login_required
@require_http_methods(["GET", "POST"])
def archive(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    risk = get_risk_for_user(access, pk)
    form = ArchiveForm(posted(request))
    if request.method == "POST" and form.is_valid():
        _, ok = _run(form, lambda: services.archive_risk(access, risk, reason=form.cleaned_data["reason"]))
        if ok:
            messages.success(request, f"Archived risk {risk.ref}.")
            return redirect("risks:register", slug)
    return _form_page(request, access, form, title=f"Archive {risk.ref}", button="Archive risk",
                      back=f"/o/{slug}/risks/{risk.pk}/", intro="It leaves the register but keeps its history.")


# Matrix and appetite (admins) ---------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    m = matrix_for(access.organisation)
    if request.method == "POST":
        access.require(Perm.ADMINISTER)
    form = MatrixForm(posted(request), initial={
        "likelihood": "\n".join(m.likelihood), "impact": "\n".join(m.impact),
        "bands": "\n".join(f"{b.label}, {b.min_score}, {b.rag}" for b in m.bands)})
    if request.method == "POST" and form.is_valid():
        _, ok = _run(form, lambda: services.set_matrix(access, likelihood=form.names("likelihood"),
                                                        impact=form.names("impact"),
                                                        bands=form.cleaned_data["bands"]))
        if ok:
            messages.success(request, "Saved the risk matrix. Earlier assessments keep their scores and bands.")
            return redirect("risks:settings", slug)
    changed = RiskMatrix.objects.filter(organisation=access.organisation).first()
    return _page(request, access, "risks/settings.html", "Risk matrix and appetite", form=form, matrix=m,
                 changed=changed, categories=RiskCategory.objects.filter(organisation=access.organisation))


@login_required
@require_http_methods(["GET", "POST"])
def category_new(request, slug):
    access = org_access(request, slug, Perm.ADMINISTER)
    form = CategoryForm(posted(request))
    if request.method == "POST" and form.is_valid():
        _, ok = _run(form, lambda: services.add_category(access, **form.cleaned_data))
        if ok:
            messages.success(request, f"Added category {form.cleaned_data['name']}.")
            return redirect("risks:settings", slug)
    return _form_page(request, access, form, title="Add a risk category", button="Add category",
                      back=f"/o/{slug}/risks/settings/")


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request, slug, pk):
    access = org_access(request, slug, Perm.ADMINISTER)
    cat = get_category_for_user(access, pk)
    form = CategoryChangeForm(posted(request), initial={"name": cat.name, "appetite": cat.appetite,
                                                         "max_target_score": cat.max_target_score,
                                                         "is_archived": cat.is_archived})
    if request.method == "POST" and form.is_valid():
        _, ok = _run(form, lambda: services.update_category(access, cat, **form.cleaned_data))
        if ok:
            messages.success(request, f"Saved category {form.cleaned_data['name']}.")
            return redirect("risks:settings", slug)
    return _form_page(request, access, form, title=f"Change category {cat.name}", button="Save category",
                      back=f"/o/{slug}/risks/settings/")


# Excel --------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_safe
def export(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    response = HttpResponse(excel.export_register(access), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="risk-register-{timezone.localdate():%Y-%m-%d}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_register(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    form = ImportForm(posted(request), posted_files(request))
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        try:
            risks = excel.import_register(access, upload.read(), filename=upload.name)
        except excel.WorkbookInvalid as exc:
            problems = exc.problems
            form.add_error("workbook", f"Nothing was imported: {len(problems)} problem"
                           f"{'s' if len(problems) != 1 else ''} in {upload.name}")
        except NotAllowed:
            raise
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Imported {len(risks)} risks.")
            return redirect("risks:register", slug)
    return _page(request, access, "risks/import.html", "Import a risk register", form=form, problems=problems,
                 columns=excel.COLUMNS)
