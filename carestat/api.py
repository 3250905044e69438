"""The JSON API under /api/v1/, with its OpenAPI document at /api/v1/openapi.json.

Every endpoint authenticates with a personal API token (``Authorization: Bearer cst_...``)
or the browser session, and reaches records through the same scoped getters and service
functions as the pages, so the API can never allow what the UI refuses.
"""

from __future__ import annotations

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.security import HttpBearer, django_auth

from carestat.core.errors import (
    Busy,
    Conflict,
    InvalidInput,
    NotAllowed,
    RateLimited,
    ServiceError,
    TokenExpired,
)


class TokenAuth(HttpBearer):
    openapi_description = "A personal API token from ‘API tokens’ in CareStat, sent as a bearer token."

    def authenticate(self, request, token):
        from carestat.core.services import user_for_token

        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="CareStat API",
    version="1.0.0",
    description="Plans, measures, case data and reports for social care directorates.",
    auth=[TokenAuth(), django_auth],
    docs_url=None,
)


def problem(detail: str, *, field: str | None = None, errors: list[dict] | None = None,
            with_field: bool = True) -> dict:
    """The body of every API error: ``detail`` in words, the ``field`` at fault and, for input
    that does not fit the schema, each problem in ``errors`` (see core.api.ErrorOut)."""
    body: dict = {"detail": detail}
    if with_field:
        body["field"] = field
    if errors is not None:
        body["errors"] = errors
    return body


# Each typed service error and the HTTP status it answers with. A refusal for the person's
# role, or their expired token, names no field: it is about who asks, not what they sent.
PROBLEM_STATUS: dict[type[ServiceError], int] = {
    NotAllowed: 403, TokenExpired: 401, InvalidInput: 422, Conflict: 409, RateLimited: 429, Busy: 503,
}


def _service_error(request, exc: ServiceError):
    status = next(code for kind, code in PROBLEM_STATUS.items() if isinstance(exc, kind))
    about_who_asks = isinstance(exc, NotAllowed | TokenExpired)
    response = api.create_response(request, problem(exc.message, field=exc.field, with_field=not about_who_asks),
                                   status=status)
    if isinstance(exc, Busy | RateLimited):
        response["Retry-After"] = str(exc.retry_after_seconds)
    if isinstance(exc, TokenExpired):
        response["WWW-Authenticate"] = 'Bearer error="invalid_token", error_description="The token has expired"'
    return response


for _kind in PROBLEM_STATUS:
    api.add_exception_handler(_kind, _service_error)


@api.exception_handler(ValidationError)
def _schema_invalid(request, exc):
    """Input that does not fit the schema: say which field and why, in one sentence too."""
    problems = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query", "path")]
        problems.append({"field": ".".join(loc) or None, "message": err.get("msg", "is not valid")})
    detail = "; ".join(f"{p['field']}: {p['message']}" if p["field"] else p["message"] for p in problems)
    first = problems[0]["field"] if problems else None
    return api.create_response(request, problem(detail or "The request is not valid", field=first, errors=problems),
                               status=422)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, problem(str(exc) or "Not found", with_field=False), status=404)


def _register_routers() -> None:
    from carestat.core.api import router as core_router

    api.add_router("", core_router)

    from carestat.plans.api import router as plans_router

    api.add_router("", plans_router)

    from carestat.measures.api import router as measures_router

    api.add_router("", measures_router)

    from carestat.casedata.api import router as casedata_router

    api.add_router("", casedata_router)

    from carestat.reports.api import router as reports_router

    api.add_router("", reports_router)

    from carestat.risks.api import router as risks_router

    api.add_router("", risks_router)
    from carestat.finance.api import router as finance_router

    api.add_router("", finance_router)

    from carestat.commissioning.api import router as commissioning_router

    api.add_router("", commissioning_router)
    from carestat.demand.api import router as demand_router

    api.add_router("", demand_router)
    from carestat.quality.api import router as quality_router

    api.add_router("", quality_router)

    from carestat.governance.api import router as governance_router

    api.add_router("", governance_router)

    from carestat.jurisdictions.api import router as jurisdictions_router

    api.add_router("", jurisdictions_router)


_register_routers()
