"""The quarterly review pack of a whole portfolio, produced in the background: ask for it,
watch its progress (htmx polling), download it when ready."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.urls import reverse
from django.views.generic import TemplateView, View

from dashboards import forms, quarters, selectors, services
from vendorgov.pages import FormPage


class InternalOnly:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.may_see_pack(request.user):
            raise PermissionDenied("The quarterly review pack is for our side only.")
        return super().dispatch(request, *args, **kwargs)


class PortfolioPackView(InternalOnly, FormPage):
    form_class = forms.PortfolioPackForm
    title = "Quarterly review pack of every vendor"
    intro = ("One PDF with the pack of each vendor you see, one after another. It is "
             "produced in the background; this page shows its progress and a link when it "
             "is ready. Only you can download it.")
    submit_label = "Produce the pack"
    success_message = "The pack for {object.quarter} is being produced."
    template_name = "dashboards/packs.html"

    def perform(self, form):
        return services.pack_job_start(
            by=self.request.user,
            quarter=quarters.parse(form.cleaned_data["quarter"],
                                   default=quarters.Quarter(2000, 1)))

    def done_url(self):
        if getattr(self, "object", None) is None:  # Cancel: back home
            return reverse("home")
        return reverse("dashboards:pack_job", args=[self.object.pk])

    def get_success_url(self):
        # The job's own page, whatever `next` says: that is where its progress shows.
        return self.done_url() if getattr(self, "object", None) else super().get_success_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(jobs=selectors.pack_jobs(self.request.user),
                                        section="reports", **kwargs)


class PackJobView(InternalOnly, TemplateView):
    """The job's page; asked by htmx, only its progress part (polled until it finishes)."""

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["dashboards/_pack_progress.html"]
        return ["dashboards/pack_job.html"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(job=selectors.pack_job_get(self.request.user,
                                                                   kwargs["pk"]),
                                        section="reports", **kwargs)


class PackJobDownloadView(InternalOnly, View):
    def get(self, request, *args, **kwargs):
        job = selectors.pack_job_get(request.user, kwargs["pk"])
        path = services.pack_file(job)
        if path is None:
            raise Http404("This pack is not ready.")
        return FileResponse(path.open("rb"), as_attachment=True,
                            filename=f"review-pack-{job.quarter}.pdf",
                            content_type="application/pdf")
