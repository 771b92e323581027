"""The Excel export: one form, and batches of 100 and 1,000 forms, against a floor.

    .venv/bin/python benchmarks/excel.py [--departments 10] [--forms-per-department 100]

The floor is XlsxWriter, the export's own library, writing exactly the cells the export
writes (the same values, texts as texts, in the same places, checked cell by cell before
anything is timed), with no styles, no merges and no row heights, in its fastest
(constant_memory) mode, reading the forms from the same
database: one workbook per department, 汇总表.xlsx with the same rows, and the same .zip around
them. The export is measured whole: the database, the styled workbooks and the .zip.

Times are CPU seconds of this process (wall-clock seconds beside them), so that other work on a
shared machine does not blur the ratio. Memory is the peak resident set of a child process that
does the one export (forked for it, so that nothing this process holds counts): the peak, and
how far it grew above what the child started with. "First bytes" is the time until the first
bytes of the first department's workbook leave, past the zip entry's header. Prints figures
only.
"""

import argparse
import io
import multiprocessing
import shutil
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from _setup import setup_django

ONE_FORM_RUNS = 20
YEAR = 2031


def _plain(ws, row, column, value):
    """A cell as the export writes it, unstyled: a department's words as text, never a
    formula."""
    if value is None:
        return
    if isinstance(value, str):
        ws.write_string(row, column, value)
    else:
        ws.write_number(row, column, value)


def plain_workbook(target):
    """A workbook in XlsxWriter's fastest mode (rows streamed, nothing held), as the export's
    writer would open it."""
    import xlsxwriter

    from evaluations.excel.writer import OPTIONS

    return xlsxwriter.Workbook(target, OPTIONS | {"constant_memory": True})


def floor_workbook(forms, target, summary=None):
    """The forms' sheets as plain values in one workbook at `target`; with `summary` (a
    worksheet and its next row, as a list), each form's row of 汇总表 too."""
    from django.utils import timezone

    from evaluations import content, scorecard
    from evaluations.excel import drawing, layout
    from evaluations.excel.writer import BATCH, _fraction, _text
    from evaluations.models import SettingsCache
    from evaluations.money import Funds

    taxonomies, settings, names = {}, SettingsCache(), set()
    workbook = plain_workbook(target)
    for evaluation in forms.iterator(chunk_size=BATCH):
        year = settings.attach(evaluation).year_settings
        taxonomy = taxonomies.setdefault(year.edition_id, layout.Taxonomy(year.edition))
        filled = content.of(evaluation, sources=taxonomy.sources)
        drawn = drawing.draw(
            drawing.Form(
                year.form_layout,
                evaluation.year_id,
                filled,
                taxonomy.sources,
                scorecard.of_content(filled, year.scoring_rules),
            )
        )
        ws = workbook.add_worksheet(layout.sheet_name(evaluation.project.name, names))
        for number, row in enumerate(drawn.rows()):
            for column, item in enumerate(row):
                if item is not None:
                    value = _text(item.value) if item.text else item.value
                    _plain(ws, number, column, value)
        if summary is None:
            continue
        sheet, rows = summary
        funds = Funds(taxonomy.sources, evaluation.fund_lines.all())
        approved = evaluation.approved_at
        values = [
            _text(evaluation.project.department.name),
            _text(evaluation.project.name),
            _text(evaluation.get_state_display()),
            funds.budget,
            funds.actual,
            _fraction(funds.rate),
            len(filled.indicators),
            evaluation.flag_count,
            timezone.localdate(approved).isoformat() if approved else None,
        ]
        for column, value in enumerate(values):
            _plain(sheet, rows[0], column, value)
        rows[0] += 1
    workbook.close()


def floor_zip(evaluations, target):
    """The floor of a zip: a plain workbook per department, the summary with the same rows,
    deflated as the export deflates them."""

    from evaluations.excel.writer import (
        SUMMARY_NAME,
        SUMMARY_TITLE,
        _departments_of,
        _text,
        _unique,
        department_file_name,
        summary_labels,
        with_content,
    )

    with tempfile.TemporaryFile() as made:
        summary = plain_workbook(made)
        sheet = summary.add_worksheet("汇总表")
        sheet.write_string(0, 0, _text(SUMMARY_TITLE))
        for column, label in enumerate(summary_labels()):
            sheet.write_string(1, column, label)
        names = {SUMMARY_NAME}
        rows = [2]
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for department in _departments_of(evaluations):
                forms = with_content(evaluations.filter(project__department=department))
                forms = forms.order_by("project__name", "year")
                name = _unique(department_file_name(department), names)
                with archive.open(name, "w") as entry:
                    floor_workbook(forms, entry, (sheet, rows))
            summary.close()
            made.seek(0)
            with archive.open(SUMMARY_NAME, "w") as entry:
                shutil.copyfileobj(made, entry)


def floor(evaluations):
    with tempfile.TemporaryFile() as out:
        floor_zip(evaluations, out)


def floor_one(evaluation):
    """The floor of one form's workbook."""
    from evaluations.excel.writer import with_content
    from evaluations.models import Evaluation

    floor_workbook(with_content(Evaluation.objects.filter(pk=evaluation.pk)), io.BytesIO())


def export(evaluations):
    """The real thing: every chunk of the streamed .zip, counted and dropped."""
    from evaluations.excel.writer import zip_chunks

    size = 0
    for chunk in zip_chunks(evaluations):
        size += len(chunk)
    return size


def cells_of(archive_bytes):
    """{(file, sheet, coordinate): value} of every non-empty cell of every workbook."""
    from openpyxl import load_workbook

    found = {}
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        for name in archive.namelist():
            workbook = load_workbook(io.BytesIO(archive.read(name)), read_only=True)
            for ws in workbook.worksheets:
                for row in ws.iter_rows():
                    for cell in row:
                        if getattr(cell, "value", None) is not None:
                            found[(name, ws.title, cell.coordinate)] = cell.value
            workbook.close()
    return found


def differing_cells(evaluations):
    """(cells that differ between the export and the floor, cells of the export)."""
    from evaluations.excel.writer import zip_chunks

    ours = cells_of(b"".join(zip_chunks(evaluations)))
    out = io.BytesIO()
    floor_zip(evaluations, out)
    plain = cells_of(out.getvalue())
    differ = sum(1 for key in ours.keys() | plain.keys() if ours.get(key) != plain.get(key))
    return differ, len(ours)


def seconds(work, *args):
    """(CPU seconds, wall-clock seconds) of one run."""
    cpu, wall = time.process_time(), time.perf_counter()
    work(*args)
    return time.process_time() - cpu, time.perf_counter() - wall


def first_workbook_bytes_seconds(evaluations):
    """Seconds until the stream holds a byte of the first workbook, past the zip's local
    header of its entry (30 bytes, the name and the extra field)."""
    from evaluations.excel.writer import zip_chunks

    started = time.perf_counter()
    chunks = zip_chunks(evaluations)
    sent = b""
    try:
        for chunk in chunks:
            sent += chunk
            if len(sent) >= 30:
                header = 30 + int.from_bytes(sent[26:28], "little")
                header += int.from_bytes(sent[28:30], "little")
                if len(sent) > header:
                    return time.perf_counter() - started
    finally:
        chunks.close()
    return time.perf_counter() - started


def _status_kib(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _in_child(work, evaluations, answer):
    started = _status_kib("VmRSS")
    work(evaluations)
    answer.send((_status_kib("VmHWM"), started))


def peak_rss_mib(work, evaluations):
    """(peak resident MiB, MiB above the start) of a child process forked to do `work`."""
    from django.db import connections

    connections.close_all()  # the child opens its own
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    child = context.Process(target=_in_child, args=(work, evaluations, theirs))
    child.start()
    peak, started = ours.recv()
    child.join()
    return peak / 1024, (peak - started) / 1024


def one_form_with_30_rows(layout_key):
    """A form of 30 indicator rows in the layout: the seed's rows for Panzhihua, the published
    example's rows repeated for the others."""
    from evaluations import content
    from evaluations.demo.examples import load_example
    from evaluations.demo.seed import create_form, load_demo, read_seed
    from evaluations.models import Evaluation, Project, Year

    if layout_key != "panzhihua":
        department, example = load_example(layout_key)
        filled = content.of(example)
        rows = filled.indicators
        filled.indicators = [
            content.Row(**{**vars(rows[index % len(rows)]), "id": None, "name": f"指标{index}"})
            for index in range(30)
        ]
        filled.project = f"三十行的表（{layout_key}）"
        project = Project.objects.create(department=department, name=filled.project)
        evaluation = content.save(Evaluation(project=project, year=example.year), filled, None)
    else:
        load_demo()
        seed = read_seed()
        form = dict(seed["forms"][0])
        rows = [row for other in seed["forms"] for row in other["indicators"]]
        form["indicators"] = rows[:30]
        project = Project.objects.create(
            department=Evaluation.objects.first().project.department, name="三十行的表"
        )
        evaluation = create_form(project, Year.objects.get(year=seed["year"]), form, None)
    assert evaluation.indicators.count() == 30
    return evaluation


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=10)
    parser.add_argument("--forms-per-department", type=int, default=100)
    options = parser.parse_args()
    departments, per_department = options.departments, options.forms_per_department
    setup_django()

    from evaluations import layouts
    from evaluations.demo.synthetic import generate
    from evaluations.excel.writer import form_workbook
    from evaluations.models import Evaluation

    print(f"one form, 30 rows (median of {ONE_FORM_RUNS}):")
    for key in layouts.LAYOUTS:
        evaluation = one_form_with_30_rows(key)
        ours = statistics.median(
            seconds(form_workbook, evaluation)[0] for _ in range(ONE_FORM_RUNS)
        )
        plain = statistics.median(seconds(floor_one, evaluation)[0] for _ in range(ONE_FORM_RUNS))
        print(
            f"  {key:<10} export {ours * 1000:7.1f} ms   floor {plain * 1000:7.1f} ms   "
            f"ratio {ours / plain:.2f}×"
        )
    print()
    print(
        "memory: peak resident set of a child doing one export (MiB), and (+) its growth; "
        "first bytes: of the first workbook"
    )
    print(
        f"{'layout':<10} {'forms':>6} {'export s':>9} {'(wall)':>7} {'floor s':>8} {'(wall)':>7} "
        f"{'ratio':>6} {'export MiB':>14} {'floor MiB':>14} {'first bytes s':>14} {'zip MiB':>8}"
    )
    for offset, key in enumerate(layouts.LAYOUTS):
        year = YEAR + offset
        generate(departments, per_department, year, layout=key)
        synthetic = Evaluation.objects.filter(
            year=year, project__department__code__startswith="SYN-"
        )
        prefix = "SYN-" if key == layouts.DEFAULT else f"SYN-{key}-"
        codes = [f"{prefix}{number:04d}" for number in range(1, departments + 1)]
        synthetic = synthetic.filter(project__department__code__in=codes)
        # One department's forms, half of them, all.
        batches = {
            per_department * len(part): synthetic.filter(project__department__code__in=part)
            for part in (codes[:1], codes[: max(1, departments // 2)], codes)
        }
        first = min(batches)
        differ, cells = differing_cells(batches[first])
        print(
            f"{key:<10} floor check: {differ} of the export's {cells} cells of {first} forms "
            "differ in the floor"
        )
        growth = {}
        for count, evaluations in batches.items():
            size = export(evaluations)  # warm caches once, as a server would be
            ours, ours_wall = seconds(export, evaluations)
            plain, plain_wall = seconds(floor, evaluations)
            peak, growth[count] = peak_rss_mib(export, evaluations)
            plain_peak, plain_growth = peak_rss_mib(floor, evaluations)
            print(
                f"{key:<10} {count:>6} {ours:>9.2f} {ours_wall:>7.2f} {plain:>8.2f} "
                f"{plain_wall:>7.2f} {ours / plain:>5.2f}× "
                f"{peak:>7.0f} (+{growth[count]:>3.0f}) {plain_peak:>7.0f} (+{plain_growth:>3.0f}) "
                f"{first_workbook_bytes_seconds(evaluations):>14.3f} {size / 2**20:>8.1f}"
            )
        print(
            f"{key:<10} the export grew "
            + ", ".join(f"{growth[count]:.0f} MiB for {count:,} forms" for count in growth)
        )
    print("ratio: export time ÷ floor time; aim ≤ 2×.")


if __name__ == "__main__":
    main()
