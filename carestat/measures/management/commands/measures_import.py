from pathlib import Path

from django.core.management.base import CommandError

from carestat.core.management.base import CareStatCommand, command_access, get_org
from carestat.measures import importing


class Command(CareStatCommand):
    help = (
        "Import measure values from a CSV or Excel file: every row is checked first and the file loads whole "
        "or not at all. Columns: code, period, value, and optionally numerator, denominator, provisional, note."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv or .xlsx file")
        parser.add_argument("--org", required=True, help="The organisation's short name")
        parser.add_argument("--as", dest="as_user", help="Import as this member (email); needs a manager or admin")

    def handle(self, *args, **opts):
        org = get_org(opts["org"])
        access = command_access(org, opts["as_user"])
        path = Path(opts["file"])
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        try:
            result = importing.import_values(access, path.name, path.read_bytes())
        except importing.ImportRejected as exc:
            lines = "\n".join(f"  {p}" for p in exc.problems)
            raise CommandError(f"{path.name} was not imported; nothing was saved:\n{lines}") from None
        self.stdout.write(self.style.SUCCESS(result.summary))
