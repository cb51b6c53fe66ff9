"""The reminder sweep's per-participant stamp (governance/reminders.py, "Settled meetings"):
the state in which a sweep last found nothing left to send a meeting's participant, so that
the steady sweep (every minute) leaves meetings announced to everyone out after one read of
their participants instead of building them again. Nullable: no stamp means "not settled",
which is what every existing row is (the next sweep reads them as before and stamps them)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0005_reminder_sweep_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='attendance',
            name='invited_mailable',
            field=models.BooleanField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='attendance',
            name='invited_peers',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='attendance',
            name='invited_sequence',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
    ]
