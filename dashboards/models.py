"""The one record of the dashboards app: a quarterly review pack for the whole portfolio,
produced in the background."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class PackJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being produced"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class PackJob(models.Model):
    """One request for the quarterly review pack of every vendor the requester sees, built
    by a Celery task that counts its progress here. The PDF lives under
    MEDIA_ROOT/packs/ and is served only to the person who asked for it: it holds exactly
    the vendors they may see when they asked."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="pack_jobs")
    quarter = models.CharField(max_length=7, help_text="e.g. 2026-Q3")
    status = models.CharField(max_length=10, choices=PackJobStatus.choices,
                              default=PackJobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Vendors in the pack.")
    done = models.PositiveIntegerField(default=0, help_text="Vendors rendered so far.")
    file = models.CharField(max_length=200, blank=True,
                            help_text="The PDF, relative to MEDIA_ROOT.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Quarterly review pack {self.quarter} for {self.requested_by}"

    @property
    def percent(self) -> int:
        if self.status == PackJobStatus.DONE:
            return 100
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (PackJobStatus.DONE, PackJobStatus.FAILED)
