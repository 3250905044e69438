"""What every page needs: the person's access, a title and the GOV.UK layout."""

from __future__ import annotations

from django.shortcuts import render


def page(request, template: str, title: str, *, status: int = 200, **context):
    forms_ = [v for v in context.values() if hasattr(v, "errors") and hasattr(v, "is_bound")]
    context.setdefault("access", getattr(request, "access", None))
    context["title"] = title
    context["form_has_errors"] = any(f.is_bound and f.errors for f in forms_)
    return render(request, template, context, status=status)


def org_access(request, slug: str, perm=None):
    """The signed-in person's access to organisation ``slug`` (404 if not a member), checked
    for ``perm`` (403 if their role lacks it), with that organisation put in scope. Call it on
    a view's first line."""
    from carestat.core.access import get_access
    from carestat.core.tenancy import activate

    access = get_access(request.user, slug)
    request.access = access
    # The entry point of every /o/<slug>/ page and organisation API route: from here on the
    # request's queries see this organisation's rows only (carestat.core.tenancy).
    activate(access.organisation)
    if perm is not None:
        access.require(perm)
    return access


def posted(request):
    """The form data to bind: the POST body on a POST (even an empty one, so a form sent
    blank shows its errors), None on a GET."""
    return request.POST if request.method == "POST" else None


def posted_files(request):
    """The uploaded files to bind, as ``posted``."""
    return request.FILES if request.method == "POST" else None
