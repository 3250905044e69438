"""Plans, actions, milestones and update commentary, as search finds them (carestat.core.search)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from carestat.core.permissions import Perm
from carestat.core.search import Searchable, SearchHit, register_searchable
from carestat.plans import selectors
from carestat.plans.models import ActionUpdate, Milestone, UpdateStatus


def _plan(plan) -> SearchHit:
    return SearchHit(title=plan.title, href=reverse("plans:tree", args=[plan.organisation.slug, plan.pk]),
                     detail=plan.get_kind_display())


def _action(action) -> SearchHit:
    plan = action.plan
    return SearchHit(title=action.title, href=reverse("plans:action", args=[plan.organisation.slug, action.pk]),
                     detail=f"Action in {plan.title}")


def _milestone(m) -> SearchHit:
    plan = m.action.plan
    return SearchHit(title=m.title, href=reverse("plans:milestone", args=[plan.organisation.slug, m.pk]),
                     detail=f"Milestone of ‘{m.action.title}’, due {m.forecast_date:%-d %B %Y}")


def _update(u) -> SearchHit:
    action = u.action
    text = " ".join(u.commentary.split())
    return SearchHit(title=action.title,
                     href=reverse("plans:action", args=[action.plan.organisation.slug, action.pk]),
                     detail=f"{u.period.identifier} update ({u.get_status_display().lower()}): "
                            f"{text[:160]}{'…' if len(text) > 160 else ''}")


def _updates(access):
    """Submitted, returned and approved updates; a draft only to the person writing it (the
    action's owner), since nobody else has been shown it yet."""
    rows = ActionUpdate.objects.filter(action__in=selectors.live_actions(access.organisation))
    mine = Q(action__owner=access.user)
    if not access.can(Perm.CONTRIBUTE):
        mine = Q(pk__in=[])
    return rows.filter(~Q(status=UpdateStatus.DRAFT) | mine).select_related("period").order_by("-period__start")


def register() -> None:
    register_searchable(Searchable(
        key="plans", label="Plan", order=10, words=["title", "description"],
        queryset=lambda access: selectors.plans(access.organisation), describe=_plan))
    register_searchable(Searchable(
        key="actions", label="Action", order=20, words=["title", "phase"],
        queryset=lambda access: selectors.live_actions(access.organisation), describe=_action))
    register_searchable(Searchable(
        key="milestones", label="Milestone", order=30, words=["title"],
        queryset=lambda access: Milestone.objects.filter(
            is_archived=False, action__in=selectors.live_actions(access.organisation)),
        describe=_milestone))
    register_searchable(Searchable(
        key="updates", label="Update commentary", plural="Update commentary", order=40,
        words=["commentary", "next_steps", "review_comments"], queryset=_updates, describe=_update))
