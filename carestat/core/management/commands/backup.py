"""carestat backup DEST: the database, the analytics stores and both keys, together."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from carestat.core.management.base import CareStatCommand


class Command(CareStatCommand):
    help = (
        "Back up everything CareStat needs to restore a council, into a new folder DEST laid out as a "
        "data directory: the SQLite database (a consistent copy, safe while CareStat runs), every "
        "organisation's analytics store (copied while no load is writing it), kept report files, and "
        "both keys (the secret key and the pseudonymisation key, without which the stores' person keys "
        "cannot be matched again). On PostgreSQL, dump the database with pg_dump at the same time. "
        "Restore by pointing CARESTAT_DATA_DIR at a copy of DEST. DEST holds personal data and the "
        "keys: keep it as safe as the server."
    )

    def add_arguments(self, parser):
        parser.add_argument("dest", type=Path, help="A folder that does not exist yet")

    def handle(self, *args, **opts):
        from carestat.casedata.stores import open_store, store_path
        from carestat.core.models import Organisation

        dest: Path = opts["dest"].resolve()
        if dest.exists():
            raise CommandError(f"{dest} already exists; name a new folder, so no older backup is mixed in")
        dest.mkdir(parents=True)
        written: list[Path] = []

        database = settings.DATABASES["default"]
        if database["ENGINE"] == "django.db.backends.sqlite3":
            target = dest / "carestat.sqlite3"
            # SQLite's online backup: a consistent copy even while pages and the worker write.
            source, copy = sqlite3.connect(database["NAME"]), sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
            written.append(target)
        else:
            self.stdout.write(self.style.WARNING(
                "The database is PostgreSQL: dump it now, beside this backup, with "
                "pg_dump --format=custom --file DEST/carestat.pgdump (see the README's backup section)."))

        analytics = dest / "analytics"
        for org in Organisation.objects.order_by("slug"):
            path = store_path(org)
            if not path.exists():
                continue
            analytics.mkdir(exist_ok=True)
            # Holding the store open read-only keeps the worker from writing it during the copy.
            with open_store(org, read_only=True, wait=120):
                shutil.copy2(path, analytics / path.name)
            written.append(analytics / path.name)

        for name, env_value in (("secret_key", settings.SECRET_KEY),
                                ("pseudonymisation_key", settings.PSEUDONYMISATION_KEY)):
            target = dest / name
            target.write_text(env_value)
            target.chmod(0o600)
            written.append(target)

        media = Path(settings.MEDIA_ROOT)
        if media.exists() and any(media.iterdir()):
            shutil.copytree(media, dest / "media")
            written.extend(p for p in (dest / "media").rglob("*") if p.is_file())

        lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(dest)}" for p in written]
        (dest / "SHA256SUMS").write_text("\n".join(lines) + "\n")
        dest.chmod(0o700)
        self.stdout.write(self.style.SUCCESS(f"Backed up {len(written)} files to {dest} (checksums in SHA256SUMS)"))
