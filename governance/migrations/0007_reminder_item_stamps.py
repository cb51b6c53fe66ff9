"""The reminder sweep's stamps on action items and impediments (governance/reminders.py,
"Settled items"): what the last recording of each kind's reminder about the item was (its
due date and recipient; an impediment's step and the day counted from), written in the
transaction that records the reminder row, so that the steady sweep (every minute) leaves a
settled item out with a column comparison instead of a lookup in the reminder table. Empty
means "not settled", which is what every existing row is: the next sweep finds the items
with reminders recorded already once more, records nothing twice (the unique key), and
stamps them. Excluded from the history tables (they are the sweep's, not a change)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0006_attendance_invited_stamp'),
    ]

    operations = [
        migrations.AddField(
            model_name='actionitem',
            name='reminded_due_on',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='actionitem',
            name='reminded_due_to',
            field=models.CharField(blank=True, default='', editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name='actionitem',
            name='reminded_escalation_on',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='actionitem',
            name='reminded_overdue_on',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='actionitem',
            name='reminded_overdue_to',
            field=models.CharField(blank=True, default='', editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name='impediment',
            name='reminded_since',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='impediment',
            name='reminded_step',
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
    ]
