"""The approvals inbox: everything awaiting this manager's approval, filtered by plan and
unit, with bulk approve and bulk return (one reason) through the plans services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from carestat.core.errors import NotAllowed, ServiceError
from carestat.core.govuk_forms import apply_service_error
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page, posted
from carestat.measures import selectors as measure_selectors
from carestat.plans import selectors, services
from carestat.plans.forms import BulkReviewForm, RedateDecisionForm
from carestat.plans.views.pages import SECTION, _crumbs


@login_required
@require_http_methods(["GET", "POST"])
def inbox(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    filters = {k: request.GET.get(k, "") for k in ("plan", "unit")}
    rows = selectors.awaiting_approval(access, **filters)
    # A POST may decide any update awaiting this person, whatever the filter shown.
    everything = {str(u.pk): u for u in selectors.awaiting_approval(access)}
    form = BulkReviewForm(posted(request), choices=[(k, str(u)) for k, u in everything.items()])
    if request.method == "POST" and form.is_valid():
        chosen = [everything[k] for k in form.cleaned_data["updates"]]
        decision = form.cleaned_data["decision"]
        try:
            done = services.review_updates(access, chosen, decision=decision, comments=form.cleaned_data["comments"])
        except NotAllowed:
            raise
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            n = len(done)
            messages.success(request, f"{'Approved' if decision == 'approve' else 'Returned'} {n} "
                                      f"update{'s' if n != 1 else ''}.")
            return redirect(request.get_full_path())
    org = access.organisation
    return page(request, "plans/inbox.html", "Approvals", section=SECTION, rows=rows, form=form, filters=filters,
                options=selectors.inbox_filter_options(access), filtered=any(filters.values()),
                values=list(measure_selectors.values_awaiting_approval(org)),
                redates=selectors.pending_redates(access), redate_form=RedateDecisionForm(),
                revisions=list(measure_selectors.pending_revisions(org)), breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["POST"])
def redate_decide(request, slug, pk):
    """Approve or reject one re-dating held for a manager."""
    access = org_access(request, slug, Perm.MANAGE)
    pending = next((r for r in selectors.pending_redates(access) if str(r.pk) == str(pk)), None)
    if pending is None:
        messages.warning(request, "That re-dating is no longer waiting for your approval.")
        return redirect("plans:inbox", slug)
    form = RedateDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_redate(access, pending, approve=form.cleaned_data["decision"] == "approve",
                                   note=form.cleaned_data["note"])
        except NotAllowed:
            raise
        except ServiceError as exc:
            messages.warning(request, exc.message)
        else:
            messages.success(request, f"{'Approved' if form.cleaned_data['decision'] == 'approve' else 'Rejected'} "
                                      f"the new date for ‘{pending.milestone.title}’.")
    else:
        messages.warning(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(f"{reverse('plans:inbox', args=[slug])}#redates")
