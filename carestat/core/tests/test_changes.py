"""The change rules every app's services share (carestat.core.changes)."""

import pytest

from carestat.core.changes import acting_user, name_of, require_reason, stamp
from carestat.core.errors import InvalidInput
from carestat.core.models import User


def test_a_reason_is_trimmed_and_refused_when_too_short_or_too_long():
    assert require_reason("  Backlog cleared  ", "Give the reason") == "Backlog cleared"
    with pytest.raises(InvalidInput, match="^Give the reason$") as short:
        require_reason(" abcd ", "Give the reason")
    assert short.value.field == "reason"
    assert require_reason("x", "Say why", min_length=1) == "x"
    with pytest.raises(InvalidInput, match="^The reason must be 500 characters or fewer$"):
        require_reason("x" * 501, "Say why", min_length=1, max_length=500)


def test_a_stamp_records_who_changed_it_and_an_unsaved_stand_in_as_nobody(admin, demoshire):
    stamped = stamp(demoshire, admin, new=True)
    assert stamped == ["changed_at", "changed_by"]
    assert demoshire.changed_by == demoshire.created_by == admin and demoshire.changed_at is not None
    system = User(username="system")
    stamp(demoshire, system)
    assert demoshire.changed_by is None and acting_user(system) is None and demoshire.created_by == admin


def test_a_persons_name_or_the_words_for_nobody(admin):
    assert name_of(admin) == admin.display_name
    assert (name_of(None), name_of(None, None), name_of(None, "someone")) == ("", None, "someone")


def test_archiving_records_its_reason_and_the_latest_reason_is_the_one_read_back(cast, demoshire):
    from carestat.core.archiving import archive_reasons
    from carestat.core.models import AuditEntry
    from carestat.plans import services
    from carestat.plans.tests.builders import small_plan
    from conftest import access_for

    w = small_plan(demoshire, cast["admin"], cast["contributor"])
    a = access_for(cast["admin"], demoshire)
    services.archive(a, w["m1"], reason="Agency OTs not needed")
    services.unarchive(a, w["m1"], reason="Agency OTs needed after all")
    services.archive(a, w["m1"], reason="Recruited permanent OTs instead")
    entry = AuditEntry.objects.filter(action="plans.milestone.archived").first()
    assert entry.message == f"{cast['admin'].display_name} archived milestone ‘Recruit agency OTs’: " \
                            "Recruited permanent OTs instead"
    assert archive_reasons(demoshire, ["plans.milestone.archived"], [w["m1"].pk]) == {
        ("milestone", str(w["m1"].pk)): "Recruited permanent OTs instead"}
