"""PDFs made on the server: a relation's statement of open items and the printable reports of the Outstanding Items
and P&L pages, rendered from templates under ``templates/dashboards/pdf/`` by WeasyPrint.

WeasyPrint needs Pango from the system, so it is imported inside :func:`pdf_render` only: the rest of the site works
where Pango is missing, and a PDF asked for there becomes a page that says so (:func:`pdf_unavailable`, 503) instead
of a server error. The documents fetch nothing: their one stylesheet (``templates/dashboards/pdf/print.css``: A4,
page numbers, table headers repeated on every page) is read from disk and handed over as text, and every other
address is refused, so no text in the books can make the server fetch a URL.

The words of a document are in the language of whoever asked for it (the request's, active while the template
renders); so are the page numbers in the margins, which the stylesheet reads from the document's own text
(``string-set``), so that the stylesheet itself holds no words.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import structlog
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.text import slugify

logger = structlog.get_logger(__name__)

PDF_TYPE = "application/pdf"
STYLESHEET = Path(settings.BASE_DIR) / "templates" / "dashboards" / "pdf" / "print.css"


class PdfUnavailable(Exception):
    """PDFs cannot be made here: WeasyPrint or the Pango it needs is not installed."""


@cache
def _stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


def _engine() -> Any:
    """WeasyPrint's module, imported now: importing it loads Pango, which fails (OSError) where Pango is missing."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(type(exc).__name__) from exc
    return weasyprint


def pdf_render(*, template: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    """The template rendered as a PDF, in the active language; raises :class:`PdfUnavailable`."""
    weasyprint = _engine()

    class _NoFetching(weasyprint.URLFetcher):  # type: ignore[name-defined]
        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError("A PDF of Monitr fetches nothing.")

    html = render_to_string(template, context, request=request)
    document = weasyprint.HTML(string=html, url_fetcher=_NoFetching())
    return document.write_pdf(stylesheets=[weasyprint.CSS(string=_stylesheet(), url_fetcher=_NoFetching())])


def pdf_filename(*parts: object) -> str:
    """``statement-1001-2026-12-03.pdf``: the parts as an ASCII slug each (a relation's name may hold anything)."""
    slugs = [slugify(str(part)) for part in parts]
    return "-".join(slug for slug in slugs if slug) + ".pdf"


def pdf_response(*, content: bytes, filename: str) -> HttpResponse:
    """The PDF as a download. Cache-Control is the one every signed-in answer gets (``monitr.web.cache``)."""
    response = HttpResponse(content, content_type=PDF_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def pdf_unavailable(request: HttpRequest, error: PdfUnavailable) -> HttpResponse:
    """The page shown instead of a PDF where PDFs cannot be made: what happened and whom to tell."""
    logger.warning("pdf.unavailable", reason=str(error))
    return render(request, "dashboards/pdf_unavailable.html", status=503)


def pdf_download(request: HttpRequest, *, template: str, context: dict[str, Any], filename: str) -> HttpResponse:
    """The template as a PDF download, or the page that says PDFs cannot be made here."""
    try:
        content = pdf_render(template=template, context=context, request=request)
    except PdfUnavailable as error:
        return pdf_unavailable(request, error)
    return pdf_response(content=content, filename=filename)
