from django.urls import include, path

from carestat.api import api
from carestat.core.views.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("", include("carestat.core.urls")),
    path("", include("carestat.plans.urls")),
    path("", include("carestat.measures.urls")),
    path("", include("carestat.casedata.urls")),
    path("", include("carestat.reports.urls")),
    path("", include("carestat.risks.urls")),
    path("", include("carestat.finance.urls")),
    path("", include("carestat.commissioning.urls")),
    path("", include("carestat.demand.urls")),
    path("", include("carestat.quality.urls")),
    path("", include("carestat.jurisdictions.urls")),
    path("", include("carestat.governance.urls")),
]

handler400 = "carestat.core.views.errors.bad_request"
handler403 = "carestat.core.views.errors.forbidden"
handler404 = "carestat.core.views.errors.not_found"
handler500 = "carestat.core.views.errors.server_error"
