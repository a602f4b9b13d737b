"""The text of a PDF, read back with pypdf, for the tests that check what a PDF says."""

from __future__ import annotations

import io

from pypdf import PdfReader

PDF_MAGIC = b"%PDF-"


def pdf_text(content: bytes) -> str:
    """Every page's text, one after the other; no-break spaces read as spaces (``€ 1.234,50`` in Dutch)."""
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ")


def pdf_pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)
