import getpass

from django.core.management.base import CommandError

from carestat.core import services
from carestat.core.management.base import CareStatCommand, command_access, get_org
from carestat.core.models import Role, User


class Command(CareStatCommand):
    help = (
        "Add a person, and optionally make them a member of an organisation with a role "
        "(viewer, contributor, manager, admin or auditor). Prompts for a password unless "
        "--password-from-env names a variable holding it."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="Full name")
        parser.add_argument("--org", help="Organisation short name to add them to")
        parser.add_argument("--role", choices=Role.values, help="Their role in --org")
        parser.add_argument("--password-from-env", metavar="VAR", help="Read the password from this variable")
        parser.add_argument("--no-password", action="store_true", help="Create without a password (cannot sign in yet)")

    def handle(self, *args, **opts):
        import os

        if bool(opts["org"]) != bool(opts["role"]):
            raise CommandError("--org and --role go together")
        email = opts["email"].strip().lower()
        user = User.objects.filter(username=email).first()
        if user is None:
            password = None
            if opts["password_from_env"]:
                password = os.environ.get(opts["password_from_env"])
                if not password:
                    raise CommandError(f"The variable {opts['password_from_env']} is empty or not set")
            elif not opts["no_password"]:
                password = getpass.getpass(f"Password for {email}: ")
            user = services.create_user(email=email, full_name=opts["name"], password=password)
            self.stdout.write(self.style.SUCCESS(f"Created {user.display_name} <{email}>"))
        if opts["org"]:
            org = get_org(opts["org"])
            access = command_access(org, None)
            membership, _ = services.add_member(access, email=email, full_name=opts["name"], role=opts["role"])
            self.stdout.write(self.style.SUCCESS(
                f"{user.display_name} is now {membership.get_role_display().lower()} of {org.name}"))
