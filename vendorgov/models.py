"""The one model of the plumbing: what a periodic job could not do, and for which record.

(vendorgov otherwise holds no models; this one belongs to no feature and is written by
`vendorgov.jobs` for every app's periodic jobs, so it lives with the Celery plumbing.)
"""

from django.db import models
from django.utils import timezone


class JobFailure(models.Model):
    """A periodic job failed on one record (one cadence, one scorecard, one measure…).

    The job carried on with the other records; this row tells the vendor managers which
    record it could not handle and why (home page, and the admin). One row per job and
    record: a failure on the next run counts up, and the next run that handles the record
    marks it resolved."""

    job = models.CharField(max_length=100, help_text="The periodic job, e.g. "
                                                     "'Plan review meetings ahead'.")
    record_type = models.CharField(max_length=100, help_text="app_label.model")
    record_id = models.BigIntegerField()
    record = models.CharField(max_length=300, blank=True,
                              help_text="The record as people know it, when it could be read.")
    record_url = models.CharField(max_length=300, blank=True,
                                  help_text="The record's page, when it has one.")
    error = models.TextField(help_text="What went wrong (the exception and its message).")
    details = models.TextField(blank=True, help_text="The traceback, for whoever fixes it.")
    failures = models.PositiveIntegerField(default=1, help_text="Runs that failed on it in "
                                                                "a row.")
    first_failed_at = models.DateTimeField(default=timezone.now)
    last_failed_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True,
                                       help_text="When a later run handled the record.")

    class Meta:
        ordering = ["-last_failed_at", "-id"]
        constraints = [
            models.UniqueConstraint("job", "record_type", "record_id",
                                    name="one_failure_row_per_job_and_record"),
        ]

    def __str__(self):
        return f"{self.job}: {self.record or f'{self.record_type} #{self.record_id}'}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
