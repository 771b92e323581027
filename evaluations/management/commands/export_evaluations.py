import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from departments.models import Department
from evaluations.excel import writer
from evaluations.models import Evaluation, Year


class Command(BaseCommand):
    help = (
        "Export a year's forms in the official layout: one department as an .xlsx workbook (one "
        "sheet per form), or every department as a .zip of workbooks and 汇总表.xlsx."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--department", metavar="CODE")
        parser.add_argument("--output", required=True, metavar="PATH")

    def handle(self, *args, year, department, output, **options):
        found = Year.objects.filter(year=year).first()
        if found is None:
            raise CommandError(f"There is no year {year}.")
        evaluations = Evaluation.objects.filter(year=found)
        expected = ".zip"
        if department:
            target = Department.objects.filter(code=department).first()
            if target is None:
                raise CommandError(f"There is no department with the code {department}.")
            evaluations = evaluations.filter(project__department=target)
            expected = ".xlsx"
        if Path(output).suffix.lower() != expected:
            raise CommandError(f"The output must be a {expected} file here: {output}")
        count = evaluations.count()
        if not count:
            raise CommandError(f"There are no forms to export for {year}.")
        folder = Path(output).resolve().parent
        if not folder.is_dir():
            raise CommandError(f"There is no folder {folder}.")
        # Written beside the target and renamed at the end: a failed export leaves no half file.
        handle, partial = tempfile.mkstemp(dir=folder, suffix=expected)
        os.close(handle)
        try:
            if department:
                writer.write_forms(evaluations.order_by("project__name"), partial)
            else:
                writer.write_zip(evaluations, partial, f"{writer.SUMMARY_TITLE}（{year}）")
            os.replace(partial, output)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
        self.stdout.write(self.style.SUCCESS(f"Exported {count} forms to {output}."))
