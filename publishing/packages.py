"""Publication packages: what a department publishes for a year, and the bureau's collection.

A department's package holds its report (.pdf for the 公开 board, .docx to edit) and every form
of the year (.xlsx in the official layout, .pdf), in one .zip. The bureau's package holds the
package of every department whose report of the year is approved, each in a folder of its own;
a department whose report is not approved yet (or not started) is left out, and 说明.txt names
it with the report's state, so that the collection says what it is missing.

A package is an iterable of (name, bytes) entries, made one at a time; `zip_chunks` turns it
into the bytes of a .zip piece by piece, for a streamed download or a file.
"""

import zipfile

from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Department
from evaluations.excel import writer
from evaluations.excel.file_names import file_name
from evaluations.models import Evaluation
from publishing import exporters, printing
from reports.models import Report

FORMS_FOLDER = "附表"
NOTE_NAME = "说明.txt"
REPORT_FILES = ("report-docx", "report-pdf")
FORM_FILES = ("form-xlsx", "form-pdf")


def department_title(report):
    return f"{report.department.name}{report.year_id}年度绩效自评公开材料"


def bureau_title(bureau, year):
    return f"{bureau.name}{year}年度绩效自评公开材料"


def department_file_name(report):
    return file_name(department_title(report), "zip")


def bureau_file_name(bureau, year):
    return file_name(bureau_title(bureau, year), "zip")


def _unique(folder, name, names):
    """`folder/name`, or `folder/name (2)`…: two forms whose names differ only in characters a
    file name drops would otherwise be one entry, the second overwriting the first when
    unpacked."""
    stem, extension = name.rsplit(".", 1)
    number = 1
    while folder + name in names:
        number += 1
        name = file_name(stem, extension, number)
    names.add(folder + name)
    return folder + name


def department_entries(report, printed=None, folder=""):
    """(name, bytes) of the department's package: each form's files in 附表/ (in the order of
    the report's 附表), then the report's.

    The forms come first because each is made in a moment: a streamed download sends its first
    bytes at once, rather than after the report's PDF of every form has been laid out.
    """
    printed = printed or printing.of(report)
    names = set()
    for item in printed.forms:
        for identifier in FORM_FILES:
            exporter = exporters.get(identifier)
            name = _unique(f"{folder}{FORMS_FOLDER}/", exporter.file_name(item.evaluation), names)
            yield name, exporter.render(item.evaluation)
    for identifier in REPORT_FILES:
        exporter = exporters.get(identifier)
        yield _unique(folder, exporter.file_name(report), names), exporter.render(report, printed)


def bureau_reports(bureau, year):
    """(approved reports, [(department, its report or None)] of the others) of the bureau's
    departments that have a report or a form of the year, in the order of their codes."""
    reports = {
        report.department_id: report
        for report in Report.objects.filter(department__bureau=bureau, year=year).select_related(
            "department", "year"
        )
    }
    with_forms = set(
        Evaluation.objects.filter(project__department__bureau=bureau, year=year)
        .order_by()
        .values_list("project__department", flat=True)
    )
    approved, left_out = [], []
    for department in Department.objects.filter(bureau=bureau).order_by("code"):
        report = reports.get(department.pk)
        if report is not None and report.state == Evaluation.State.APPROVED:
            approved.append(report)
        elif report is not None or department.pk in with_forms:
            left_out.append((department, report))
    return approved, left_out


def bureau_forms(bureau, year):
    """The forms the bureau's package holds: those of the departments whose report of the year
    is approved."""
    approved = Report.objects.filter(
        department__bureau=bureau, year=year, state=Evaluation.State.APPROVED
    )
    return Evaluation.objects.filter(
        year=year, project__department__in=approved.values("department")
    )


def note(bureau, year, approved, left_out, failed=()):
    """说明.txt: what the bureau's package holds and which departments it leaves out: those
    whose report is not approved, and (made in the background) those whose files could not be
    made, as (department, why)."""
    lines = [
        _("%(bureau)s: publication package of %(year)s.") % {"bureau": bureau.name, "year": year},
        _("Departments whose report is approved: %(count)s.") % {"count": len(approved)},
    ]
    for report in approved:
        lines.append(f"  {report.department.code} {report.department.name}")
    if left_out:
        lines.append(
            _("Left out, their report not approved yet: %(count)s.") % {"count": len(left_out)}
        )
        for department, report in left_out:
            state = report.get_state_display() if report else _("not started")
            lines.append(f"  {department.code} {department.name}（{state}）")
    if failed:
        lines.append(
            _("Left out, their files could not be made: %(count)s.") % {"count": len(failed)}
        )
        for department, reason in failed:
            lines.append(f"  {department.code} {department.name}（{reason}）")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def bureau_entries(bureau, year, approved=None, left_out=None):
    """(name, bytes) of the bureau's package: 说明.txt, then each approved department's package
    in a folder named after the department."""
    if approved is None:
        approved, left_out = bureau_reports(bureau, year)
    yield NOTE_NAME, note(bureau, year, approved, left_out or [])
    folders = set()
    for report in approved:
        yield from department_entries(report, folder=department_folder(report.department, folders))


def department_folder(department, taken=None):
    """The department's folder in the bureau's package, `/` ended: its code and name as a file
    name writes them, numbered if two among `taken` come out the same."""
    taken = set() if taken is None else taken
    base = file_name(f"{department.code} {department.name}", "zip").removesuffix(".zip")
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base} ({number})"
    taken.add(name)
    return name + "/"


def zip_chunks(entries):
    """The bytes of a .zip of `entries`, sent as each entry is made."""
    sink = writer.Sink()
    stamp = timezone.localtime().timetuple()[:6]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
            if data := sink.take():
                yield data
    if data := sink.take():
        yield data


def write_zip(entries, path):
    with open(path, "wb") as out:
        for chunk in zip_chunks(entries):
            out.write(chunk)
