"""Give the accounts e-Boekhouden imported before roles existed the role their category names.

The categories are spelled out here rather than imported from ``eboekhouden.mapping``: a migration keeps the mapping
of its day, whatever the module says later. Accounts imported from now on get their role from the sync."""

from django.db import migrations

ROLES = {
    "FIN": "cash",
    "DEB": "receivable",
    "CRED": "payable",
    **dict.fromkeys(("VOOR", "AF", "AF6", "AF19", "AFOVERIG", "BTWRC"), "vat"),
}


def fill_roles(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    for category, role in ROLES.items():
        Account.objects.filter(administration__provider="eboekhouden", category=category, role="").update(role=role)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0010_account_role")]

    operations = [migrations.RunPython(fill_roles, migrations.RunPython.noop)]
