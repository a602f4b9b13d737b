"""On PostgreSQL, the open-item periods as date ranges in a GiST index (with btree_gist for the administration and
the side), so the periods that hold a day are found exactly, however far back the day (ledger.open_items)."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "CREATE INDEX IF NOT EXISTS openitemperiod_holds_day ON ledger_openitemperiod USING gist "
    "(administration_id, side, daterange(valid_from, valid_to, '[)'))",
]
DROP = ["DROP INDEX IF EXISTS openitemperiod_holds_day"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0012_open_item_ledger")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
