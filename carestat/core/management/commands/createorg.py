from carestat.core import services
from carestat.core.management.base import CareStatCommand
from carestat.core.models import Jurisdiction


class Command(CareStatCommand):
    help = (
        "Create an organisation (a council) with reporting periods for this and last financial year. "
        "The jurisdiction sets its bank holidays and which statutory returns apply."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Full name, e.g. 'Demoshire County Council'")
        parser.add_argument("--slug", default="", help="Short name used in web addresses (default: from the name)")
        parser.add_argument("--jurisdiction", required=True, choices=Jurisdiction.values)
        parser.add_argument("--la-code", default="", help="DfE local authority code, e.g. 938")

    def handle(self, *args, **opts):
        org = services.create_organisation(
            name=opts["name"], slug=opts["slug"], jurisdiction=opts["jurisdiction"], la_code=opts["la_code"]
        )
        self.stdout.write(self.style.SUCCESS(f"Created {org.name} (short name: {org.slug})"))
