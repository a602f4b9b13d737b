# The relation's address and e-mail, for statements of open items.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0016_outstanding_changed_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="relation",
            name="address",
            field=models.CharField(blank=True, default="", max_length=255),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="relation",
            name="postal_code",
            field=models.CharField(blank=True, default="", max_length=50),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="relation",
            name="city",
            field=models.CharField(blank=True, default="", max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="relation",
            name="country",
            field=models.CharField(blank=True, default="", max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="relation",
            name="email",
            field=models.CharField(blank=True, default="", max_length=254),
            preserve_default=False,
        ),
    ]
