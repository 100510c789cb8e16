import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """Tasks get timestamps like the other plan tables: the report forms keep a plan's
    tasks per process and notice a change by them (common.kept)."""

    dependencies = [
        ("plans", "0003_dataelement_timestamps"),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now,
                                       verbose_name="created at"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="task",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
    ]
