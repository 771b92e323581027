"""Reading exports back: a PDF's text (pdftotext, from poppler-utils) and a .docx's headings,
paragraphs and tables (python-docx).

Outside CI a machine without WeasyPrint's libraries or pdftotext skips the tests that need them;
in CI (CI=true) they fail, so that a broken PDF setup never passes as green.
"""

import io
import os
import re
import shutil
import subprocess

import docx
import pytest


def cannot_render(reason):
    if os.environ.get("CI"):
        pytest.fail(f"PDFs cannot be made or read here: {reason}")
    pytest.skip(f"PDFs cannot be made or read here: {reason}")


def require_weasyprint():
    """Fails (CI) or skips (elsewhere) when WeasyPrint cannot start or pdftotext is missing."""
    try:
        import weasyprint as loaded
    except (ImportError, OSError) as error:
        cannot_render(str(error))
    if shutil.which("pdftotext") is None:
        cannot_render("pdftotext is not installed (poppler-utils)")
    return loaded


def pdf_text(content):
    """A PDF's text in the order it was written (a table cell's lines together), with every
    space and line break removed: a cell's Chinese breaks where the cell wraps it."""
    assert content.startswith(b"%PDF-"), content[:20]
    done = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    )
    return re.sub(r"\s+", "", done.stdout.decode("utf-8"))


def pdf_pages(content):
    done = subprocess.run(
        ["pdfinfo", "-"], input=content, capture_output=True, check=True, text=False
    )
    return int(re.search(rb"Pages:\s+(\d+)", done.stdout).group(1))


def word(content):
    return docx.Document(io.BytesIO(content))


def headings(document):
    """(level, text) of every heading paragraph, as Word's navigation pane lists them."""
    found = []
    for paragraph in document.paragraphs:
        name = paragraph.style.name
        if name.startswith("Heading "):
            found.append((int(name.split()[1]), paragraph.text))
    return found


def table_texts(table):
    """Each row's cells' texts, a merged cell once per row (python-docx repeats it per column)."""
    rows = []
    for row in table.rows:
        texts = []
        previous = None
        for cell in row.cells:
            if cell._tc is not previous:
                texts.append(cell.text)
            previous = cell._tc
        rows.append(texts)
    return rows
