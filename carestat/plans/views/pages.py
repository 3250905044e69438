"""Plan pages for reading and progress: plans, my actions, a plan's tree, delivery, timeline
and changes; an action with its period updates and their review; a milestone; Excel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from carestat.charts import TimelineMilestone, milestone_timeline
from carestat.core.access import get_period_for_user
from carestat.core.errors import NotAllowed, ServiceError
from carestat.core.govuk_forms import apply_service_error
from carestat.core.models import ReportingPeriod
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page, posted, posted_files
from carestat.plans import excel, selectors, services
from carestat.plans.access import (
    get_action_for_user,
    get_milestone_for_user,
    get_plan_for_user,
    get_update_for_user,
)
from carestat.plans.forms import (
    CompleteForm,
    ImportForm,
    OverrideForm,
    RedateForm,
    ReviewForm,
    UpdateForm,
)
from carestat.plans.models import (
    ActionUpdate,
    BauOrChange,
    PendingRedate,
    StatusChoice,
    rules_for,
)
from carestat.plans.progress import (
    FILTERS,
    UPDATE_FILTERS,
    changes_since_last_period,
    judge_milestone,
    plan_tree,
    plan_trees,
)

SECTION = "plans"


def _crumbs(access, *items):
    slug = access.organisation.slug
    return [{"text": "Plans", "href": f"/o/{slug}/plans/"}, *items]


@login_required
@require_safe
def plan_list(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    show = request.GET.get("show", "")
    plans = selectors.plans(access.organisation, archived=show == "archived")
    rows = [{"plan": t.plan, "tree": t} for t in plan_trees(plans)]
    return page(request, "plans/list.html", "Plans", section=SECTION, rows=rows, show=show)


@login_required
@require_safe
def my_actions(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    today = timezone.localdate()
    period = services.period_due(access.organisation, today)
    show = request.GET.get("show", "")
    actions = list(selectors.my_actions(access))
    if show == "due":
        due = {a.pk for a in selectors.updates_due(access, today=today)}
        actions = [a for a in actions if a.pk in due]
    elif show == "returned":
        returned = {u.action_id for u in selectors.returned_updates(access)}
        actions = [a for a in actions if a.pk in returned]
    slipping = selectors.my_slipping_milestones(access, today=today) if show == "slipping" else []
    if show == "slipping":
        actions = [a for a in actions if a.pk in {m.milestone.action_id for m in slipping}]
    settings = rules_for(access.organisation)
    updates = selectors.current_updates(actions, period)
    rows = [{"action": a, "rollup": selectors.action_progress(access, a, today=today, settings=settings).rollup,
             "current_update": updates.get(a.pk)} for a in actions]
    return page(request, "plans/my_actions.html", "My actions", section=SECTION, rows=rows, period=period,
                show=show, slipping=slipping, breadcrumbs=_crumbs(access))


@login_required
@require_safe
def plan_tree_page(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    plan = get_plan_for_user(access, pk)
    filters = {k: request.GET.get(k, "") for k in FILTERS}
    tree = plan_tree(plan, filters=filters)
    options = {**selectors.filter_options(plan), "status": StatusChoice.choices, "bau_or_change": BauOrChange.choices,
               "update": UPDATE_FILTERS}
    return page(request, "plans/tree.html", plan.title, section=SECTION, plan=plan, tree=tree, filters=filters,
                options=options, filtered=any(filters.values()), breadcrumbs=_crumbs(access))


@login_required
@require_safe
def delivery(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    plan = get_plan_for_user(access, pk)
    tree = plan_tree(plan)
    return page(request, "plans/delivery.html", f"Delivery: {plan.title}", section=SECTION, plan=plan, tree=tree,
                rows=tree.delivery(),
                breadcrumbs=_crumbs(access, {"text": plan.title, "href": f"/o/{slug}/plans/{plan.pk}/"}))


@login_required
@require_safe
def timeline(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    plan = get_plan_for_user(access, pk)
    tree = plan_tree(plan)
    nodes = tree.milestones()
    chart = None
    if nodes:
        chart = milestone_timeline(
            [TimelineMilestone(n.milestone.title, n.milestone.baseline_date, n.milestone.forecast_date,
                               n.milestone.actual_date) for n in nodes],
            today=tree.today, title=f"Milestones of {plan.title}: baseline against forecast and actual dates",
            chart_id=f"plan-{plan.pk}-timeline",
        )
    return page(request, "plans/timeline.html", f"Timeline: {plan.title}", section=SECTION, plan=plan, chart=chart,
                breadcrumbs=_crumbs(access, {"text": plan.title, "href": f"/o/{slug}/plans/{plan.pk}/"}))


@login_required
@require_safe
def changes(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    plan = get_plan_for_user(access, pk)
    quarters = list(ReportingPeriod.objects.filter(organisation=access.organisation, kind="quarter",
                                                   start__lte=timezone.localdate(), end__gte=plan.start)
                    .order_by("-start"))
    chosen = request.GET.get("period")
    period = get_period_for_user(access, chosen) if chosen else (quarters[0] if quarters else None)
    result = changes_since_last_period(plan, period) if period else None
    return page(request, "plans/changes.html", f"What changed: {plan.title}", section=SECTION, plan=plan,
                period=period, quarters=quarters, changes=result,
                breadcrumbs=_crumbs(access, {"text": plan.title, "href": f"/o/{slug}/plans/{plan.pk}/"}))


@login_required
@require_http_methods(["GET", "POST"])
def action_page(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    action = get_action_for_user(access, pk)
    period = services.period_due(access.organisation)
    form = UpdateForm(posted(request), organisation=access.organisation,
                      initial=_update_initial(action, period))
    if request.method == "POST":
        access.require(Perm.CONTRIBUTE)
        if form.is_valid():
            data = dict(form.cleaned_data)
            chosen = data.pop("period")
            data.pop("version")
            try:
                update = services.save_update(access, action, chosen, submit="submit" in request.POST,
                                              expected_version=form.expected_version(), **data)
            except NotAllowed:
                raise
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, f"{'Submitted' if update.status == 'submitted' else 'Saved'} the "
                                          f"{chosen.identifier} update.")
                return redirect("plans:action", slug, action.pk)
    return _action_page(request, access, action, form=form)


def _update_initial(action, period):
    if period is None:
        return {}
    existing = ActionUpdate.objects.filter(action=action, period=period).first()
    if existing is None:
        return {"period": period.identifier, "percent_complete": action.percent_complete,
                "version": f"{period.identifier}:0"}
    return {"period": period.identifier, "delivery": existing.delivery, "percent_complete": existing.percent_complete,
            "commentary": existing.commentary, "next_steps": existing.next_steps,
            "recovery_action": existing.recovery_action,
            "evidence_links": existing.evidence_links, "version": f"{period.identifier}:{existing.version}"}


def _action_page(request, access, action, *, form=None, review_form=None, status=200):
    prefetch_related_objects([action], "milestones__date_changes__changed_by")
    progress = selectors.action_progress(access, action)
    updates = ActionUpdate.objects.filter(action=action).select_related("period", "submitted_by", "reviewed_by")
    plan = action.plan
    due = services.period_due(access.organisation)
    current = selectors.current_update(action, due)
    return page(request, "plans/action.html", action.title, status=status, section=SECTION, action=action, plan=plan,
                rollup=progress.rollup, milestones=progress.milestones, updates=updates, due=due, current=current,
                form=form, review_form=review_form or ReviewForm(),
                can_update=services.can_update_action(access, action),
                can_manage=services.can_manage_action(access, action),
                breadcrumbs=_crumbs(access, {"text": plan.title,
                                             "href": f"/o/{access.organisation.slug}/plans/{plan.pk}/"}))


@login_required
@require_POST
def review_update(request, slug, pk, identifier):
    access = org_access(request, slug, Perm.MANAGE)
    action = get_action_for_user(access, pk)
    update = get_update_for_user(access, action, identifier)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.approve_update(access, update)
                messages.success(request, f"Approved the {identifier} update.")
            else:
                services.return_update(access, update, comments=form.cleaned_data["comments"])
                messages.success(request, f"Returned the {identifier} update to its owner.")
        except NotAllowed:
            raise
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            return redirect("plans:action", slug, action.pk)
    form_for_update = UpdateForm(organisation=access.organisation,
                                 initial=_update_initial(action, services.period_due(access.organisation)))
    return _action_page(request, access, action, form=form_for_update, review_form=form, status=200)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_page(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    milestone = get_milestone_for_user(access, pk)
    op = request.POST.get("op", "") if request.method == "POST" else ""
    v = {"version": milestone.version}
    forms_ = {
        "redate": RedateForm(request.POST if op == "redate" else None, initial=v),
        "complete": CompleteForm(request.POST if op == "complete" else None,
                                 initial={"actual_date": milestone.actual_date, **v}),
        "override": OverrideForm(request.POST if op == "override" else None,
                                 initial={"rag": milestone.rag_override, "reason": milestone.rag_override_reason, **v}),
    }
    if request.method == "POST":
        access.require(Perm.CONTRIBUTE)
        form = forms_.get(op)
        if form is None:
            return redirect("plans:milestone", slug, milestone.pk)
        if form.is_valid():
            d = form.cleaned_data
            opened = d["version"]
            try:
                if op == "redate":
                    done = services.redate_milestone(access, milestone, new_date=d["new_date"], reason=d["reason"],
                                                     expected_version=opened)
                    if isinstance(done, PendingRedate):
                        messages.warning(request, "The milestone is red and the new date would take it out of red, "
                                                  "so it waits for a manager's approval; the managers have been "
                                                  "told. The date has not moved yet.")
                        return redirect("plans:milestone", slug, milestone.pk)
                elif op == "complete":
                    services.complete_milestone(access, milestone, actual_date=d["actual_date"],
                                                expected_version=opened)
                else:
                    services.override_rag(access, milestone, rag=d["rag"], reason=d["reason"],
                                          expected_version=opened)
            except NotAllowed:
                raise
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, f"Saved milestone ‘{milestone.title}’.")
                warning = services.past_action_end(get_milestone_for_user(access, milestone.pk))
                if warning:
                    messages.warning(request, warning)
                return redirect("plans:milestone", slug, milestone.pk)
    action = milestone.action
    node = judge_milestone(milestone, action, timezone.localdate(), rules_for(access.organisation),
                           access.organisation)
    return page(request, "plans/milestone.html", milestone.title, section=SECTION, milestone=milestone, node=node,
                action=action, changes=milestone.date_changes.select_related("changed_by"), op=op,
                can_update=services.can_update_action(access, action),
                can_manage=services.can_manage_action(access, action), **{f"{k}_form": f for k, f in forms_.items()},
                breadcrumbs=_crumbs(access, {"text": action.plan.title,
                                             "href": f"/o/{slug}/plans/{action.plan.pk}/"},
                                    {"text": action.title, "href": f"/o/{slug}/actions/{action.pk}/"}))


# Excel ----------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def template(request, slug):
    org_access(request, slug, Perm.VIEW)
    return _xlsx(excel.template_workbook(), "carestat-plan-template.xlsx")


@login_required
@require_safe
def export(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    plan = get_plan_for_user(access, pk)
    return _xlsx(excel.export_plan(access, plan), f"plan-{plan.pk}.xlsx")


@login_required
@require_safe
def export_list(request, slug, pk, which, fmt):
    from carestat.plans import exports

    access = org_access(request, slug, Perm.VIEW)
    plan = get_plan_for_user(access, pk)
    return exports.export(access, plan, which, fmt)


@login_required
@require_http_methods(["GET", "POST"])
def import_plan(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    form = ImportForm(posted(request), posted_files(request))
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        try:
            plan = excel.import_plan(access, upload.read(), filename=upload.name)
        except excel.WorkbookInvalid as exc:
            problems = exc.problems
            form.add_error("workbook", f"The workbook has {len(problems)} problem{'s' if len(problems) != 1 else ''}; "
                                       "nothing was imported. Fix them and upload it again.")
        except NotAllowed:
            raise
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Imported ‘{plan.title}’.")
            return redirect("plans:tree", slug, plan.pk)
    return page(request, "plans/import.html", "Import a plan from Excel", section=SECTION, form=form,
                problems=problems, breadcrumbs=_crumbs(access))
