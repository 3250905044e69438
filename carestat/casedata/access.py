"""One scoped getter per case data object type: anything outside the organisation is a 404."""

from __future__ import annotations

from django.http import Http404

from carestat.casedata.models import SavedForecast, Submission
from carestat.core.access import Access, _int


def get_submission_for_user(access: Access, pk: int | str) -> Submission:
    submission = (Submission.objects.filter(organisation=access.organisation, pk=_int(pk))
                  .select_related("loaded_by").first())
    if submission is None:
        raise Http404("No such submission")
    return submission


def get_forecast_for_user(access: Access, pk: int | str) -> SavedForecast:
    forecast = (SavedForecast.objects.filter(organisation=access.organisation, pk=_int(pk))
                .select_related("created_by").first())
    if forecast is None:
        raise Http404("No such forecast")
    return forecast
