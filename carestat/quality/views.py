"""Quality pages: thin views over carestat.quality.services and .selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

from carestat.core.errors import NotAllowed, ServiceError
from carestat.core.govuk_forms import apply_service_error
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page, posted, posted_files
from carestat.quality import selectors, services
from carestat.quality.access import get_audit_for_user, get_round_for_user, get_tool_for_user
from carestat.quality.forms import AllocateForm, FindingForm, ReviseForm, RoundForm, ToolForm, audit_form_class
from carestat.quality.models import AuditStatus, Source

SECTION = "quality"


def _page(request, template, title, **context):
    return page(request, template, title, section=SECTION, **context)


def _crumbs(access, *items):
    return [{"text": "Quality", "href": f"/o/{access.organisation.slug}/quality/"}, *items]


def _call(form, fn):
    try:
        return fn()
    except NotAllowed:
        raise
    except ServiceError as exc:
        apply_service_error(form, exc)
        return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tools(request, slug):
    access = org_access(request, slug, Perm.VIEW if request.method != "POST" else Perm.MANAGE)
    form = ToolForm(posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        tool = _call(form, lambda: services.create_tool(
            access, name=d["name"], description=d["description"], questions=services.parse_questions(d["questions"]),
            scale=services.parse_scale(d["scale"])))
        if tool:
            messages.success(request, f"Created audit tool ‘{tool.name}’.")
            return redirect("quality:tool", slug, tool.pk)
    return _page(request, "quality/tools.html", "Audit tools", tools=selectors.tools(access.organisation), form=form,
                 breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tool_page(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW if request.method != "POST" else Perm.MANAGE)
    tool = get_tool_for_user(access, pk)
    current = tool.current
    initial = {"questions": services.questions_text(current.questions),
               "scale": "\n".join(label for _, label in current.scale)} if current else {}
    form = ReviseForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        version = _call(form, lambda: services.revise_tool(
            access, tool, questions=services.parse_questions(d["questions"]), scale=services.parse_scale(d["scale"]),
            note=d["note"]))
        if version:
            messages.success(request, f"Made version {version.number} of ‘{tool.name}’.")
            return redirect("quality:tool", slug, tool.pk)
    return _page(request, "quality/tool.html", tool.name, tool=tool, versions=tool.versions.order_by("-number"),
                 form=form, breadcrumbs=_crumbs(access, {"text": "Audit tools", "href": f"/o/{slug}/quality/tools/"}))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rounds(request, slug):
    access = org_access(request, slug, Perm.VIEW if request.method != "POST" else Perm.MANAGE)
    org = access.organisation
    form = RoundForm(posted(request), posted_files(request), org=org)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        upload = d.get("case_list")
        round_ = _call(form, lambda: services.draw_round(
            access, title=d["title"], tool_version=d["tool_version"], period=d["period"], service=d["service"],
            source=d["source"], stratify_by=d["stratify_by"], requested=d["strata"] or None, total=d["total"],
            seed=d["seed"], exclude_closed=d["exclude_closed"], audited_within_months=d["audited_within_months"],
            peer=d["peer"], moderation_percent=d["moderation_percent"] or 0,
            case_list=upload.read() if upload and d["source"] == Source.UPLOAD else None,
            case_list_name=upload.name if upload else ""))
        if round_:
            messages.success(request, f"Drew {round_.cases.count()} cases for ‘{round_.title}’ (seed {round_.seed}).")
            return redirect("quality:round", slug, round_.pk)
    return _page(request, "quality/rounds.html", "Case-file audits", rows=selectors.progress_by_round(org),
                 mine=selectors.my_audits(access), form=form, breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def round_page(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW if request.method != "POST" else Perm.MANAGE)
    org = access.organisation
    round_ = get_round_for_user(access, pk)
    op = request.POST.get("op") if request.method == "POST" else None
    allocate_form = AllocateForm(request.POST if op == "allocate" else None, members=services.eligible_auditors(org),
                                 prefix="a")
    finding_form = FindingForm(request.POST if op == "finding" else None, org=org, prefix="f")
    if op == "allocate" and allocate_form.is_valid():
        n = _call(allocate_form, lambda: services.allocate(access, round_, auditors=allocate_form.users()))
        if n:
            messages.success(request, f"Allocated {n} audits.")
            return redirect("quality:round", slug, round_.pk)
    if op == "finding" and finding_form.is_valid():
        d = finding_form.cleaned_data
        link = _call(finding_form, lambda: services.action_from_finding(
            access, round_, objective=d["objective"], title=d["title"], due=d["due"], finding=d["finding"],
            theme_name=d["theme"]))
        if link:
            messages.success(request, f"Added action ‘{link.action.title}’ to the plan.")
            return redirect("quality:round", slug, round_.pk)
    if op in ("measures", "close"):
        try:
            if op == "measures":
                codes = services.record_measures(access, round_)
                messages.success(request, f"Recorded {len(codes)} measure values for {round_.period}.")
            else:
                services.close_round(access, round_)
                messages.success(request, "Closed the round.")
        except NotAllowed:
            raise
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("quality:round", slug, round_.pk)
    audits = list(round_.audits.select_related("case", "auditor"))
    return _page(request, "quality/round.html", round_.title, round=round_, progress=selectors.progress(round_),
                 audits=audits, cases=list(round_.cases.all()), allocate_form=allocate_form,
                 finding_form=finding_form, links=list(round_.actions.select_related("action", "theme")),
                 breadcrumbs=_crumbs(access))


@login_required
@require_safe
def sample_csv(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    round_ = get_round_for_user(access, pk)
    response = HttpResponse(services.sample_csv(round_), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="sample-{round_.pk}-seed-{round_.seed}.csv"'
    return response


@login_required
@require_safe
def results(request, slug, pk):
    from carestat.charts.quality import share_good_chart

    access = org_access(request, slug, Perm.VIEW)
    round_ = get_round_for_user(access, pk)
    res = selectors.round_results(round_)
    chart = None
    if res.questions and res.overall.total:
        chart = share_good_chart([q.code for q in res.questions], [q.share.percent for q in res.questions],
                                 f"{round_.title}: questions graded good or better (%)")
    return _page(request, "quality/results.html", f"Results: {round_.title}", round=round_, res=res, chart=chart,
                 scale=round_.tool_version.scale,
                 breadcrumbs=_crumbs(access, {"text": round_.title, "href": f"/o/{slug}/quality/rounds/{round_.pk}/"}))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def audit_page(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW if request.method != "POST" else Perm.CONTRIBUTE)
    audit = get_audit_for_user(access, pk)
    tv = audit.round.tool_version
    may_edit = audit.auditor_id == access.user.pk and audit.status != AuditStatus.SUBMITTED
    if request.method == "POST" and not may_edit:
        raise NotAllowed("Only the auditor allocated to this audit can fill it in")
    see_text = services.can_see_text(access, audit)
    answers = {a.code: a for a in audit.answers.all()}
    initial = {"overall": audit.overall, "strengths": audit.strengths, "improvements": audit.improvements,
               "themes": ", ".join(t.name for t in audit.themes.all()), "version": audit.version}
    for code, a in answers.items():
        initial[f"grade_{code}"] = a.grade
        initial[f"comment_{code}"] = a.comment
    form = audit_form_class(tv)(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        codes = [q["code"] for q in tv.questions]
        submit = request.POST.get("op") == "submit"
        saved = _call(form, lambda: services.save_audit(
            access, audit, grades={c: d[f"grade_{c}"] for c in codes},
            comments={c: d[f"comment_{c}"] for c in codes}, overall=d["overall"], strengths=d["strengths"],
            improvements=d["improvements"], themes=[t for t in d["themes"].split(",") if t.strip()],
            submit=submit, version=d["version"]))
        if saved:
            messages.success(request, "Marked the audit done." if submit else "Saved your draft.")
            return redirect("quality:audit", slug, audit.pk)
    sections = [(name, [(q, form[f"grade_{q['code']}"], form[f"comment_{q['code']}"]) for q in qs])
                for name, qs in tv.sections()]
    return _page(request, "quality/audit.html", f"{audit.get_kind_display()} of case {audit.case.key}", audit=audit,
                 form=form, sections=sections, may_edit=may_edit, see_text=see_text, answers=answers,
                 labels=tv.scale_labels,
                 breadcrumbs=_crumbs(access, {"text": audit.round.title,
                                              "href": f"/o/{slug}/quality/rounds/{audit.round_id}/"}))


@login_required
@require_safe
def themes(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    rs, rows = selectors.themes_over_time(access.organisation)
    history = [(r, s) for r, s in selectors.share_by_round(access.organisation) if s.total]
    chart = None
    if history:
        from carestat.charts.quality import share_good_chart

        chart = share_good_chart([f"{r.period} {r.service}" for r, _ in history], [s.percent for _, s in history],
                                 "Audits graded good or better by round (%)")
    return _page(request, "quality/themes.html", "Themes over time", rounds=rs, rows=rows, chart=chart,
                 breadcrumbs=_crumbs(access))
