"""HTML to PDF with WeasyPrint: the one renderer of every PDF the project makes.

A print template is an HTML page of its own that links the project's vendored stylesheets; it is
laid out with the CJK fonts Debian's fonts-noto-cjk installs (named in static/css/print.css), so
the PDF holds real text and its Chinese is searchable. What the page links is fetched by the
fetcher below, which serves the project's static files and refuses every other address: text a
department typed can never make the server fetch a URL or read a file.

WeasyPrint is imported when a PDF is made, not when the site starts: a machine without Pango
still serves every page, and its PDF downloads answer that PDFs cannot be made there
(`Unavailable`).
"""

import functools
import io
import logging
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string

from config.events import log_event

# The address print pages are laid out at; nothing is ever fetched from it.
BASE_URL = "https://print.invalid/"
TYPES = {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}


class Refused(ValueError):
    """An address a print page may not load."""


class Unavailable(RuntimeError):
    """WeasyPrint cannot start on this machine (its Pango libraries are missing)."""


def check():
    """Raise Unavailable unless PDFs can be made here."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        raise Unavailable(str(error)) from error


def static_name(url):
    """The static file's name an address of a print page names, or None for any other address."""
    parts = urlsplit(url)
    prefix = urlsplit(BASE_URL + settings.STATIC_URL.lstrip("/"))
    if (parts.scheme, parts.netloc) != (prefix.scheme, prefix.netloc):
        return None
    path = unquote(parts.path)
    if not path.startswith(prefix.path):
        return None
    name = posixpath.normpath(path[len(prefix.path) :])
    if name.startswith(("..", "/")) or name == ".":
        return None
    return name


def static_file(url):
    """(bytes, media type) of the static file `url` names; Refused for any other address."""
    name = static_name(url)
    if name is None:
        log_event("print_refused", level=logging.WARNING, url=url[:200])
        raise Refused(f"Print pages load only the project's static files, not {url}")
    path = finders.find(name)
    if path:
        with open(path, "rb") as found:
            body = found.read()
    elif staticfiles_storage.exists(name):
        # Collected (and hashed) files, when the finders are not used.
        with staticfiles_storage.open(name) as found:
            body = found.read()
    else:
        raise Refused(f"There is no static file {name}")
    return body, TYPES.get(posixpath.splitext(name)[1], "application/octet-stream")


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            body, media_type = static_file(url)
            return URLFetcherResponse(url, body, {"Content-Type": media_type})

    return StaticFetcher


def fetcher():
    """The URL fetcher WeasyPrint is given: static files only."""
    return _fetcher_class()()


def render(html):
    """The PDF of an HTML document, as bytes."""
    check()
    from weasyprint import HTML

    buffer = io.BytesIO()
    # Presentational hints: the official form's column widths are <col width> attributes (the
    # page's CSP refuses inline styles), which WeasyPrint otherwise ignores.
    HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher()).write_pdf(
        buffer, presentational_hints=True
    )
    return buffer.getvalue()


def render_template(template, context):
    """The PDF of a print template rendered with `context`."""
    return render(render_to_string(template, context))
