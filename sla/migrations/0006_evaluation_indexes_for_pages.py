"""Indexes for the pages that read evaluations by vendor and month.

`evaluation_missing_data`: closed windows without data (operations' and line managers'
homes, the SLA portfolio, the vendor's SLA tab, reminders) were found by reading every
evaluation of the visible vendors' whole history (25,000 rows for 25 vendors of a 5-year
portfolio: 3 ms, growing with the history); the partial index holds only those windows.

`evaluation_vendor_end_rates`: a covering index for the compliance roll-ups
(sla.selectors.compliance_by_month and compliance_for: the SLA portfolio, the homes, the
vendor page): rate, breaches and windows without data per vendor and month come from the
index alone (an index-only scan of the visible vendors' months), where PostgreSQL read
every row of those vendors' history from the table (14 ms -> 0.6 ms for 25 vendors x 12
months of a 100-vendor, 5-year portfolio). PostgreSQL only, so not declared on the model: SQLite has no covering indexes (Django
skips such an index there and warns), and the embedded leg needs none."""

from django.db import migrations, models

CREATE = ("CREATE INDEX IF NOT EXISTS evaluation_vendor_end_rates ON sla_evaluation "
          "(vendor_id, window_end) INCLUDE (id, service_level_id, status, excused)")
DROP = "DROP INDEX IF EXISTS evaluation_vendor_end_rates"


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("sla", "0005_evaluation_evaluated_at_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="evaluation",
            index=models.Index(condition=models.Q(("excused", False), ("status", "no_data")),
                               fields=["vendor", "window_end"],
                               name="evaluation_missing_data"),
        ),
        migrations.RunPython(_run(CREATE), _run(DROP), elidable=False),
    ]
