from django.core.management import call_command


def test_models_and_migrations_agree(db):
    # fails when a model changes without a migration
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
