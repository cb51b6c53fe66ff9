"""Fill the stored monthly compliance (`MonthlyCompliance`) from the evaluations already
there: one aggregate per vendor and month, the same as
`sla.selectors.live_compliance_by_month` (which the migration cannot import: it uses the
historical models). From here on the services keep it current; `manage.py recompliance
--check` compares."""

from django.db import migrations
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

BATCH = 200  # vendors per aggregate


def fill(apps, schema_editor):
    Evaluation = apps.get_model("sla", "Evaluation")
    MonthlyCompliance = apps.get_model("sla", "MonthlyCompliance")
    with_data = ~Q(status="no_data")
    ok = Q(status__in=("met", "at_risk")) | Q(excused=True)
    vendor_ids = sorted(set(Evaluation.objects.order_by().values_list("vendor_id", flat=True)
                            .distinct()))
    for i in range(0, len(vendor_ids), BATCH):
        rows = (Evaluation.objects.filter(vendor_id__in=vendor_ids[i:i + BATCH]).order_by()
                .annotate(m=TruncMonth("window_end")).values("vendor_id", "m")
                .annotate(w=Sum("service_level__weight", filter=with_data),
                          ok_w=Sum("service_level__weight", filter=with_data & ok),
                          n=Count("id"),
                          b=Count("id", filter=Q(status="breached", excused=False)),
                          nd=Count("id", filter=Q(status="no_data"))))
        MonthlyCompliance.objects.bulk_create(
            [MonthlyCompliance(vendor_id=r["vendor_id"],
                               month=r["m"].date() if hasattr(r["m"], "date") else r["m"],
                               weight=r["w"] or 0, ok_weight=r["ok_w"] or 0, windows=r["n"],
                               breached=r["b"], no_data=r["nd"]) for r in rows],
            batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("sla", "0007_monthly_compliance"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
