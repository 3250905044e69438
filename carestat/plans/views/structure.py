"""Keeping a plan: its structure, details, archiving and rules.

Each page calls one service; the service holds the rules and its errors land on the field
they name. A refusal for the person's role (NotAllowed) is a 403, as on every other page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from carestat.core.errors import NotAllowed, ServiceError
from carestat.core.govuk_forms import apply_service_error
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page, posted
from carestat.plans import selectors, services
from carestat.plans.access import (
    get_action_for_user,
    get_milestone_for_user,
    get_objective_for_user,
    get_plan_for_user,
    get_priority_for_user,
)
from carestat.plans.forms import (
    ActionChangeForm,
    ActionForm,
    ArchiveForm,
    MilestoneForm,
    MilestoneTitleForm,
    ObjectiveChangeForm,
    ObjectiveForm,
    PlanChangeForm,
    PlanForm,
    PlanRulesForm,
    PriorityChangeForm,
    PriorityForm,
    UnarchiveForm,
)
from carestat.plans.models import (
    Action,
    BauOrChange,
    Milestone,
    Objective,
    Plan,
    Priority,
    rules_for,
)
from carestat.plans.views.pages import SECTION, _crumbs


def _form_page(request, access, form, *, title, caption="", button, back, status=200, intro=""):
    return page(request, "plans/edit.html", title, status=status, section=SECTION, form=form, caption=caption,
                button=button, back=back, intro=intro, breadcrumbs=_crumbs(access))


def _save(form, call):
    """Run a service call for a valid form; on a service error, show it on the form."""
    try:
        return call()
    except NotAllowed:
        raise
    except ServiceError as exc:
        apply_service_error(form, exc)
        return None


def _changed(form) -> tuple[dict, dict]:
    """A change form's fields for the service, and the version it was opened on."""
    data = dict(form.cleaned_data)
    return data, {"expected_version": data.pop("version")}


def _tree_url(slug, plan):
    return reverse("plans:tree", args=[slug, plan.pk])


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    org = access.organisation
    form = PlanForm(request.POST, organisation=org) if request.method == "POST" else PlanForm(organisation=org)
    if request.method == "POST" and form.is_valid():
        plan = _save(form, lambda: services.create_plan(access, **form.cleaned_data))
        if plan is not None:
            messages.success(request, f"Created ‘{plan.title}’. Add its priorities or themes next.")
            return redirect("plans:tree", slug, plan.pk)
    return _form_page(request, access, form, title="Create a plan", button="Create plan",
                      back=reverse("plans:list", args=[slug]))


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    plan = get_plan_for_user(access, pk)
    org = access.organisation
    initial = {"title": plan.title, "kind": plan.kind, "description": plan.description,
               "owner_unit": str(plan.owner_unit_id or ""), "start": plan.start, "end": plan.end,
               "version": plan.version}
    form = (PlanChangeForm(request.POST, organisation=org) if request.method == "POST"
            else PlanChangeForm(organisation=org, initial=initial))
    if request.method == "POST" and form.is_valid():
        data, opened = _changed(form)
        if (saved := _save(form, lambda: services.update_plan(access, plan, **data, **opened))) is not None:
            messages.success(request, f"Saved ‘{saved.title}’.")
            return redirect("plans:tree", slug, plan.pk)
    return _form_page(request, access, form, title=f"Change ‘{plan.title}’", caption=plan.get_kind_display(),
                      button="Save", back=_tree_url(slug, plan))


@login_required
@require_http_methods(["GET", "POST"])
def priority_new(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    plan = get_plan_for_user(access, pk)
    form = PriorityForm(request.POST) if request.method == "POST" else PriorityForm()
    if request.method == "POST" and form.is_valid():
        priority = _save(form, lambda: services.add_priority(access, plan, **form.cleaned_data))
        if priority is not None:
            messages.success(request, f"Added ‘{priority.title}’ to ‘{plan.title}’.")
            return redirect(_tree_url(slug, plan) + f"#priority-{priority.pk}")
    return _form_page(request, access, form, title="Add a priority or theme", caption=plan.title,
                      button="Add priority or theme", back=_tree_url(slug, plan))


@login_required
@require_http_methods(["GET", "POST"])
def priority_edit(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    priority = get_priority_for_user(access, pk)
    form = (PriorityChangeForm(request.POST) if request.method == "POST"
            else PriorityChangeForm(initial={"title": priority.title, "version": priority.version}))
    if request.method == "POST" and form.is_valid():
        data, opened = _changed(form)
        if (saved := _save(form, lambda: services.update_priority(access, priority, **data, **opened))) is not None:
            messages.success(request, f"Saved ‘{saved.title}’.")
            return redirect(_tree_url(slug, priority.plan) + f"#priority-{priority.pk}")
    return _form_page(request, access, form, title="Change a priority or theme", caption=priority.plan.title,
                      button="Save", back=_tree_url(slug, priority.plan))


@login_required
@require_http_methods(["GET", "POST"])
def objective_new(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    priority = get_priority_for_user(access, pk)
    form = ObjectiveForm(request.POST) if request.method == "POST" else ObjectiveForm()
    if request.method == "POST" and form.is_valid():
        objective = _save(form, lambda: services.add_objective(access, priority, **form.cleaned_data))
        if objective is not None:
            messages.success(request, f"Added an objective to ‘{priority.title}’.")
            return redirect(_tree_url(slug, priority.plan) + f"#objective-{objective.pk}")
    return _form_page(request, access, form, title="Add an objective", caption=priority.title,
                      button="Add objective", back=_tree_url(slug, priority.plan))


@login_required
@require_http_methods(["GET", "POST"])
def objective_edit(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    objective = get_objective_for_user(access, pk)
    plan = objective.priority.plan
    form = (ObjectiveChangeForm(request.POST) if request.method == "POST"
            else ObjectiveChangeForm(initial={"statement": objective.statement, "version": objective.version}))
    if request.method == "POST" and form.is_valid():
        data, opened = _changed(form)
        if _save(form, lambda: services.update_objective(access, objective, **data, **opened)) is not None:
            messages.success(request, "Saved the objective.")
            return redirect(_tree_url(slug, plan) + f"#objective-{objective.pk}")
    return _form_page(request, access, form, title="Change an objective", caption=objective.priority.title,
                      button="Save", back=_tree_url(slug, plan))


@login_required
@require_http_methods(["GET", "POST"])
def action_new(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    objective = get_objective_for_user(access, pk)
    kw = {"access": access, "objective": objective}
    form = (ActionForm(request.POST, **kw) if request.method == "POST"
            else ActionForm(initial={"bau_or_change": BauOrChange.CHANGE}, **kw))
    if request.method == "POST" and form.is_valid():
        action = _save(form, lambda: services.add_action(access, objective, **form.cleaned_data))
        if action is not None:
            messages.success(request, f"Added action ‘{action.title}’. Add its milestones next.")
            return redirect("plans:action", slug, action.pk)
    return _form_page(request, access, form, title="Add an action", caption=objective.statement[:120],
                      button="Add action", back=_tree_url(slug, objective.priority.plan))


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    action = get_action_for_user(access, pk)
    kw = {"access": access, "objective": action.objective}
    initial = {"title": action.title, "owner": str(action.owner_id or ""), "lead_unit": str(action.lead_unit_id or ""),
               "bau_or_change": action.bau_or_change, "phase": action.phase, "start": action.start,
               "due": action.due, "also_serves": [str(o.pk) for o in action.also_serves.all()],
               "version": action.version}
    form = (ActionChangeForm(request.POST, **kw) if request.method == "POST"
            else ActionChangeForm(initial=initial, **kw))
    if request.method == "POST" and form.is_valid():
        data, opened = _changed(form)
        if (saved := _save(form, lambda: services.update_action(access, action, **data, **opened))) is not None:
            messages.success(request, f"Saved action ‘{saved.title}’.")
            return redirect("plans:action", slug, action.pk)
    return _form_page(request, access, form, title="Change an action", caption=action.title, button="Save",
                      back=reverse("plans:action", args=[slug, action.pk]),
                      intro="Percent complete changes only when a manager approves an update.")


@login_required
@require_http_methods(["GET", "POST"])
def milestone_new(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    action = get_action_for_user(access, pk)
    form = MilestoneForm(request.POST) if request.method == "POST" else MilestoneForm()
    if request.method == "POST" and form.is_valid():
        milestone = _save(form, lambda: services.add_milestone(access, action, **form.cleaned_data))
        if milestone is not None:
            messages.success(request, f"Added milestone ‘{milestone.title}’.")
            return redirect("plans:action", slug, action.pk)
    return _form_page(request, access, form, title="Add a milestone", caption=action.title,
                      button="Add milestone", back=reverse("plans:action", args=[slug, action.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    milestone = get_milestone_for_user(access, pk)
    form = (MilestoneTitleForm(request.POST) if request.method == "POST"
            else MilestoneTitleForm(initial={"title": milestone.title, "version": milestone.version}))
    if request.method == "POST" and form.is_valid():
        data, opened = _changed(form)
        saved = _save(form, lambda: services.rename_milestone(access, milestone, **data, **opened))
        if saved is not None:
            messages.success(request, f"Saved milestone ‘{saved.title}’.")
            return redirect("plans:milestone", slug, milestone.pk)
    return _form_page(request, access, form, title="Change a milestone's title", caption=milestone.action.title,
                      button="Save", back=reverse("plans:milestone", args=[slug, milestone.pk]),
                      intro="Its dates do not change here: the baseline date never changes, and the forecast "
                            "date moves only with a reason, from the milestone's page.")


ARCHIVABLE = {
    "plan": (get_plan_for_user, "plan"),
    "priority": (get_priority_for_user, "priority or theme"),
    "objective": (get_objective_for_user, "objective"),
    "action": (get_action_for_user, "action"),
    "milestone": (get_milestone_for_user, "milestone"),
}


def _plan_of(item) -> Plan:
    if isinstance(item, Plan):
        return item
    if isinstance(item, Priority):
        return item.plan
    if isinstance(item, Objective):
        return item.priority.plan
    if isinstance(item, Milestone):
        return item.action.plan
    return item.plan


@login_required
@require_http_methods(["GET", "POST"])
def archive_item(request, slug, pk, kind):
    """Ask for a reason, then archive: the item leaves the tree but is never deleted."""
    access = org_access(request, slug, Perm.MANAGE)
    getter, words = ARCHIVABLE[kind]
    item = getter(access, pk)
    plan = _plan_of(item)
    form = ArchiveForm(request.POST) if request.method == "POST" else ArchiveForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.archive(access, item, **form.cleaned_data)
        except NotAllowed:
            raise
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Archived {words} ‘{str(item)[:80]}’. Its history is kept.")
            if kind == "plan":
                return redirect("plans:list", slug)
            return redirect("plans:tree", slug, plan.pk)
    return page(request, "plans/archive.html", f"Archive this {words}", section=SECTION, form=form, item=item,
                kind=kind, words=words, plan=plan, back=_tree_url(slug, plan), breadcrumbs=_crumbs(access))


def _unarchive_url(slug, item) -> str:
    kind = item._meta.model_name
    return reverse("plans:unarchive" if kind == "plan" else f"plans:{kind}_unarchive", args=[slug, item.pk])


def _place_of(slug, item) -> str:
    """Where a restored item is seen again."""
    if isinstance(item, Plan):
        return _tree_url(slug, item)
    if isinstance(item, Priority):
        return _tree_url(slug, item.plan) + f"#priority-{item.pk}"
    if isinstance(item, Objective):
        return _tree_url(slug, item.priority.plan) + f"#objective-{item.pk}"
    if isinstance(item, Action):
        return reverse("plans:action", args=[slug, item.pk])
    return reverse("plans:milestone", args=[slug, item.pk])


@login_required
@require_http_methods(["GET", "POST"])
def unarchive_item(request, slug, pk, kind):
    """Ask for a reason, then restore an archived item to the tree and its counts."""
    access = org_access(request, slug, Perm.MANAGE)
    getter, words = ARCHIVABLE[kind]
    item = getter(access, pk)
    plan = _plan_of(item)
    form = UnarchiveForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.unarchive(access, item, **form.cleaned_data)
        except NotAllowed:
            raise
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Restored {words} ‘{str(item)[:80]}’. It counts in the plan again.")
            return redirect(_place_of(slug, item))
    above = services.archived_ancestor(item) if item.is_archived else None
    back = (reverse("plans:list", args=[slug]) + "?show=archived" if kind == "plan"
            else reverse("plans:archived", args=[slug, plan.pk]))
    return page(request, "plans/unarchive.html", f"Restore this {words}", section=SECTION, form=form, item=item,
                kind=kind, words=words, plan=plan, above=above,
                above_url=_unarchive_url(slug, above) if above is not None else "", back=back,
                breadcrumbs=_crumbs(access))


def _archived_rows(access, plan) -> list[dict]:
    """The plan's archived items for its page, each with where it sat and whether this person
    may restore it."""
    slug = access.organisation.slug
    rows = []
    for found in selectors.archived_items(plan):
        item, kind = found.item, found.kind
        parent = services.parent_of(item)
        if isinstance(item, Action | Milestone):
            may = services.can_manage_action(access, item if isinstance(item, Action) else item.action)
            href = reverse(f"plans:{kind}", args=[slug, item.pk])
        else:
            may, href = access.can(Perm.MANAGE), ""
        rows.append({"item": item, "kind": kind, "words": ARCHIVABLE[kind][1], "under": parent,
                     "under_words": ARCHIVABLE[parent._meta.model_name][1], "href": href, "reason": found.reason,
                     "restore": _unarchive_url(slug, item) if may and not plan.is_archived else ""})
    return rows


@login_required
@require_safe
def archived(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    plan = get_plan_for_user(access, pk)
    return page(request, "plans/archived.html", f"Archived items: {plan.title}", section=SECTION, plan=plan,
                rows=_archived_rows(access, plan),
                breadcrumbs=_crumbs(access, {"text": plan.title, "href": _tree_url(slug, plan)}))


@login_required
@require_http_methods(["GET", "POST"])
def plan_rules(request, slug):
    access = org_access(request, slug, Perm.ADMINISTER)
    current = rules_for(access.organisation)
    initial = {n: getattr(current, n) for n in PlanRulesForm.base_fields}
    form = PlanRulesForm(request.POST) if request.method == "POST" else PlanRulesForm(initial=initial)
    if request.method == "POST" and form.is_valid():
        if _save(form, lambda: services.set_plan_rules(access, **form.cleaned_data)) is not None:
            messages.success(request, "Saved the plan rules. Statuses and RAGs now follow them.")
            return redirect("plans:rules", slug)
    return _form_page(request, access, form, title="Plan status rules", button="Save rules",
                      back=reverse("plans:list", args=[slug]),
                      intro="These numbers decide when a milestone is at risk and when overdue counts as red. "
                            "Closed periods keep the statuses frozen when they closed.")
