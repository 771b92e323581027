"""What an uploaded file must pass before openpyxl parses any of it.

A file is refused as a whole (WorkbookRefused, with a message in the user's language) when it is
not an .xlsx workbook, is password-protected, damaged, too large, would expand too far when
unzipped, declares a DOCTYPE, or would cost too much to read.

That cost is counted, not guessed. openpyxl holds a whole row, every shared string and the whole
stylesheet in memory: a 5 MB file with 1.8 million cells in one row took 44 s and 1.8 GB to
preview. So every XML part is first streamed through expat, one chunk at a time, counting sheets,
cells, cells in a row, shared strings, characters of text and XML elements, and the file is
refused as soon as a count passes its IMPORT_MAX_* setting. The same pass finds the last row
that holds a value on each sheet, so that the reader reads every row and none beyond, whatever
the sheet's own <dimension> claims.
"""

import io
import posixpath
import zipfile
import zlib
from xml.parsers import expat

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
ZIP_MAGIC = b"PK\x03\x04"
CONTENT_TYPES = "[Content_Types].xml"
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CHUNK = 64 * 1024


class WorkbookRefused(Exception):
    """The file is not read at all; the message says why, in the user's language."""


def damaged(name):
    return _("%(name)s is damaged or not a workbook Excel can open.") % {"name": name}


def screen(upload, name):
    """The bytes of an upload (bytes or a binary file) that passed, and the last row holding a
    value of each sheet, by title. Raises WorkbookRefused."""
    data = _checked_bytes(upload, name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_members(archive, name)
            last_rows = _Count(archive, name).last_rows()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        NotImplementedError,
        expat.ExpatError,
        # A damaged header gives a negative offset, a damaged member a zlib error, an
        # encrypted member a RuntimeError: all are damaged files, not server errors.
        ValueError,
        RuntimeError,
        zlib.error,
    ):
        raise WorkbookRefused(damaged(name)) from None
    return data, last_rows


def _checked_bytes(upload, name):
    if not name.lower().endswith(".xlsx"):
        raise WorkbookRefused(
            _("%(name)s is not an .xlsx workbook. Save it in Excel as “Excel Workbook (.xlsx)”.")
            % {"name": name}
        )
    limit = settings.IMPORT_MAX_BYTES
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        if getattr(upload, "size", None) and upload.size > limit:
            raise WorkbookRefused(_too_large(name, limit))
        data = upload.read(limit + 1)
    if len(data) > limit:
        raise WorkbookRefused(_too_large(name, limit))
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_STREAM in data:
            raise WorkbookRefused(
                _(
                    "%(name)s is protected by a password. Open it in Excel, remove the password "
                    "and upload it again."
                )
                % {"name": name}
            )
        raise WorkbookRefused(
            _("%(name)s is an old .xls workbook. Save it in Excel as .xlsx and upload it again.")
            % {"name": name}
        )
    if not data.startswith(ZIP_MAGIC):
        raise WorkbookRefused(damaged(name))
    return data


def _too_large(name, limit):
    return _("%(name)s is larger than %(limit)s, the most an import accepts.") % {
        "name": name,
        "limit": filesizeformat(limit),
    }


def _check_members(archive, name):
    """Refuse before unpacking anything: a zip bomb, or an archive that is not a workbook."""
    members = archive.infolist()
    # zipfile stops reading a member at the size its header declares, so this sum bounds
    # what the count and openpyxl can unpack.
    unpacked = sum(member.file_size for member in members)
    if unpacked > settings.IMPORT_MAX_UNZIPPED_BYTES:
        raise WorkbookRefused(
            _("%(name)s expands to more than %(limit)s when unpacked; it is refused.")
            % {"name": name, "limit": filesizeformat(settings.IMPORT_MAX_UNZIPPED_BYTES)}
        )
    names = {member.filename for member in members}
    if WORKBOOK not in names or CONTENT_TYPES not in names:
        raise WorkbookRefused(_("%(name)s is not an .xlsx workbook.") % {"name": name})


def _local(tag):
    return tag.rpartition(":")[2]


def _attribute(attributes, local_name):
    """An attribute whatever its namespace prefix (r:id, ns1:id)."""
    for key, value in attributes.items():
        if _local(key) == local_name:
            return value
    return None


def _part_path(target):
    """A target of the workbook's relationships as a path in the archive."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(WORKBOOK), target))


class _Count:
    """One pass over every XML part of the archive, refusing as soon as a count is too high.

    The workbook and its relationships come first, so that a sheet's part is known by the
    sheet's title; every other part is known by its root element.
    """

    def __init__(self, archive, name):
        self.archive = archive
        self.name = name
        self.part = None
        self.elements = self.cells = self.strings = self.characters = 0
        self.sheet_ids = []
        self.targets = {}
        self.declared = []
        self.titles_by_part = {}
        self.rows_by_part = {}

    def last_rows(self):
        names = self.archive.namelist()
        self.scan(CONTENT_TYPES)
        self.scan(WORKBOOK)
        if WORKBOOK_RELS in names:
            self.scan(WORKBOOK_RELS)
        for title, relationship in self.sheet_ids:
            part = self.targets.get(relationship)
            if part in self.titles_by_part:
                # openpyxl would read the part once per sheet; no real workbook does that.
                raise WorkbookRefused(damaged(self.name))
            if part is not None:
                self.titles_by_part[part] = title
        done = {CONTENT_TYPES, WORKBOOK, WORKBOOK_RELS}
        # openpyxl reads a sheet wherever the relationships point and the shared strings
        # wherever the content types say, whatever the part's name.
        xml_parts = [part for part in names if part.endswith((".xml", ".rels"))]
        for part in [*xml_parts, *self.declared, *self.titles_by_part]:
            if part not in done and part in names:
                done.add(part)
                self.scan(part)
        return {
            title: self.rows_by_part.get(self.targets.get(relationship), 0)
            for title, relationship in self.sheet_ids
        }

    def scan(self, part):
        self.part = part
        parser = expat.ParserCreate()
        parser.buffer_text = True
        # Workbook XML never declares a DOCTYPE; one that does is after entity tricks.
        parser.StartDoctypeDeclHandler = self.doctype
        parser.CharacterDataHandler = self.text

        def root(tag, attributes):
            handler = self.handler(_local(tag))
            parser.StartElementHandler = handler
            handler(tag, attributes)

        parser.StartElementHandler = root
        with self.archive.open(part) as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)

    def handler(self, root):
        if root == "worksheet":
            return _Sheet(self).element
        if root == "sst":
            return self.string
        if root == "Types" and self.part == CONTENT_TYPES:
            return self.content_type
        if root == "workbook" and self.part == WORKBOOK:
            return self.sheet
        if root == "Relationships" and self.part == WORKBOOK_RELS:
            return self.relationship
        return self.element

    def refuse(self, reason, **values):
        raise WorkbookRefused(
            _("%(name)s is refused: %(reason)s") % {"name": self.name, "reason": reason % values}
        )

    def doctype(self, *args):
        raise WorkbookRefused(damaged(self.name))

    def text(self, text):
        self.characters += len(text)
        if self.characters > settings.IMPORT_MAX_TEXT:
            self.refuse(
                _(
                    "it has more than %(limit)s characters of text; at most %(limit)s "
                    "characters of a workbook are read."
                ),
                limit=_number(settings.IMPORT_MAX_TEXT),
            )

    def element(self, tag, attributes):
        self.elements += 1
        if self.elements > settings.IMPORT_MAX_ELEMENTS:
            self.refuse(
                _(
                    "it has more than %(limit)s XML elements (formatting, names and the like, "
                    "counted up to %(part)s); at most %(limit)s elements of a workbook are read."
                ),
                limit=_number(settings.IMPORT_MAX_ELEMENTS),
                part=self.part,
            )

    def cell(self):
        self.cells += 1
        if self.cells > settings.IMPORT_MAX_CELLS:
            self.refuse(
                _(
                    "it has more than %(limit)s cells; at most %(limit)s cells of a workbook are "
                    "read."
                ),
                limit=_number(settings.IMPORT_MAX_CELLS),
            )

    def string(self, tag, attributes):
        self.element(tag, attributes)
        if _local(tag) == "si":
            self.strings += 1
            if self.strings > settings.IMPORT_MAX_STRINGS:
                self.refuse(
                    _(
                        "it has more than %(limit)s different texts; at most %(limit)s texts of "
                        "a workbook are read."
                    ),
                    limit=_number(settings.IMPORT_MAX_STRINGS),
                )

    def content_type(self, tag, attributes):
        self.element(tag, attributes)
        if _local(tag) == "Override" and attributes.get("ContentType", "").endswith("xml"):
            self.declared.append(attributes.get("PartName", "").removeprefix("/"))

    def sheet(self, tag, attributes):
        self.element(tag, attributes)
        if _local(tag) == "sheet":
            self.sheet_ids.append((attributes.get("name", ""), _attribute(attributes, "id")))
            if len(self.sheet_ids) > settings.IMPORT_MAX_SHEETS:
                self.refuse(
                    _(
                        "it has more than %(limit)s sheets; at most %(limit)s sheets of a "
                        "workbook are read."
                    ),
                    limit=_number(settings.IMPORT_MAX_SHEETS),
                )

    def relationship(self, tag, attributes):
        self.element(tag, attributes)
        if _local(tag) == "Relationship" and attributes.get("TargetMode") != "External":
            self.targets[attributes.get("Id")] = _part_path(attributes.get("Target", ""))


def _number(value):
    return f"{value:,}"


class _Sheet:
    """The counts of one worksheet part: cells in the current row, the last row with a value."""

    def __init__(self, count):
        self.count = count
        self.part = count.part
        self.row = 0
        self.row_cells = 0

    def element(self, tag, attributes):
        count = self.count
        count.element(tag, attributes)
        name = _local(tag)
        if name == "c":
            count.cell()
            self.row_cells += 1
            if self.row_cells > settings.IMPORT_MAX_ROW_CELLS:
                count.refuse(
                    _(
                        "sheet “%(sheet)s” has more than %(limit)s cells in row %(row)s; at most "
                        "%(limit)s cells of a row are read."
                    ),
                    sheet=count.titles_by_part.get(self.part, self.part),
                    limit=_number(settings.IMPORT_MAX_ROW_CELLS),
                    row=_number(self.row),
                )
        elif name in ("v", "is"):
            if self.row > count.rows_by_part.get(self.part, 0):
                count.rows_by_part[self.part] = self.row
        elif name == "row":
            # As openpyxl numbers rows: by r when given, else one after the last.
            number = attributes.get("r")
            self.row = int(number) if number is not None else self.row + 1
            self.row_cells = 0
