"""The project's own pages: errors that answer JSON under /api/ and HTML elsewhere, the
health endpoints (`/healthz/`, `/healthz/worker/`, `/healthz/beat/`: 200 or 503, JSON, no
sign-in, for load balancers and compose) and the system status page for vendor managers."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.views import defaults
from django.views.generic import TemplateView

from vendorgov import health
from vendorgov.schedule import beat_schedule


def bad_request(request, exception):
    """A request Django refused before any view (a body over DATA_UPLOAD_MAX_MEMORY_SIZE,
    a bad host): JSON on the API, so clients parse every error the same way."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Bad request: the body is too large or malformed."},
                            status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "You do not have permission to do this."}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)


class StatusView(LoginRequiredMixin, TemplateView):
    """For vendor managers: are the worker and beat alive, and when did each periodic job
    last succeed? A stale heartbeat or a late job is shown as the problem it is."""

    template_name = "status.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_vendor_manager:
            raise PermissionDenied("The system status is for vendor managers.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        processes = health.processes()
        jobs = health.jobs(beat_schedule())
        problems = ([p for p in processes if not p.alive], [j for j in jobs if j.late
                                                            or j.failing])
        return super().get_context_data(
            processes=processes, jobs=jobs, web_problems=health.web_problems(),
            stale_after=health.stale_after(), ok=not any(problems), section="accounts",
            **kwargs)


def _health_answer(problems: list[str], **details) -> JsonResponse:
    response = JsonResponse({"status": "fail" if problems else "ok", "problems": problems,
                             **details}, status=503 if problems else 200)
    response["Cache-Control"] = "no-store"
    return response


def healthz(request):
    """The web process can serve: its database and cache answer."""
    return _health_answer(health.web_problems())


def healthz_process(request, process):
    """The worker or beat showed a sign of life within `health.stale_after()`."""
    found = health.process(process)
    problems = [] if found.alive else [f"{process}: no sign of life for "
                                       f"{health.stale_after().total_seconds():.0f}s"]
    return _health_answer(problems, seen_at=found.seen_at.isoformat() if found.seen_at
                          else None)
