"""What every page needs: the person's access, a title and the GOV.UK layout."""

from __future__ import annotations

from django.shortcuts import render

# Pages and the API share one entry point; it lives with the access rules so the API needs
# nothing from the views. Imported here so every page keeps finding it beside page().
from carestat.core.access import org_access  # noqa: F401


def page(request, template: str, title: str, *, status: int = 200, **context):
    forms_ = [v for v in context.values() if hasattr(v, "errors") and hasattr(v, "is_bound")]
    context.setdefault("access", getattr(request, "access", None))
    context["title"] = title
    context["form_has_errors"] = any(f.is_bound and f.errors for f in forms_)
    return render(request, template, context, status=status)


def posted(request):
    """The form data to bind: the POST body on a POST (even an empty one, so a form sent
    blank shows its errors), None on a GET."""
    return request.POST if request.method == "POST" else None


def posted_files(request):
    """The uploaded files to bind, as ``posted``."""
    return request.FILES if request.method == "POST" else None
