"""The Excel export: one form, and batches of 100 and 1,000 forms, against a floor.

    .venv/bin/python benchmarks/excel.py

The floor is openpyxl writing the same cell values, with no styles and no merges, in its fastest
(write-only) mode, reading the forms from the same database. The export is measured whole: the
database, the styled workbooks, one per department, and the .zip with 汇总表.xlsx.

Times are CPU seconds of this process (wall-clock seconds beside them), so that other work on a
shared machine does not blur the ratio. Peak memory is measured in a separate run under
tracemalloc (which slows Python down). Prints figures only.
"""

import statistics
import tempfile
import time

from _setup import setup_django
from measure import peak_mib

ONE_FORM_RUNS = 20
FORMS_PER_DEPARTMENT = 100
DEPARTMENTS = 10
YEAR = 2031


def plain_rows(evaluation, taxonomy):
    """The cell values of a form, as the export writes them, without any style."""
    from evaluations.excel import layout
    from evaluations.excel.writer import _fraction
    from evaluations.indicators import group_rows
    from evaluations.money import Funds

    funds = Funds(taxonomy.sources, evaluation.fund_lines.all())
    rows = [
        [layout.TITLE],
        [layout.year_text(evaluation.year_id)],
        [layout.PROJECT_NAME, None, None, evaluation.project.name],
        [layout.SUPERVISING_UNIT, None, None, evaluation.supervising_unit],
        [layout.IMPLEMENTING_UNIT, None, None, evaluation.implementing_unit],
        [layout.FUNDS, None, None, None, layout.BUDGET, layout.ACTUAL, layout.EXECUTION_RATE],
        [None, None, None, layout.TOTAL, funds.budget, funds.actual, _fraction(funds.rate)],
    ]
    for index, row in enumerate(funds.rows):
        rows.append(
            [
                None,
                None,
                None,
                layout.fund_label(index, row["source"].name),
                row["budget"],
                row["actual"],
                _fraction(row["rate"]),
            ]
        )
    rows += [
        [layout.GOALS, layout.GOAL, None, None, None, layout.ACHIEVED],
        [None, evaluation.goal, None, None, None, evaluation.achieved],
        [layout.INDICATORS, *layout.INDICATOR_HEADERS],
    ]
    indicators = list(evaluation.indicators.all())
    for group in group_rows(
        taxonomy.level2, indicators, lambda row: row.category_id, keep_empty=False
    ):
        for section in group.sections:
            for row in section.rows:
                rows.append(
                    [
                        None,
                        group.category.name,
                        section.category.name,
                        row.name,
                        row.target,
                        row.actual,
                        _fraction(row.completion_rate),
                        row.reason,
                    ]
                )
    return rows


def floor(evaluations):
    """openpyxl, write-only, plain values: one workbook per department to a temporary file."""
    from openpyxl import Workbook

    from evaluations.excel import layout
    from evaluations.excel.writer import _departments_of, with_content

    taxonomies = {}
    for department in _departments_of(evaluations):
        workbook = Workbook(write_only=True)
        names = set()
        forms = with_content(evaluations.filter(project__department=department))
        for evaluation in forms.order_by("project__name").iterator(chunk_size=200):
            edition = evaluation.year.edition
            taxonomy = taxonomies.setdefault(edition.pk, layout.Taxonomy(edition))
            ws = workbook.create_sheet(layout.sheet_name(evaluation.project.name, names))
            for row in plain_rows(evaluation, taxonomy):
                ws.append(row)
            ws.close()
        with tempfile.TemporaryFile() as out:
            workbook.save(out)


def export(evaluations):
    """The real thing: every chunk of the streamed .zip, counted and dropped."""
    from evaluations.excel.writer import zip_chunks

    size = 0
    for chunk in zip_chunks(evaluations):
        size += len(chunk)
    return size


def seconds(work, *args):
    """(CPU seconds, wall-clock seconds) of one run."""
    cpu, wall = time.process_time(), time.perf_counter()
    work(*args)
    return time.process_time() - cpu, time.perf_counter() - wall


def first_chunk_seconds(evaluations):
    from evaluations.excel.writer import zip_chunks

    started = time.perf_counter()
    chunks = zip_chunks(evaluations)
    next(chunks)
    elapsed = time.perf_counter() - started
    chunks.close()
    return elapsed


def one_form_with_30_rows():
    from evaluations.demo.seed import create_form, load_demo, read_seed
    from evaluations.models import Evaluation, Project, Year

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
    setup_django()

    from evaluations.demo.synthetic import generate
    from evaluations.excel.writer import form_workbook
    from evaluations.models import Evaluation

    evaluation = one_form_with_30_rows()
    ours = statistics.median(seconds(form_workbook, evaluation)[0] for _ in range(ONE_FORM_RUNS))
    plain = statistics.median(
        seconds(floor, Evaluation.objects.filter(pk=evaluation.pk))[0] for _ in range(ONE_FORM_RUNS)
    )
    print(f"one form, 30 rows (median of {ONE_FORM_RUNS}):")
    print(
        f"  export {ours * 1000:7.1f} ms   floor {plain * 1000:7.1f} ms   ratio {ours / plain:.2f}×"
    )
    print()

    started = time.perf_counter()
    generate(DEPARTMENTS, FORMS_PER_DEPARTMENT, YEAR)
    print(
        f"generated {DEPARTMENTS * FORMS_PER_DEPARTMENT} synthetic forms in "
        f"{time.perf_counter() - started:.0f} s"
    )
    synthetic = Evaluation.objects.filter(year=YEAR)
    codes = [f"SYN-{number:04d}" for number in range(1, DEPARTMENTS + 1)]
    batches = {
        100: synthetic.filter(project__department__code__in=codes[:1]),
        500: synthetic.filter(project__department__code__in=codes[:5]),
        1000: synthetic,
    }
    print()
    print(
        f"{'forms':>6} {'export s':>9} {'(wall)':>7} {'floor s':>8} {'(wall)':>7} {'ratio':>6} "
        f"{'export MiB':>11} {'floor MiB':>10} {'first bytes s':>14} {'zip MiB':>8}"
    )
    peaks = {}
    for count, evaluations in batches.items():
        assert evaluations.count() == count
        size = export(evaluations)  # warm caches once, as a server would be
        ours, ours_wall = seconds(export, evaluations)
        plain, plain_wall = seconds(floor, evaluations)
        peaks[count] = peak_mib(export, evaluations)
        plain_peak = peak_mib(floor, evaluations)
        print(
            f"{count:>6} {ours:>9.2f} {ours_wall:>7.2f} {plain:>8.2f} {plain_wall:>7.2f} "
            f"{ours / plain:>5.2f}× {peaks[count]:>11.1f} {plain_peak:>10.1f} "
            f"{first_chunk_seconds(evaluations):>14.3f} {size / 2**20:>8.1f}"
        )
    print()
    print(
        f"peak memory of the export: {peaks[100]:.1f} MiB for 100 forms, {peaks[500]:.1f} for "
        f"500, {peaks[1000]:.1f} for 1,000 ({peaks[1000] / peaks[500]:.2f}× from 500 to 1,000: "
        + (
            "it does not grow with the number of forms)"
            if peaks[1000] < 1.25 * peaks[500]
            else "it grows with the number of forms)"
        )
    )
    print("ratio: export time ÷ floor time; aim ≤ 2×.")


if __name__ == "__main__":
    main()
