"""Pages: the organisation's names for its bodies, and the national framework's measures it is
offered (thin views over selectors and services)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

from carestat.analytics.calendar import Jurisdiction
from carestat.core.errors import ServiceError
from carestat.core.govuk_forms import apply_service_error
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page, posted
from carestat.jurisdictions import selectors, services
from carestat.jurisdictions.forms import BodyNamesForm

SECTION = "measures"


def _crumbs(access):
    return [{"text": access.organisation.name, "href": f"/o/{access.organisation.slug}/"}]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def bodies(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    org = access.organisation
    can_change = access.can(Perm.ADMINISTER)
    form = None
    if can_change:
        initial = selectors.custom_terms(org)
        form = BodyNamesForm(posted(request), initial=initial)
    if request.method == "POST":
        if not can_change:
            access.require(Perm.ADMINISTER)
        if form.is_valid():
            try:
                services.set_body_names(access, **form.cleaned_data)
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, "Saved the names of your bodies. Reports built from now on use them.")
                return redirect("jurisdictions:bodies", slug)
    return page(request, "jurisdictions/bodies.html", "Names of your bodies", section=SECTION, form=form,
                rows=selectors.body_rows(org), jurisdiction=Jurisdiction(org.jurisdiction).label,
                breadcrumbs=_crumbs(access))


@login_required
@require_safe
def framework(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    org = access.organisation
    every = request.GET.get("all") == "1"
    tracked = set(org.measures.values_list("code", flat=True))
    return page(request, "jurisdictions/framework.html", "Measures in your national framework", section=SECTION,
                groups=selectors.framework_catalogue(org, every_jurisdiction=every), every_jurisdiction=every,
                tracked=tracked, can_manage=access.can(Perm.MANAGE),
                jurisdiction=Jurisdiction(org.jurisdiction).label, breadcrumbs=_crumbs(access))
