"""Survey links are secrets: they open a survey without signing in. Only their digest is
stored (`vendorgov.tokens`), and this filter blanks them in every log line of the request
loggers (Django's request and development-server logs, gunicorn's access log)."""

import logging
import re

from healthchecks.models import Invitation

LINK = re.compile(re.escape(Invitation.SCHEME) + r"_[0-9a-f]{8}_[A-Za-z0-9_\-]+")
REDACTED = Invitation.SCHEME + "_[redacted]"


def redact(value):
    if isinstance(value, str):
        return LINK.sub(REDACTED, value)
    if isinstance(value, tuple):
        return tuple(redact(v) for v in value)
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    return value


class RedactSurveyLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.msg)
        if record.args:
            record.args = redact(record.args)
        request = getattr(record, "request", None)
        if request is not None and LINK.search(getattr(request, "path", "")):
            record.request = None  # its path and headers would carry the link
        return True
