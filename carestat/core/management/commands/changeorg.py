from django.core.management.base import CommandError

from carestat.core import services
from carestat.core.management.base import CareStatCommand, command_access, get_org


class Command(CareStatCommand):
    help = (
        "Change an organisation's name or local authority code. Every return that states a local "
        "authority (CIN census, workforce census, client level data) must state this code, so that "
        "another council's return is refused rather than replacing this one's figures."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organisation short name")
        parser.add_argument("--name", help="New full name")
        parser.add_argument("--la-code", help="DfE local authority code, e.g. 938 (empty to clear)")

    def handle(self, *args, **opts):
        if opts["name"] is None and opts["la_code"] is None:
            raise CommandError("Say what to change: --name and/or --la-code")
        org = get_org(opts["org"])
        org = services.change_organisation(command_access(org, None), name=opts["name"], la_code=opts["la_code"])
        self.stdout.write(self.style.SUCCESS(
            f"{org.name} (short name {org.slug}), local authority code {org.la_code or 'not set'}"))
