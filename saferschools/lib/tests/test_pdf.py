import io

import pytest
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from saferschools.lib.pdf import passphrase_new, pdf_render, pdf_seal


def _text(pdf: bytes, password: str | None = None) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    if password is not None:
        reader.decrypt(password)
    return "".join(page.extract_text() for page in reader.pages)


def test_a_template_renders_to_a_pdf_with_its_text():
    pdf = pdf_render(template="pdf/base.html", context={})
    assert pdf.startswith(b"%PDF-")
    assert "OFFICIAL-SENSITIVE" in _text(pdf)


def test_documents_fetch_nothing(monkeypatch):
    from urllib import request

    def no_network(*args, **kwargs):
        raise AssertionError("a PDF tried to fetch something")

    monkeypatch.setattr(request.OpenerDirector, "open", no_network)
    from django.template import engines

    from saferschools.lib import pdf as pdf_module

    template = engines["django"].from_string(
        '{% extends "pdf/base.html" %}{% block content %}'
        '<img src="http://example.invalid/x.png"><img src="file:///etc/passwd">{% endblock %}'
    )
    monkeypatch.setattr(pdf_module, "render_to_string", lambda name, context: template.render({}))
    assert pdf_render(template="ignored", context={}).startswith(b"%PDF-")


def test_a_sealed_pdf_opens_only_with_its_passphrase():
    passphrase = passphrase_new()
    assert len(passphrase) == 23 and passphrase.count("-") == 3
    sealed = pdf_seal(pdf_render(template="pdf/base.html", context={}), passphrase=passphrase)
    reader = PdfReader(io.BytesIO(sealed))
    assert reader.is_encrypted
    with pytest.raises(FileNotDecryptedError):
        reader.pages[0].extract_text()
    assert "OFFICIAL-SENSITIVE" in _text(sealed, passphrase)
    assert PdfReader(io.BytesIO(sealed)).decrypt("WRONG-WRONG-WRONG-WRONG") == 0


def test_passphrases_differ():
    assert len({passphrase_new() for _ in range(50)}) == 50


def test_rendering_leaves_pillow_refusing_truncated_images():
    from PIL import ImageFile

    pdf_render(template="pdf/base.html", context={})
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
