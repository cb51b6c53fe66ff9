"""Measurements entered by hand, and CSV imports: upload, preview, commit."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from sla import forms, ingest, rules, services
from sla.choices import ImportStatus, MeasurementSource
from sla.models import MeasurementImport
from sla.views import SlaPage
from vendorgov.pages import FormPage, csv_response, error_text
from vendors.access import Action


class MeasurementCreateView(SlaPage, FormPage):
    vendor_action = Action.EDIT
    form_takes_vendor = True
    form_class = forms.MeasurementForm
    title = "Enter a measurement"
    intro = ("For a closed window. A later value for the same window replaces the earlier "
             "one in the evaluation; both are kept.")

    def get_initial(self):
        initial = {}
        if (pk := self.request.GET.get("service_level", "")).isdigit():
            initial["service_level"] = pk
        if window := self.request.GET.get("window_start", ""):
            initial["window_start"] = window
        return initial

    def perform(self, form):
        data = form.cleaned_data
        try:
            result = services.measurements_submit(
                [{"service_level": data["service_level"].pk,
                  "window_start": data["window_start"].isoformat(),
                  "value": str(data["value"]), "note": data["note"]}],
                by=self.request.user, source=MeasurementSource.FORM,
                vendor_ids={self.vendor.pk}, text_values=True)
        except ingest.RowsRejected as rejected:
            raise ValidationError({e.field if e.field in form.fields else "__all__": e.message
                                   for e in rejected.errors}) from None
        sl = data["service_level"]
        self.saved_window = f"{sl} for {rules.window_label(sl.window, data['window_start'])}"
        return result

    def get_success_message(self):
        return f"Measurement saved; {self.saved_window} is evaluated."


class ImportView(SlaPage, FormView):
    """Upload a CSV; its rows are checked, and shown for a commit, or every bad row is
    listed here with the reason (nothing is stored)."""

    vendor_action = Action.EDIT
    template_name = "sla/import.html"
    form_class = forms.ImportForm

    def form_valid(self, form):
        filename, content = form.cleaned_data["file"]
        try:
            csv_import = services.import_preview(vendor=self.vendor, by=self.request.user,
                                                 filename=filename, content=content)
        except ingest.RowsRejected as rejected:
            return self.render_to_response(self.get_context_data(
                form=form, rejected=rejected, filename=filename))
        return redirect("sla:import_preview", self.vendor.slug, csv_import.pk)

    def get_context_data(self, **kwargs):
        recent = MeasurementImport.objects.filter(vendor=self.vendor).select_related(
            "uploaded_by", "committed_by")[:10]
        return super().get_context_data(columns=services.CSV_COLUMNS, recent=recent, **kwargs)


class ImportTemplateView(SlaPage, TemplateView):
    vendor_action = Action.EDIT

    def get(self, request, *args, **kwargs):
        rows = services.import_template(self.vendor)
        return csv_response(f"{self.vendor.slug}-measurements.csv", rows[0], rows[1:])


class ImportPreviewView(SlaPage, TemplateView):
    vendor_action = Action.EDIT
    template_name = "sla/import_preview.html"

    def csv_import(self) -> MeasurementImport:
        try:
            return MeasurementImport.objects.select_related("uploaded_by", "committed_by").get(
                vendor=self.vendor, pk=self.kwargs["pk"])
        except MeasurementImport.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        csv_import = self.csv_import()
        parsed = services.import_parse(self.vendor, csv_import.content)
        lines = parsed.lines
        page = Paginator(lines, 200).get_page(self.request.GET.get("page"))
        return super().get_context_data(csv_import=csv_import, page=page, total=len(lines),
                                        committed=csv_import.status == ImportStatus.COMMITTED,
                                        **kwargs)

    def post(self, request, *args, **kwargs):
        csv_import = self.csv_import()
        try:
            result = services.import_commit(csv_import, by=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect("sla:import_preview", self.vendor.slug, csv_import.pk)
        except ingest.RowsRejected as rejected:
            return self.render_to_response(self.get_context_data(rejected=rejected))
        note = f" ({result.unchanged} were already there)" if result.unchanged else ""
        messages.success(request, f"Imported {result.created} measurements from "
                                  f"{csv_import.filename}{note}; their windows are evaluated.")
        return redirect("sla:vendor", self.vendor.slug)
