"""What plans add to the home page: for each role, the plan work that needs them.

A contributor sees their updates due, their milestones slipping and updates returned to them;
a manager (and an admin) the updates awaiting their approval and the overdue or slipped
milestones across the plans they look after; a viewer (a director, a councillor) each plan's
RAG. Every tile links to the list it counts, filtered the same way."""

from __future__ import annotations

from django.urls import reverse

from carestat.core.contributions import Tile
from carestat.core.models import Role
from carestat.core.permissions import Perm
from carestat.plans import selectors
from carestat.plans.progress import plan_trees


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def home_tiles(access, period) -> list[Tile]:
    slug = access.organisation.slug
    mine = reverse("plans:mine", args=[slug])
    tiles: list[Tile] = []
    owns = access.can(Perm.CONTRIBUTE) and selectors.my_actions(access).exists()
    if access.role == Role.CONTRIBUTOR or owns:
        due = selectors.updates_due(access)
        slipping = selectors.my_slipping_milestones(access)
        overdue = sum(1 for m in slipping if m.judgement.status.value == "overdue")
        returned = selectors.returned_updates(access).count()
        from carestat.plans.services.updates import period_due
        quarter = period_due(access.organisation)
        tiles += [
            Tile("Your updates due", str(len(due)),
                 f"for {quarter.title}" if quarter else "no quarter is open", f"{mine}?show=due",
                 rag="amber" if due else "", order=1, group="you"),
            Tile("Your milestones overdue or at risk", str(len(slipping)),
                 f"{overdue} overdue" if slipping else "none slipping", f"{mine}?show=slipping",
                 rag="red" if overdue else ("amber" if slipping else ""), order=2, group="you"),
            Tile("Updates returned to you", str(returned), "to change and submit again" if returned else "",
                 f"{mine}?show=returned", rag="amber" if returned else "", order=3, group="you"),
        ]
    if access.can(Perm.MANAGE):
        waiting = selectors.awaiting_approval(access)
        tiles.append(Tile("Updates awaiting your approval", str(len(waiting)),
                          _n(len({u.action.plan.pk for u in waiting}), "plan", "plans") if waiting else "",
                          reverse("plans:inbox", args=[slug]), rag="amber" if waiting else "", order=10,
                          group="you"))
        for tree in plan_trees(selectors.managed_plans(access)):
            plan = tree.plan
            late = tree.delivery()
            if late:
                overdue = sum(1 for m in late if m.judgement.status.value == "overdue")
                tiles.append(Tile(f"Overdue or slipped: {plan.title}", str(len(late)),
                                  f"{overdue} overdue, {len(late) - overdue} slipped",
                                  reverse("plans:delivery", args=[slug, plan.pk]),
                                  rag="red" if overdue else "amber", order=20, group="you"))
    if access.role == Role.VIEWER:
        for tree in plan_trees(selectors.plans(access.organisation)):
            plan = tree.plan
            rag = tree.rollup.rag
            late = len(tree.delivery())
            tiles.append(Tile(plan.title, rag.label if rag else "No milestones",
                              _n(late, "milestone overdue or slipped", "milestones overdue or slipped"),
                              reverse("plans:tree", args=[slug, plan.pk]),
                              rag=rag.value if rag and rag.value != "grey" else "", order=30, group="you"))
    return tiles
