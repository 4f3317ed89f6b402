"""PDF documents from Vigil's own HTML pages (WeasyPrint; docs/adr/0003-pdf-documents.md).

A PDF is the same template as the page, rendered with `pdf=True` in its context so the template can
leave out the screen stylesheet; the print stylesheet `templates/documents/pdf.css` is applied instead.
Nothing is fetched while rendering: no network, no files (a document that needs an image carries it
inline, as the charts' SVG does). The PDF is tagged, with the page's language and title, so a screen
reader can follow it.
"""

from functools import lru_cache
from pathlib import Path

from django.http import HttpResponse
from django.template.loader import render_to_string

PDF_STYLESHEET = Path(__file__).parent / "templates" / "documents" / "pdf.css"


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it draws with (Pango) are missing on this machine."""


@lru_cache(maxsize=1)
def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: Pango or HarfBuzz not installed
        raise PdfUnavailable(
            "PDF documents need WeasyPrint and the Pango library (Debian: apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0 fonts-dejavu-core). The HTML version of this document still works.") from error
    return weasyprint


@lru_cache(maxsize=1)
def _stylesheet():
    return _weasyprint().CSS(string=PDF_STYLESHEET.read_text(encoding="utf-8"))


class _NoFetching:
    """A URL fetcher that refuses everything, so a document can never reach the network or the disk."""

    def fetch(self, url, headers=None):
        raise ValueError("Vigil's PDF documents load nothing from outside the document")


def render_pdf(html: str) -> bytes:
    """The PDF of one HTML document (a whole page with <html lang> and <title>)."""
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=_NoFetching())
    return document.write_pdf(stylesheets=[_stylesheet()], pdf_tags=True, pdf_variant="pdf/ua-1")


def pdf_response(request, template_name: str, context: dict, *, filename: str) -> HttpResponse:
    """The template rendered as a PDF download (`filename` must hold no personal data). When PDFs cannot
    be made on this machine, a 503 page says so and points to the HTML version."""
    html = render_to_string(template_name, {**context, "pdf": True}, request=request)
    try:
        content = render_pdf(html)
    except PdfUnavailable as error:
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
