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


def test_a_link_to_another_organisations_record_is_refused_however_deep_it_belongs(cast, demoshire, westmarch):
    from carestat.core.changes import organisation_id_of, require_same_organisation
    from carestat.plans.tests.builders import small_plan
    from conftest import access_for

    ours = small_plan(demoshire, cast["admin"], cast["contributor"])
    from carestat.core.models import Membership, Role

    Membership.objects.create(user=cast["contributor"], organisation=westmarch, role=Role.CONTRIBUTOR)
    theirs = small_plan(westmarch, cast["outsider"], cast["contributor"])
    # an action, objective and priority belong to their plan's organisation
    for kind in ("plan", "priority", "objective", "action"):
        assert organisation_id_of(ours[kind]) == demoshire.pk
        assert organisation_id_of(theirs[kind]) == westmarch.pk
    a = access_for(cast["admin"], demoshire)
    require_same_organisation(a, ours["action"], None, ours["plan"])  # nothing chosen passes too
    refusal = f"^That action belongs to another organisation; choose one of {demoshire.name}'s$"
    with pytest.raises(InvalidInput, match=refusal) as refused:
        require_same_organisation(a, ours["plan"], theirs["action"], field="action", what="action")
    assert refused.value.field == "action"
    # a record that belongs to no organisation is a programming error, never let through
    with pytest.raises(TypeError, match="belong to no organisation"):
        require_same_organisation(a, cast["admin"])


def test_a_locked_row_is_refused_when_changed_since_it_was_opened_naming_who_and_when(cast, demoshire):
    from carestat.core.changes import locked
    from carestat.core.errors import Conflict
    from carestat.plans import services
    from carestat.plans.tests.builders import small_plan
    from conftest import access_for

    w = small_plan(demoshire, cast["admin"], cast["contributor"])
    opened = w["action"].version
    services.update_action(access_for(cast["manager"], demoshire), w["action"], title="Clear the backlog by March",
                           due=w["action"].due, expected_version=opened)
    assert locked(w["action"]).title == "Clear the backlog by March"  # read afresh, not the copy handed in
    with pytest.raises(Conflict, match=f"^Action ‘Clear the backlog by March’ was changed by "
                                       f"{cast['manager'].display_name} at \\d\\d:\\d\\d since you opened it; "
                                       "reload it to see their change, then make yours again$"):
        locked(w["action"], opened)
