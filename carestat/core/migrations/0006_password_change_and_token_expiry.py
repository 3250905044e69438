import datetime as dt

from django.db import migrations, models

# Tokens made before expiry existed get the default lifetime from when they were made
# (CARESTAT_API_TOKEN_DAYS's default), so none lives for ever.
DEFAULT_TOKEN_DAYS = 90


def expire_old_tokens(apps, schema_editor):
    ApiToken = apps.get_model("core", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True).only("pk", "created_at"):
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=token.created_at + dt.timedelta(days=DEFAULT_TOKEN_DAYS))


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0005_job_queue_attempts_and_uploads"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="must_change_password",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(expire_old_tokens, migrations.RunPython.noop),
    ]
