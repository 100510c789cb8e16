import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_indicators_principal_product"),
    ]

    operations = [
        migrations.AddField(
            model_name="dataelement",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now,
                                       verbose_name="created at"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="dataelement",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
    ]
