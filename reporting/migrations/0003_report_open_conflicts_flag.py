from django.db import migrations, models
from django.db.models import Exists, OuterRef


def flag_open_conflicts(apps, schema_editor):
    """Reports that already hold unresolved conflict copies get the flag."""
    report_request = apps.get_model("reporting", "ReportRequest")
    conflict_copy = apps.get_model("reporting", "ConflictCopy")
    report_request.objects.filter(Exists(conflict_copy.objects.filter(
        request=OuterRef("pk"), resolved_at__isnull=True))).update(has_open_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("reporting", "0002_unit_name_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportrequest",
            name="has_open_conflicts",
            field=models.BooleanField(default=False,
                                      verbose_name="has unresolved edit conflicts"),
        ),
        migrations.RunPython(flag_open_conflicts, migrations.RunPython.noop),
    ]
