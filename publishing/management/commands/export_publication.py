from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from departments.models import FinanceBureau
from evaluations.models import Year
from publishing import packages, printing
from publishing.management.commands.export_report import (
    find_report,
    list_flags,
    require_pdfs,
    write_file,
)


class Command(BaseCommand):
    help = (
        "Export the publication package of a year as a .zip: one department's (--department: "
        "its report as .pdf and .docx, its forms as .xlsx and .pdf), or, without it, every "
        "finance bureau's departments whose report is approved, one folder each. Flags never "
        "stop the export; departments left out are listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--department", metavar="CODE")
        parser.add_argument("--output", required=True, metavar="FILE.zip")

    def handle(self, *args, year, department, output, **options):
        if Path(output).suffix.lower() != ".zip":
            raise CommandError(f"The output must be a .zip file: {output}")
        require_pdfs()
        if department:
            report = find_report(department, year)
            printed = printing.of(report)
            list_flags(self, printed)
            entries = packages.department_entries(report, printed)
        else:
            entries = self.every_bureau(year)
        written = []

        def counted():
            for entry in entries:
                written.append(entry[0])
                yield entry

        write_file(output, ".zip", lambda path: packages.write_zip(counted(), path))
        self.stdout.write(self.style.SUCCESS(f"Exported {len(written)} files to {output}."))

    def every_bureau(self, year):
        """Each bureau's package in a folder named after it (a bureau with no approved report is
        left out); the files are made one at a time while the .zip is written."""
        found_year = Year.objects.filter(year=year).first()
        if found_year is None:
            raise CommandError(f"There is no year {year}.")
        chosen = []
        for bureau in FinanceBureau.objects.order_by("code"):
            approved, left_out = packages.bureau_reports(bureau, found_year)
            for department, report in left_out:
                state = report.state if report else "not started"
                self.stdout.write(
                    self.style.WARNING(
                        f"Left out: {department.code} {department.name} (report {state})."
                    )
                )
            if approved:
                chosen.append((bureau, approved, left_out))
        if not chosen:
            raise CommandError(
                f"No department has an approved report for {year}: nothing to export."
            )
        return self.entries(chosen, found_year)

    @staticmethod
    def entries(chosen, year):
        for bureau, approved, left_out in chosen:
            folder = packages.bureau_file_name(bureau, year.year).removesuffix(".zip")
            for name, content in packages.bureau_entries(bureau, year, approved, left_out):
                yield f"{folder}/{name}", content
