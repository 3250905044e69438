"""Tenancy fails closed: a query on an organisation's records without an organisation scope is an
error (``django_scopes.ScopeError``), never every council's rows.

Every model owned by an organisation, directly or through its parent, declares
``objects = scoped("path__to__organisation")``. The scope is activated at the entry points only:

- a page or API endpoint: ``TenancyMiddleware`` starts each request with no organisation, and
  ``org_access`` (the first line of every ``/o/<slug>/`` view and organisation API route)
  activates the one the person is a member of;
- a management command: ``CareStatCommand`` starts with none, ``get_org`` (``--org``) activates it;
- a queued job: the job runner (``carestat.core.jobs``) runs the task inside its job's organisation;
- the demo loaders: ``scoped_to(org)`` around each organisation's content.

The few reads that are genuinely across organisations (signing in, choosing an organisation, the
queue's own bookkeeping, an organisation's audit trail including its members' sign-ins) use the
model's ``unscoped`` manager or ``cross_organisation()``, each with a comment saying why.
See docs/decisions/0014-tenancy-fails-closed.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import models
from django_scopes import ScopedManager, ScopeError, scopes_disabled
from django_scopes.state import state

__all__ = ["ScopeError", "TenancyMiddleware", "activate", "cross_organisation", "enforced", "scoped",
           "scoped_to", "unscoped_manager"]

DIMENSION = "organisation"


def scoped(path: str = "organisation", manager_class: type[models.Manager] = models.Manager):
    """The default manager of a model owned by an organisation: its rows are those of the active
    organisation, reached along ``path`` (``"plan__organisation"`` for a plan's priorities); with
    no organisation active every query raises ``ScopeError``."""
    return ScopedManager(_manager_class=manager_class, **{DIMENSION: path})


def unscoped_manager(manager_class: type[models.Manager] = models.Manager):
    """A second manager that reads across organisations, for the few reads that must (declare it
    after ``objects``, which stays the default, and say why beside it)."""
    return manager_class()


def _organisation_pk(organisation) -> int:
    pk = getattr(organisation, "pk", organisation)
    if pk is None:
        # django-scopes drops a filter whose value is None, which would open every organisation.
        raise ScopeError("An organisation scope needs a saved organisation")
    return pk


def activate(organisation) -> None:
    """From here to the end of the current request, command or job, scoped queries see only
    ``organisation``'s rows. Call it where the organisation has been resolved and checked."""
    state.set({**(state.get() or {}), "_enabled": True, DIMENSION: _organisation_pk(organisation)})


@contextmanager
def enforced() -> Iterator[None]:
    """A fresh start with no organisation: every scoped query raises until ``activate``. Whatever
    was activated inside is forgotten on leaving, so nothing leaks into the next request."""
    token = state.set({"_enabled": True})
    try:
        yield
    finally:
        state.reset(token)


@contextmanager
def scoped_to(organisation) -> Iterator[None]:
    """Scoped queries inside see only ``organisation``'s rows (demo loaders, jobs, tests)."""
    token = state.set({"_enabled": True, DIMENSION: _organisation_pk(organisation)})
    try:
        yield
    finally:
        state.reset(token)


def cross_organisation():
    """For a read that is genuinely across organisations; say why where it is used."""
    return scopes_disabled()


def active_organisation_pk() -> int | None:
    current = state.get() or {}
    return current.get(DIMENSION) if current.get("_enabled", True) else None


class TenancyMiddleware:
    """Each request starts with no organisation in scope, so a view that forgets ``org_access``
    fails instead of reading every council's rows, and a scope never outlives its request (a
    waitress thread serves many)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with enforced():
            return self.get_response(request)
