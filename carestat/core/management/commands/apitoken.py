from django.core.management.base import CommandError

from carestat.core import services
from carestat.core.management.base import CareStatCommand
from carestat.core.models import User


class Command(CareStatCommand):
    help = "Create a personal API token for a person; the token is printed once and stored only as a hash."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="What will use the token")

    def handle(self, *args, **opts):
        user = User.objects.filter(username=opts["email"].strip().lower()).first()
        if user is None:
            raise CommandError(f"Nobody signs in as {opts['email']}")
        _, plain = services.create_api_token(user, opts["name"])
        self.stdout.write(plain)
