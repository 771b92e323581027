import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from departments.models import Department
from evaluations.models import Year
from publishing import exporters, pdf, printing
from reports.models import Report


def target_folder(output):
    folder = Path(output).resolve().parent
    if not folder.is_dir():
        raise CommandError(f"There is no folder {folder}.")
    return folder


def write_file(output, suffix, write):
    """Write through a temporary file beside `output`, renamed at the end: a failed export
    leaves no half file."""
    handle, partial = tempfile.mkstemp(dir=target_folder(output), suffix=suffix)
    os.close(handle)
    try:
        write(partial)
        os.replace(partial, output)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def find_report(code, year):
    """The department's report of the year, or a CommandError saying what does not exist."""
    found_year = Year.objects.filter(year=year).first()
    if found_year is None:
        raise CommandError(f"There is no year {year}.")
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise CommandError(f"There is no department with the code {code}.")
    report = Report.objects.filter(department=department, year=found_year).first()
    if report is None:
        raise CommandError(
            f"{department.name} has no report for {year}: nothing to export. It is started "
            "when the department first opens it."
        )
    return report


def require_pdfs():
    try:
        pdf.check()
    except pdf.Unavailable as error:
        raise CommandError(
            f"PDFs cannot be made here: WeasyPrint cannot start ({error}). Install Pango "
            "(libpango-1.0-0 libpangoft2-1.0-0) and fonts-noto-cjk."
        ) from error


def list_flags(command, printed):
    """The report's flags on the command's output: they never stop an export."""
    flags = printed.flags
    if not flags:
        return
    command.stdout.write(
        command.style.WARNING(f"The report is {printed.view.report.state} with {len(flags)} flags:")
    )
    for flag in flags:
        command.stdout.write(f"  - {flag.message}")


class Command(BaseCommand):
    help = (
        "Export a department's report for a year with its forms as 附表: a .docx Word document "
        "or a .pdf for the 公开 board (the output's extension picks which). Flags of the report "
        "are listed and never stop the export."
    )

    def add_arguments(self, parser):
        parser.add_argument("--department", required=True, metavar="CODE")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--output", required=True, metavar="FILE")

    def handle(self, *args, department, year, output, **options):
        suffix = Path(output).suffix.lower()
        exporter = exporters.for_extension("report", suffix)
        if exporter is None:
            raise CommandError(f"The output must be a .docx or a .pdf file: {output}")
        target_folder(output)
        if exporter.content_type == exporters.PDF:
            require_pdfs()
        report = find_report(department, year)
        printed = printing.of(report)
        list_flags(self, printed)

        def write(path):
            Path(path).write_bytes(exporter.render(report, printed))

        write_file(output, suffix, write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported the report of {report.department.name} for {year} with "
                f"{len(printed.forms)} forms to {output}."
            )
        )
