"""The quarterly review pack as PDF, made by WeasyPrint (on the system's Pango) from the
same template as the print page, with the pack's own print stylesheet and its SVG charts.
No network: the document links no external resource, and the stylesheet is read from the
static files on disk."""

import logging
from collections.abc import Callable

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from dashboards import selectors

# WeasyPrint tells every step at INFO; a pack is not news in the logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

STYLESHEET = "css/pack.css"


def _no_fetch(url, *args, **kwargs):
    raise ValueError(f"The pack loads nothing from outside: {url}")


def _stylesheet():
    from weasyprint import CSS  # loads Pango: only in the processes that make a PDF

    return CSS(filename=finders.find(STYLESHEET))


def pack_html(user, vendor, quarter) -> str:
    """The pack as a standalone HTML document for WeasyPrint (no site navigation)."""
    return render_to_string("dashboards/pack_document.html",
                            {"p": selectors.pack(user, vendor, quarter), "pdf": True,
                             "user": user, "vendor": vendor})


def _document(html: str):
    from weasyprint import HTML  # loads Pango: only in the processes that make a PDF

    return HTML(string=html, url_fetcher=_no_fetch).render(stylesheets=[_stylesheet()])


def pack_pdf(user, vendor, quarter) -> bytes:
    return _document(pack_html(user, vendor, quarter)).write_pdf()


def portfolio_pdf(user, vendors, quarter, *, progress: Callable[[int], None]) -> bytes:
    """One PDF holding each vendor's pack in turn; `progress(n)` after each vendor."""
    documents = []
    for n, vendor in enumerate(vendors, start=1):
        documents.append(_document(pack_html(user, vendor, quarter)))
        progress(n)
    if not documents:
        documents.append(_document(render_to_string("dashboards/pack_empty.html",
                                                    {"quarter": quarter})))
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
