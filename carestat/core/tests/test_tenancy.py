"""Tenancy fails closed (docs/decisions/0014-tenancy-fails-closed.md): a query on an
organisation's records without an organisation in scope is an error, and the entry points put
the right organisation in scope."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.http import HttpResponse
from django.test import RequestFactory
from django_scopes import ScopeError

from carestat.core.models import Organisation
from carestat.core.tenancy import TenancyMiddleware, activate, enforced, scoped_to
from carestat.plans import services
from carestat.plans.models import Milestone, Plan
from carestat.plans.tests.builders import small_plan
from conftest import access_for

# Records that belong to no organisation, so need no scope.
NOT_OWNED = {
    "core.Organisation",  # the tenants themselves
    "core.User",  # a person may belong to several organisations
    "core.ApiToken",  # a person's own; reaches an organisation only through their membership
    "measures.CatalogueMeasure",  # the national catalogue every organisation draws on
}


def _is_scoped(model) -> bool:
    return type(model._default_manager).__qualname__.startswith("ScopedManager")


def _carestat_models():
    return [m for m in apps.get_models() if m.__module__.startswith("carestat.")]


def _owner_fields(model):
    """The fields by which ``model`` belongs to an organisation: one to Organisation itself, or a
    required one to a record that does."""
    found = []
    for f in model._meta.concrete_fields:
        if not isinstance(f, models.ForeignKey) or f.related_model is model:
            continue
        if f.related_model is Organisation or (not f.null and _is_scoped(f.related_model)):
            found.append(f.name)
    return found


def test_every_model_an_organisation_owns_has_a_scoped_default_manager():
    """A new app's models are caught here until they follow the recipe in decision 0014."""
    unscoped = [m._meta.label for m in _carestat_models()
                if m._meta.label not in NOT_OWNED and _owner_fields(m) and not _is_scoped(m)]
    assert unscoped == []


def test_the_models_that_need_no_scope_really_belong_to_no_organisation():
    for label in NOT_OWNED:
        model = apps.get_model(label)
        assert not _is_scoped(model)
        assert not [f for f in _owner_fields(model) if f != "organisation"] or label == "core.Organisation"


@pytest.mark.parametrize("label", sorted(m._meta.label for m in _carestat_models() if _is_scoped(m)))
def test_a_query_without_an_organisation_in_scope_is_an_error(label):
    model = apps.get_model(label)
    with enforced():
        with pytest.raises(ScopeError):
            list(model.objects.all())
        with pytest.raises(ScopeError):
            model.objects.filter(pk=1).exists()
        with pytest.raises(ScopeError):
            model.objects.count()


def test_a_scope_shows_only_its_own_organisations_rows_at_every_depth(demoshire, westmarch, admin, contributor,
                                                                      outsider):
    ours = small_plan(demoshire, admin, contributor)
    theirs = small_plan(westmarch, outsider, outsider)
    with scoped_to(demoshire):
        assert list(Plan.objects.all()) == [ours["plan"]]
        assert set(Milestone.objects.all()) == {ours["m1"], ours["m2"]}
        assert not Milestone.objects.filter(pk=theirs["m1"].pk).exists()
        # A related manager is scoped too: another council's plan shows none of its milestones.
        assert list(theirs["action"].milestones.all()) == []
    with scoped_to(westmarch):
        assert list(Plan.objects.all()) == [theirs["plan"]]


def test_a_scope_ends_with_its_block_and_never_leaks(demoshire):
    with enforced():
        with scoped_to(demoshire):
            Plan.objects.count()
        with pytest.raises(ScopeError):
            Plan.objects.count()


def test_every_request_starts_with_no_organisation_whatever_came_before(demoshire):
    seen = []

    def view(request):
        try:
            Plan.objects.count()
        except ScopeError:
            seen.append("refused")
        activate(demoshire)
        seen.append(Plan.objects.count())
        return HttpResponse()

    middleware = TenancyMiddleware(view)
    # The tests' own set-up runs with scopes off; a request must not inherit that, and an
    # organisation one request activates must not reach the next.
    middleware(RequestFactory().get("/"))
    middleware(RequestFactory().get("/"))
    assert seen == ["refused", 0, "refused", 0]


def test_an_organisation_without_a_primary_key_cannot_open_a_scope():
    with pytest.raises(ScopeError):
        with scoped_to(Organisation(name="Unsaved")):
            pass


def test_a_page_puts_only_the_members_organisation_in_scope(client, demoshire, westmarch, admin, contributor,
                                                            outsider):
    small_plan(demoshire, admin, contributor)
    small_plan(westmarch, outsider, outsider)
    client.force_login(admin)
    response = client.get("/o/demoshire/plans/")
    assert response.status_code == 200
    assert response.content.count(b"Adult social care improvement") >= 1
    client.force_login(outsider)
    assert client.get("/o/demoshire/plans/").status_code == 404


def test_a_command_sees_only_the_organisation_named_by_its_org_option(demoshire, westmarch, admin, contributor,
                                                                      outsider):
    from carestat.core.management.base import command_access, get_org

    ours = small_plan(demoshire, admin, contributor)
    small_plan(westmarch, outsider, outsider)
    with enforced():
        org = get_org("demoshire")
        assert list(Plan.objects.all()) == [ours["plan"]]
        command_access(org, None)
        assert list(Plan.objects.all()) == [ours["plan"]]


def _plan_titles(job, progress):
    """A job that reports the plans it can see (a task must be a module-level function)."""
    return " | ".join(Plan.objects.values_list("title", flat=True))


def test_a_queued_job_runs_inside_its_own_organisation_only(settings, monkeypatch, demoshire, westmarch, admin,
                                                            contributor, outsider):
    from carestat.core import jobs
    from carestat.core.jobs import enqueue_job

    jobs.task_for("casedata.ingest")  # the apps' own tasks first, as in the worker
    monkeypatch.setattr(jobs, "_TASKS", dict(jobs._TASKS))
    jobs.job_task("tests.tenancy.plan_titles")(_plan_titles)
    settings.CARESTAT_JOBS_INLINE = True
    small_plan(demoshire, admin, contributor)
    theirs = small_plan(westmarch, outsider, outsider)
    services.create_plan(access_for(outsider, westmarch), kind="improvement", title="Westmarch marker plan",
                         start=theirs["plan"].start, end=theirs["plan"].end)
    with enforced():
        job = enqueue_job(demoshire, admin, "tests.tenancy.plan_titles", "List the plans")
    assert job.result_url == "Adult social care improvement"
    with enforced():
        job = enqueue_job(westmarch, outsider, "tests.tenancy.plan_titles", "List the plans")
    assert job.result_url == "Adult social care improvement | Westmarch marker plan"


def test_the_audit_trail_shows_its_own_members_sign_ins_and_not_another_councils(client, viewer, auditor, outsider):
    """Sign-ins belong to no organisation, so the audit trail reads them across organisations
    (AuditEntry.unscoped) and keeps only its own members'."""
    for person in (viewer, outsider):
        client.post("/sign-in/", {"email": person.email, "password": "correct-horse-battery-staple"})
        client.post("/sign-out/")
    client.force_login(auditor)
    page = client.get("/o/demoshire/audit/").content.decode()
    assert "Jane Ellis signed in" in page or "jane@demoshire.example" in page
    assert "Alex Hughes" not in page and "alex@westmarch.example" not in page
    api = client.get("/api/v1/organisations/demoshire/audit").json()
    actions = [(e["action"], e["actor"]) for e in api]
    assert ("core.auth.signed_in", "Jane Ellis") in actions
    assert all(actor != "Alex Hughes" for _, actor in actions)
