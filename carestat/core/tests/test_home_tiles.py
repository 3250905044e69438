"""Tiles a domain app registers appear on the organisation's home page, linked and rated."""

import pytest

from carestat.core import contributions
from carestat.core.contributions import Tile


@pytest.fixture
def overdue_tile():
    seen = []

    def build(access, period):
        seen.append((access.organisation.slug, period.identifier if period else None))
        return [Tile("Reviews overdue", "4", "of 21 open risks", f"/o/{access.organisation.slug}/x/", rag="red"),
                Tile("Above appetite", "2", order=5)]

    contributions.register_home_tiles("test", build)
    yield seen
    contributions._registry.tiles.pop("test")


def test_registered_tiles_show_on_the_home_page_in_order_with_their_links(client, viewer, demoshire, overdue_tile):
    client.force_login(viewer)
    html = client.get(f"/o/{demoshire.slug}/").content.decode()
    assert "At a glance" in html
    assert html.index("Above appetite") < html.index("Reviews overdue")
    assert f'href="/o/{demoshire.slug}/x/">Reviews overdue</a>' in html
    assert "app-tile--red" in html and "of 21 open risks" in html
    assert overdue_tile and overdue_tile[0][0] == demoshire.slug


def test_without_tiles_the_home_page_has_no_empty_heading(client, viewer, demoshire):
    client.force_login(viewer)
    assert "At a glance" not in client.get(f"/o/{demoshire.slug}/").content.decode()
