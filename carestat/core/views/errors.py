from django.http import HttpResponse
from django.template.loader import get_template
from django.utils.cache import add_never_cache_headers

from carestat.core.views.base import page


def not_found(request, exception=None):
    return page(request, "core/error.html", "Page not found", status=404,
                heading="Page not found",
                body="If you typed the web address, check it is correct. If you followed a link, "
                     "the record may not exist or may belong to an organisation you are not a member of.")


def bad_request(request, exception=None, *, reason=""):
    return page(request, "core/error.html", "Your request could not be read", status=400,
                heading="Your request could not be read",
                body=reason or "Something in the web address or the form could not be understood. "
                               "Go back, check what you entered and try again.")


def forbidden(request, exception=None):
    message = getattr(exception, "message", None) or "You do not have permission to do this."
    return page(request, "core/error.html", "You cannot do this", status=403,
                heading="You cannot do this", body=message)


def server_error(request):
    """The 500 page, rendered without the request's user, session or messages: the failure
    may be the database itself, and a page that needs it would fail in turn."""
    html = get_template("core/server_error.html").render({"cspNonce": getattr(request, "csp_nonce", "")})
    response = HttpResponse(html, status=500)
    add_never_cache_headers(response)
    return response


def csrf_failure(request, reason=""):
    return page(request, "core/error.html", "Your form could not be sent", status=403,
                heading="Your form could not be sent",
                body="The page had expired or your browser did not send its security token. "
                     "Go back, reload the page and try again.")
