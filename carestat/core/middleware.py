"""Content Security Policy with a per-request nonce, and the other security headers; NUL
bytes refused at the door; signed-in people's pages kept out of caches."""

from __future__ import annotations

import json
import secrets
from typing import Any

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.setdefault(
            "Content-Security-Policy",
            "; ".join(
                [
                    "default-src 'self'",
                    f"script-src 'self' 'nonce-{request.csp_nonce}'",
                    "style-src 'self'",
                    "img-src 'self' data:",
                    "font-src 'self'",
                    "connect-src 'self'",
                    "object-src 'none'",
                    "base-uri 'self'",
                    "form-action 'self'",
                    "frame-ancestors 'none'",
                ]
            ),
        )
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class ServiceErrorMiddleware:
    """A NotAllowed raised anywhere in a page becomes the 403 page with its message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from carestat.core.errors import NotAllowed
        from carestat.core.views.errors import forbidden

        if isinstance(exception, NotAllowed) and not request.path.startswith("/api/"):
            return forbidden(request, exception)
        return None


class RejectNulMiddleware:
    """A NUL byte in the web address, the query string, a form field or a JSON body is
    refused before any view runs: 400 with the error page, or 422 with a JSON body on the
    API (the API's shape for input that does not fit).

    No one types a NUL, and PostgreSQL cannot store or even compare text holding one, so
    letting it through turned a probe into a 500. Uploaded files' contents are not checked:
    they are data, read by the loaders.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = _nul_in(request)
        if where is None:
            return self.get_response(request)
        place, field = where
        if request.path_info.startswith("/api/"):
            from django.http import JsonResponse

            message = "contains a null character (a zero byte)"
            return JsonResponse({"detail": f"{place} {message}; remove it and send the request again",
                                 "field": field, "errors": [{"field": field, "message": message}]}, status=422)
        from carestat.core.views.errors import bad_request

        return bad_request(request, reason=f"{place} contains a null character (a zero byte), which CareStat "
                                           "does not accept. Remove it and try again.")


def _shown(name: str) -> str:
    return name.replace(NUL, "")


def _nul_in(request) -> tuple[str, str | None] | None:
    """Where the first NUL byte is, in words, and the field it is in."""
    if NUL in request.path_info:
        return "The web address", None
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in v for v in values):
            return f"The query parameter ‘{_shown(key)}’", _shown(key)
    # Pages' forms: the CSRF check reads every one of them anyway, so reading it here first
    # changes nothing for a form Django cannot parse (still a 400). The API reads forms only
    # for uploads, whose fields are choices and numbers; Django strips unprintable
    # characters from uploaded file names itself.
    if request.method == "POST" and request.content_type in FORM_TYPES and not request.path_info.startswith("/api/"):
        for key, values in request.POST.lists():
            if NUL in key or any(NUL in v for v in values):
                return f"The form field ‘{_shown(key)}’", _shown(key)
    if (request.content_type == "application/json" or request.content_type.endswith("+json")) and request.body:
        try:
            data = json.loads(request.body)
        except ValueError:
            return None  # not JSON: the API says so itself
        path = _nul_path(data)
        if path is not None:
            field = ".".join(path)
            return (f"The field ‘{field}’" if field else "The request body"), field or None
    return None


def _nul_path(data: Any) -> list[str] | None:
    """The path to the first key or string holding a NUL (a loop, not recursion, so a deeply
    nested body cannot exhaust the stack)."""
    stack: list[tuple[Any, list[str]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                return path
        elif isinstance(value, dict):
            for key in value:
                if NUL in key:
                    return [*path, _shown(key)]
            stack.extend((item, [*path, key]) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((item, [*path, str(i)]) for i, item in reversed(list(enumerate(value))))
    return None


class NoStoreForSignedInMiddleware:
    """Everything served to a signed-in person (pages, downloads, API answers) says
    ``Cache-Control: no-store``, so case figures and audit trails are not left in a shared
    computer's browser cache or a proxy. It sits after WhiteNoise, so static files, which
    hold no one's data, keep their long cache lifetimes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.db import DatabaseError
        from django.utils.cache import add_never_cache_headers

        response = self.get_response(request)
        user = getattr(request, "user", None)  # set by the session, or by an API token during the view
        try:
            signed_in = user is not None and user.is_authenticated
        except DatabaseError:
            signed_in = True  # the database is down: keep whatever this is out of caches
        if signed_in:
            add_never_cache_headers(response)
        return response


class MustChangePasswordMiddleware:
    """Someone signed in with a password another person chose (a new member's one-time
    password, an admin's reset) sees only the page that changes it, until they have."""

    ALLOWED = ("/account/password/", "/sign-out/", "/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and getattr(user, "must_change_password", False)
                and not request.path_info.startswith(self.ALLOWED)):
            if request.path_info.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse({"detail": "Choose your own password first, on the ‘Change your password’ "
                                               "page, then try again."}, status=403)
            from django.shortcuts import redirect
            from django.urls import reverse
            from django.utils.http import urlencode

            return redirect(f"{reverse('core:password_change')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
