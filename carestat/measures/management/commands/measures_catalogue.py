from carestat.core.management.base import CareStatCommand
from carestat.measures.catalogue import default_path, load_catalogue


class Command(CareStatCommand):
    help = (
        "Load the national measure catalogue (codes, definitions, polarity, national values) from "
        "measure_catalogue.csv. Safe to repeat: existing codes are updated in place."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", default="", help=f"The CSV (default: {default_path()})")

    def handle(self, *args, **opts):
        created, updated = load_catalogue(opts["path"] or None)
        self.stdout.write(self.style.SUCCESS(f"Measure catalogue loaded: {created} new, {updated} updated."))
