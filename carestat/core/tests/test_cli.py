import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from carestat.core.models import Membership, Organisation


def test_help_lists_each_carestat_command_with_what_it_does(tmp_path):
    env = {**os.environ, "CARESTAT_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "carestat.cli", "--help"], env=env, capture_output=True,
                         text=True, check=True).stdout
    for name in ("demo", "serve", "createorg", "adduser", "apitoken"):
        assert f"  {name} " in out
    assert "Set up the demo" in out


def test_createorg_creates_an_organisation(db, capsys):
    call_command("createorg", "Isle Council", "--jurisdiction", "isle_of_man", "--slug", "isle")
    assert Organisation.objects.get(slug="isle").jurisdiction == "isle_of_man"
    assert "Created Isle Council (short name: isle)" in capsys.readouterr().out


def test_createorg_with_a_taken_short_name_fails_with_a_message(demoshire):
    with pytest.raises(CommandError, match="short name ‘demoshire’ already exists"):
        call_command("createorg", "Other", "--jurisdiction", "england", "--slug", "demoshire")


def test_adduser_adds_a_member_with_a_role(admin, demoshire, monkeypatch):
    monkeypatch.setenv("NEW_PW", "a-long-enough-password")
    call_command("adduser", "Lee@Demoshire.example", "--name", "Lee", "--org", "demoshire", "--role", "viewer",
                 "--password-from-env", "NEW_PW")
    assert Membership.objects.get(user__username="lee@demoshire.example").role == "viewer"


def test_adduser_refuses_a_weak_password_and_creates_nobody(demoshire, monkeypatch):
    from carestat.core.models import User

    monkeypatch.setenv("NEW_PW", "12345")
    with pytest.raises(CommandError, match="too short"):
        call_command("adduser", "lee@demoshire.example", "--password-from-env", "NEW_PW")
    assert not User.objects.filter(username="lee@demoshire.example").exists()


def test_adduser_for_an_unknown_organisation_names_the_known_ones(demoshire, monkeypatch):
    monkeypatch.setenv("NEW_PW", "a-long-enough-password")
    with pytest.raises(CommandError, match=r"No organisation with the short name ‘nowhere’ \(known: demoshire\)"):
        call_command("adduser", "x@example.gov.uk", "--org", "nowhere", "--role", "viewer",
                     "--password-from-env", "NEW_PW")


def test_demo_loads_demoshire_once(db, capsys, monkeypatch):
    # the whole demo is loaded once, in tests/test_full_demo.py; here only its core part
    monkeypatch.setattr("carestat.demo.LOADERS", ["carestat.core.demo.load"])
    call_command("demo", "--no-serve")
    first = capsys.readouterr().out
    assert "Loaded the demo council." in first and "helen.morgan@demoshire.example" in first
    call_command("demo", "--no-serve")
    assert "already loaded" in capsys.readouterr().out
    assert Organisation.objects.filter(slug="demoshire").count() == 1
