"""`make install` (and so `make demo`) checks for the system libraries the PDF, Word and slide
files are drawn with, as `make install-test` checks for Chromium: apt-get installs what is
missing when make runs as root, anyone else is told the command; present, it says nothing."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBS = ("libpango-1.0.so.0", "libpangoft2-1.0.so.0", "libcairo.so.2")

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", "--no-print-directory", "-C", str(ROOT), *args],
                          capture_output=True, text=True, timeout=60)


def _ldconfig_lists() -> str:
    ldconfig = shutil.which("ldconfig") or "/sbin/ldconfig"
    return subprocess.run([ldconfig, "-p"], capture_output=True, text=True).stdout


def _fake(path: Path, script: str) -> str:
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return str(path)


def test_install_and_install_test_check_the_pdf_libraries():
    for target in ("install", "install-test"):
        assert "libpango-1.0-0" in make("-n", target).stdout, target


def test_the_check_says_nothing_when_pango_and_cairo_are_present():
    if not all(f"{lib} (" in _ldconfig_lists() for lib in LIBS):
        pytest.skip("this machine lacks Pango or Cairo")
    done = make("pdf-libs")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_a_missing_library_is_installed_as_root_and_named_to_anyone_else(tmp_path):
    listing = tmp_path / "listing"
    listing.write_text("".join(f"\t{lib} (libc6,x86-64) => /lib/{lib}\n" for lib in LIBS[:2]))  # no Cairo
    ldconfig = _fake(tmp_path / "ldconfig", f"cat {listing}\n")
    calls = tmp_path / "apt.log"
    apt_get = _fake(tmp_path / "apt-get", f'echo "$@" >> {calls}\n')
    done = make("pdf-libs", f"LDCONFIG={ldconfig}", f"APT_GET={apt_get}")
    if os.geteuid() == 0:
        assert done.returncode == 0 and "Installing libcairo2 for the PDF" in done.stdout
        assert calls.read_text().splitlines() == ["update -qq", "install -y -qq libcairo2"]
    else:
        assert done.returncode != 0 and not calls.exists()
        assert "need Pango and Cairo: sudo apt-get install libcairo2" in done.stdout
