"""Forms as workbooks and as the PDF LibreOffice prints of them, to look at how they print."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from evaluations.demo.examples import read_examples
from evaluations.demo.seed import ORGANISATION_DEPARTMENT, read_seed
from evaluations.excel import writer
from evaluations.models import Evaluation

# LibreOffice converting ten workbooks takes seconds; one that hangs is stopped after this.
CONVERT_TIMEOUT = 300


class Command(BaseCommand):
    help = (
        "Write the workbooks of the given forms (or of a year, or of every demo form) into a "
        "folder and convert each to PDF with LibreOffice (soffice on PATH)."
    )

    def add_arguments(self, parser):
        parser.add_argument("forms", nargs="*", type=int, metavar="FORM_ID")
        parser.add_argument("--year", type=int, help="every form of this year")
        parser.add_argument(
            "--demo",
            action="store_true",
            help="every form of the demo seed, and the demo's example of every other layout",
        )
        parser.add_argument("--output", required=True, metavar="DIR")

    def handle(self, *args, forms, year, demo, output, **options):
        if bool(forms) + (year is not None) + demo != 1:
            raise CommandError("Give form ids, or --year, or --demo (one of them).")
        evaluations = self._forms(forms, year, demo)
        soffice = shutil.which("soffice")
        if soffice is None:
            raise CommandError(
                "soffice (LibreOffice) is not on PATH; on Debian: "
                "sudo apt-get install -y libreoffice-calc-nogui"
            )
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        workbooks = []
        for evaluation in evaluations:
            path = folder / writer.form_file_name(evaluation)
            path.write_bytes(writer.form_workbook(evaluation))
            workbooks.append(path)
        self._convert(soffice, workbooks, folder)
        missing = [path.with_suffix(".pdf").name for path in workbooks]
        missing = [name for name in missing if not (folder / name).is_file()]
        if missing:
            raise CommandError(f"LibreOffice made no PDF of: {', '.join(missing)}")
        self.stdout.write(
            self.style.SUCCESS(f"Rendered {len(workbooks)} forms to PDF in {folder}.")
        )

    def _forms(self, ids, year, demo):
        evaluations = Evaluation.objects.select_related("project").order_by("project__name", "year")
        if ids:
            evaluations = evaluations.filter(pk__in=ids)
            missing = sorted(set(ids) - {evaluation.pk for evaluation in evaluations})
            if missing:
                raise CommandError(f"There is no form {', '.join(map(str, missing))}.")
        elif year is not None:
            evaluations = evaluations.filter(year__year=year)
        else:
            # The seed's forms, and the published example of every other layout.
            seed = read_seed()
            examples = read_examples().values()
            demo_forms = Q(
                year__year=seed["year"],
                project__department__code=ORGANISATION_DEPARTMENT[0],
                project__name__in=[form["project"] for form in seed["forms"]],
            )
            for example in examples:
                demo_forms |= Q(
                    year__year=example["year"],
                    project__department__code=example["department"][0],
                    project__name=example["form"]["project"],
                )
            evaluations = evaluations.filter(demo_forms)
        found = list(evaluations)
        if not found:
            raise CommandError("There are no such forms.")
        return found

    def _convert(self, soffice, workbooks, folder):
        # A profile of its own: a LibreOffice already open for the user would otherwise take the
        # request and convert nothing here.
        with tempfile.TemporaryDirectory() as profile:
            command = [
                soffice,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                *map(str, workbooks),
            ]
            try:
                done = subprocess.run(
                    command, capture_output=True, text=True, timeout=CONVERT_TIMEOUT
                )
            except subprocess.TimeoutExpired as error:
                raise CommandError(
                    f"LibreOffice did not finish within {CONVERT_TIMEOUT} s."
                ) from error
        if done.returncode:
            raise CommandError(f"LibreOffice failed ({done.returncode}): {done.stderr.strip()}")
