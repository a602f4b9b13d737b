"""Empty the description of the VAT lines Monitr added to e-Boekhouden's mutations, which was stored as the English
word "VAT".

Such a line is the one a mutation's VAT is booked on: no VAT code and no VAT amount of its own, on an account whose
role is VAT. The sync adds it without a description from now on; the pages show the transaction's description on it.
"""

from django.db import migrations


def empty_descriptions(apps, schema_editor):
    TransactionLine = apps.get_model("ledger", "TransactionLine")
    TransactionLine.objects.filter(
        administration__provider="eboekhouden",
        account__role="vat",
        description="VAT",
        vat_code="",
        vat_amount__isnull=True,
    ).update(description="")


class Migration(migrations.Migration):
    dependencies = [("eboekhouden", "0001_account_roles"), ("ledger", "0011_monthly_balances")]

    operations = [migrations.RunPython(empty_descriptions, migrations.RunPython.noop)]
