"""The named cast every test can use.

``demoshire`` with one member per role (``admin``, ``manager``, ``contributor``, ``viewer``,
``auditor``), and ``outsider``: the admin of another council, who must never see Demoshire.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from carestat.core.access import Access
from carestat.core.models import Membership, Role

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session", autouse=True)
def _flush_lifts_the_audit_guard():
    """Emptying the test database between live-server tests may delete audit entries."""
    from carestat.core.tests.audit_guard import flush_lifts_the_audit_guard

    with flush_lifts_the_audit_guard():
        yield


@pytest.fixture(scope="session", autouse=True)
def _today_from_the_environment():
    """``CARESTAT_TEST_TODAY=2027-04-01 make check`` runs the suite as if it were that day, so tests
    that build dates relative to today can be tried across quarter, year and bank-holiday edges.
    Tests whose figures depend on a particular day freeze it themselves (the ``today`` fixture)."""
    day = os.environ.get("CARESTAT_TEST_TODAY")
    if not day:
        yield
        return
    import time_machine

    start = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), tzinfo=dt.UTC)
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture
def today():
    """Freeze the clock at 10:00 UTC on a day the test chooses: ``today("2027-04-01")``."""
    import time_machine

    travellers = []

    def freeze(day: str | dt.date) -> dt.date:
        day = dt.date.fromisoformat(day) if isinstance(day, str) else day
        traveller = time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC), tick=False)
        traveller.start()
        travellers.append(traveller)
        return day

    yield freeze
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture
def story_day():
    """The clock at the demo's story day (``carestat.demo.STORY_DAY``), ticking from 10:00 UTC."""
    import time_machine

    from carestat.demo import STORY_DAY

    with time_machine.travel(dt.datetime.combine(STORY_DAY, dt.time(10), tzinfo=dt.UTC), tick=True):
        yield STORY_DAY


@pytest.fixture(autouse=True)
def _fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    settings.UPLOADS_DIR = tmp_path / "uploads"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the measures list keeps its judgements there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demoshire(db):
    from carestat.core.tests.factories import OrganisationFactory

    return OrganisationFactory(name="Demoshire County Council", slug="demoshire", jurisdiction="england", la_code="999")


@pytest.fixture
def westmarch(db):
    from carestat.core.tests.factories import OrganisationFactory

    return OrganisationFactory(name="Westmarch Borough Council", slug="westmarch", jurisdiction="jersey", la_code="998")


def _member(org, role, email, name):
    from carestat.core.tests.factories import UserFactory

    user = UserFactory(username=email, email=email, full_name=name, password=PASSWORD)
    Membership.objects.create(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def admin(demoshire):
    return _member(demoshire, Role.ADMIN, "helen@demoshire.example", "Helen Morgan")


@pytest.fixture
def manager(demoshire):
    return _member(demoshire, Role.MANAGER, "priya@demoshire.example", "Priya Shah")


@pytest.fixture
def contributor(demoshire):
    return _member(demoshire, Role.CONTRIBUTOR, "tom@demoshire.example", "Tom Okafor")


@pytest.fixture
def viewer(demoshire):
    return _member(demoshire, Role.VIEWER, "jane@demoshire.example", "Jane Ellis")


@pytest.fixture
def auditor(demoshire):
    return _member(demoshire, Role.AUDITOR, "sam@demoshire.example", "Sam Reid")


@pytest.fixture
def outsider(westmarch):
    return _member(westmarch, Role.ADMIN, "alex@westmarch.example", "Alex Hughes")


@pytest.fixture
def cast(admin, manager, contributor, viewer, auditor, outsider):
    return {
        "admin": admin, "manager": manager, "contributor": contributor,
        "viewer": viewer, "auditor": auditor, "outsider": outsider,
    }


def access_for(user, org) -> Access:
    m = Membership.objects.get(user=user, organisation=org)
    return Access(user=user, organisation=org, membership=m)


@pytest.fixture
def admin_access(admin, demoshire):
    return access_for(admin, demoshire)


@pytest.fixture
def manager_access(manager, demoshire):
    return access_for(manager, demoshire)


@pytest.fixture
def queued_jobs(settings):
    """Jobs go to the database queue; ``run_worker()`` runs what is waiting, in this process, as
    ``carestat worker --batch`` would (use it in ``django_db(transaction=True)`` tests, so that
    jobs are queued on commit as in the web process)."""
    import signal

    from carestat.core.management.commands.worker import make_worker

    settings.CARESTAT_JOBS_INLINE = False

    def run_worker(**kwargs):
        worker = make_worker(batch=True, interval=0, **kwargs)
        before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM)}
        worker.configure_signals()
        try:
            worker.run()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            for s, handler in before.items():
                signal.signal(s, handler)

    return run_worker
