from django.db import models


class Status(models.TextChoices):
    """Where a reminder row stands. Only PENDING rows are claimed; only the holder of a
    claim hands a row to the mail backend (reminders/outbox.py)."""

    PENDING = "pending", "Waiting to be sent"
    CLAIMED = "claimed", "Being sent"
    SENT = "sent", "Sent"
    DIGESTED = "digested", "Sent in a digest"
    UNCERTAIN = "uncertain", "Outcome unknown"
    FAILED = "failed", "Failed"
    SUPERSEDED = "superseded", "No longer current"
    NO_ADDRESS = "no_address", "No email address"
    BOUNCED = "bounced", "Address bounced"
    SUPPRESSED = "suppressed", "Turned off by the recipient"


# Rows that are settled: nothing will send them again by itself.
SETTLED = (Status.SENT, Status.DIGESTED, Status.SUPERSEDED, Status.NO_ADDRESS,
           Status.BOUNCED, Status.SUPPRESSED, Status.FAILED, Status.UNCERTAIN)
# Rows whose email went (or may have gone) out: the kinds' `sent_to` lookup.
HANDED = (Status.CLAIMED, Status.SENT, Status.DIGESTED, Status.UNCERTAIN)
# Rows a person should look at (the log's problems).
PROBLEMS = (Status.FAILED, Status.UNCERTAIN, Status.NO_ADDRESS, Status.BOUNCED)


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately"
    DIGEST = "digest", "In my daily digest"
    OFF = "off", "Off"
