"""The reminder sweep's stamps on corrective actions (sla/reminders.py, "Settled corrective
actions"): what the last recording of each kind's reminder about the action was (its due
date and recipient), written in the transaction that records the reminder row, so that the
sweep (every minute) leaves settled actions out instead of building their reminders again.
Empty means "not settled", which is what every existing row is: the next sweep offers them
once more, records nothing twice (the unique key) and stamps them. Excluded from the
history table."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sla', '0008_fill_monthly_compliance'),
    ]

    operations = [
        migrations.AddField(
            model_name='correctiveaction',
            name='reminded_due_on',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='correctiveaction',
            name='reminded_due_to',
            field=models.CharField(blank=True, default='', editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name='correctiveaction',
            name='reminded_escalation_on',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='correctiveaction',
            name='reminded_overdue_on',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='correctiveaction',
            name='reminded_overdue_to',
            field=models.CharField(blank=True, default='', editable=False, max_length=300),
        ),
    ]
