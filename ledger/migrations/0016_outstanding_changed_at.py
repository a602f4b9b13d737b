from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0015_open_items_digest"),
    ]

    operations = [
        migrations.AddField(
            model_name="administration",
            name="outstanding_changed_at",
            field=models.DateTimeField(
                blank=True,
                help_text=(
                    "When the open items, their relations' names or their payment habits last changed: a page "
                    "figured from them (the cash forecast) may be kept until then."
                ),
                null=True,
            ),
        ),
    ]
