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
