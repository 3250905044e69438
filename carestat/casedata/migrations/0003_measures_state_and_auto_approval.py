from django.db import migrations, models


def computed_when_loaded(apps, schema_editor):
    # Returns loaded before this migration had their measures computed as they loaded.
    Submission = apps.get_model("casedata", "Submission")
    for s in Submission.objects.filter(status__in=["current", "superseded"]).only("pk", "loaded_at"):
        Submission.objects.filter(pk=s.pk).update(measures_computed_at=s.loaded_at)


class Migration(migrations.Migration):
    dependencies = [("casedata", "0002_case_data_settings")]

    operations = [
        migrations.AddField(
            model_name="submission", name="measures_computed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="submission", name="measures_error", field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="casedatasettings", name="auto_approve_recomputed",
            field=models.BooleanField(
                default=False, help_text="Approve recomputed figures that replace approved ones without a manager"),
        ),
        migrations.RunPython(computed_when_loaded, migrations.RunPython.noop),
    ]
