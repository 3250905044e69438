"""One search page across every kind of record (carestat.core.search)."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_safe

from carestat.core import search as finder
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page


@login_required
@require_safe
def search(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    query = " ".join(request.GET.get("q", "").split())[:finder.MAX_QUERY]
    groups = finder.search(access, query)
    found = sum(len(g.hits) for g in groups)
    return page(request, "core/search.html", f"Search results for ‘{query}’" if query else "Search",
                query=query, search_query=query, groups=groups, found=found, most=finder.MAX_PER_KIND)
