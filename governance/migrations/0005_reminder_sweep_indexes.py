"""Indexes for the reminder sweep's meeting query (governance/reminders.py, `_meetings_find`),
which runs every minute for each tier: without them it reads the whole meeting table (tens
of milliseconds per tier at 100,000 meetings; bench/reminders_sweep.py).

The query is written as OR-ed arms so that PostgreSQL can combine these partial indexes
(a bitmap OR): scheduled meetings starting within the lead time, and the few meetings that
changed (moved: SEQUENCE above 0; cancelled; archived). Plain SQL with `state_operations`
empty: partial indexes whose predicates are this sweep's business, not the model's; the
same statements run on PostgreSQL and SQLite."""

from django.db import migrations

INDEXES = {
    "meeting_sweep_due_idx": "(tier, starts_at) WHERE status = 'scheduled' AND archived_at IS NULL",
    "meeting_sweep_changed_idx": "(tier, starts_at) WHERE sequence > 0 OR status = 'cancelled' "
                                 "OR archived_at IS NOT NULL",
}


class Migration(migrations.Migration):
    dependencies = [("governance", "0004_indexes_for_scale")]

    operations = [
        migrations.RunSQL(f"CREATE INDEX {name} ON governance_meeting {definition}",
                          f"DROP INDEX IF EXISTS {name}")
        for name, definition in INDEXES.items()
    ]
