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
    return page(request, "core/error.html", "Sorry, there is a problem with the service", status=500,
                heading="Sorry, there is a problem with the service",
                body="Try again later. Nothing you entered has been half-saved.")


def csrf_failure(request, reason=""):
    return page(request, "core/error.html", "Your form could not be sent", status=403,
                heading="Your form could not be sent",
                body="The page had expired or your browser did not send its security token. "
                     "Go back, reload the page and try again.")
