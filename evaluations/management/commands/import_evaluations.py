from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from departments.models import Department
from evaluations import importing


class Command(BaseCommand):
    help = (
        "Import workbooks in the official layout into a department's forms: new projects become "
        "drafts, drafts and returned forms are replaced, the sheets of submitted and approved "
        "forms are skipped. Everything is written in one transaction, or nothing when any "
        "problem is found."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help=".xlsx workbooks")
        parser.add_argument("--department", required=True, metavar="CODE")
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and check, and write nothing."
        )

    def handle(self, *args, files, department, dry_run, **options):
        target = Department.objects.filter(code=department).first()
        if target is None:
            raise CommandError(f"There is no department with the code {department}.")
        uploads = []
        for name in files:
            try:
                uploads.append((Path(name).name, Path(name).read_bytes()))
            except OSError as error:
                raise CommandError(f"{name}: {error.strerror}") from None
        workbooks = importing.read_files(uploads, target)
        plan = importing.plan(target, workbooks)
        for step in plan.steps:
            outcome = step.action or "not imported"
            if step.action == importing.SKIP:
                outcome = f"skipped: {step.reason}"
            self.stdout.write(
                f"{step.workbook}, sheet {step.sheet.number}: "
                f"{step.sheet.project or '?'} ({step.sheet.year or '?'}): {outcome}"
            )
        if not plan.ok:
            raise CommandError(
                "Nothing was imported:\n"
                + "\n".join(plan.problems() or ["no form to import: every sheet is skipped"])
            )
        for line in plan.problems():
            self.stderr.write(f"warning: {line}")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        try:
            result = importing.apply(target, workbooks, user=None, confirmed=plan.fingerprint)
        except importing.ImportRefused as refusal:
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(str(p) for p in refusal.problems)
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported into {target.code}: {result.count(importing.CREATE)} created, "
                f"{result.count(importing.UPDATE)} updated, {result.count(importing.SKIP)} skipped."
            )
        )
