"""What measures add to the home page, by role: a manager sees the figures awaiting approval
and the measures that turned red or show special-cause concerning variation; a viewer (a
director, a councillor) the measures whose RAG changed at their latest value. Each tile links
to the measures list filtered the same way, or to the approvals inbox."""

from __future__ import annotations

from django.urls import reverse

from carestat.core.contributions import Tile
from carestat.core.models import Role
from carestat.core.permissions import Perm
from carestat.measures import selectors


def home_tiles(access, period) -> list[Tile]:
    org = access.organisation
    slug = org.slug
    listing = reverse("measures:list", args=[slug])
    tiles: list[Tile] = []
    if access.can(Perm.MANAGE):
        values = selectors.values_awaiting_approval(org).count()
        revisions = selectors.pending_revisions(org).count()
        waiting = values + revisions
        tiles.append(Tile("Measure figures awaiting approval", str(waiting),
                          f"{values} entered or imported, {revisions} recomputed" if waiting else "",
                          reverse("plans:inbox", args=[slug]) + "#measures", rag="amber" if waiting else "",
                          order=11, group="you"))
        red, _ = selectors.cached_measure_rows(org, changed="red")
        concerning, _ = selectors.cached_measure_rows(org, variation="concerning")
        tiles.append(Tile("Measures turned red", str(len(red)), ", ".join(r["measure"].code for r in red[:4]),
                          f"{listing}?changed=red", rag="red" if red else "", order=21, group="you"))
        tiles.append(Tile("Special-cause concerning variation", str(len(concerning)),
                          ", ".join(r["measure"].code for r in concerning[:4]),
                          f"{listing}?variation=concerning", rag="red" if concerning else "", order=22,
                          group="you"))
    if access.role == Role.VIEWER:
        changed, _ = selectors.cached_measure_rows(org, changed="rag")
        worse = sum(1 for r in changed if r["rag"] == "red")
        tiles.append(Tile("Measures whose RAG changed", str(len(changed)),
                          f"{worse} now red" if changed else "at their latest value", f"{listing}?changed=rag",
                          rag="red" if worse else "", order=40, group="you"))
    return tiles
