"""PDF documents: HTML templates rendered by WeasyPrint, and sealing with a passphrase.

Documents are rendered from their own templates (which extend ``pdf/base.html``) with nothing
fetched from anywhere: images and charts are inline SVG or data URIs, so a document can never
reach out to a server, and one rendered today renders the same tomorrow.
"""

import io
import secrets
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter


def pdf_render(*, template: str, context: dict[str, Any]) -> bytes:
    """Render a template to PDF bytes."""
    # Imported here: loading it takes a moment, and most requests never need it.
    from PIL import ImageFile
    from weasyprint import HTML

    # Loading WeasyPrint tells Pillow to accept truncated images, for the whole process; pupils'
    # photos and site plans must be refused when truncated, so the setting is put back.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=_fetcher()).write_pdf()


def _fetcher() -> Any:
    """A fetcher that allows only data: URIs, so a document fetches nothing from anywhere."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def pdf_response(pdf: bytes, *, filename: str) -> HttpResponse:
    """A download of a PDF that no cache keeps."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# Four groups of five letters and digits, without those easily confused when read aloud.
_PASSPHRASE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 - an alphabet, not a password


def passphrase_new() -> str:
    """A passphrase to pass by telephone: 20 characters (100 bits) in groups of five."""
    chars = "".join(secrets.choice(_PASSPHRASE_ALPHABET) for _ in range(20))
    return "-".join(chars[i : i + 5] for i in range(0, 20, 5))


def pdf_seal(pdf: bytes, *, passphrase: str) -> bytes:
    """The PDF encrypted with AES-256 under ``passphrase``: it opens only with the passphrase."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=passphrase, owner_password=None, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
