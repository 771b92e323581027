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


def floor(evaluations):
    """openpyxl, write-only, plain values: one workbook per department to a temporary file.

    The values are those the export draws (the same layout, content and scores), so that the
    ratio is what styles, merges and row heights cost."""
    from openpyxl import Workbook

    from evaluations import content, scorecard
    from evaluations.excel import drawing, layout
    from evaluations.excel.writer import _departments_of, with_content
    from evaluations.models import SettingsCache

    taxonomies = {}
    settings = SettingsCache()
    for department in _departments_of(evaluations):
        workbook = Workbook(write_only=True)
        names = set()
        forms = with_content(evaluations.filter(project__department=department))
        for evaluation in forms.order_by("project__name").iterator(chunk_size=200):
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
            ws = workbook.create_sheet(layout.sheet_name(evaluation.project.name, names))
            for row in drawn.rows():
                ws.append([cell.value if cell else None for cell in row])
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
        plain = statistics.median(
            seconds(floor, Evaluation.objects.filter(pk=evaluation.pk))[0]
            for _ in range(ONE_FORM_RUNS)
        )
        print(
            f"  {key:<10} export {ours * 1000:7.1f} ms   floor {plain * 1000:7.1f} ms   "
            f"ratio {ours / plain:.2f}×"
        )
    print()
    print(
        f"{'layout':<10} {'forms':>6} {'export s':>9} {'(wall)':>7} {'floor s':>8} {'(wall)':>7} "
        f"{'ratio':>6} {'export MiB':>11} {'floor MiB':>10} {'first bytes s':>14} {'zip MiB':>8}"
    )
    for offset, key in enumerate(layouts.LAYOUTS):
        year = YEAR + offset
        generate(DEPARTMENTS, FORMS_PER_DEPARTMENT, year, layout=key)
        synthetic = Evaluation.objects.filter(
            year=year, project__department__code__startswith="SYN-"
        )
        prefix = "SYN-" if key == layouts.DEFAULT else f"SYN-{key}-"
        codes = [f"{prefix}{number:04d}" for number in range(1, DEPARTMENTS + 1)]
        synthetic = synthetic.filter(project__department__code__in=codes)
        batches = {
            100: synthetic.filter(project__department__code__in=codes[:1]),
            500: synthetic.filter(project__department__code__in=codes[:5]),
            1000: synthetic,
        }
        peaks = {}
        for count, evaluations in batches.items():
            assert evaluations.count() == count, (key, count, evaluations.count())
            size = export(evaluations)  # warm caches once, as a server would be
            ours, ours_wall = seconds(export, evaluations)
            plain, plain_wall = seconds(floor, evaluations)
            peaks[count] = peak_mib(export, evaluations)
            plain_peak = peak_mib(floor, evaluations)
            print(
                f"{key:<10} {count:>6} {ours:>9.2f} {ours_wall:>7.2f} {plain:>8.2f} "
                f"{plain_wall:>7.2f} {ours / plain:>5.2f}× {peaks[count]:>11.1f} "
                f"{plain_peak:>10.1f} {first_chunk_seconds(evaluations):>14.3f} "
                f"{size / 2**20:>8.1f}"
            )
        print(
            f"{key:<10} peak memory {peaks[100]:.1f} MiB for 100 forms, {peaks[1000]:.1f} for "
            f"1,000 ({peaks[1000] / peaks[500]:.2f}× from 500 to 1,000: "
            + ("flat)" if peaks[1000] < 1.25 * peaks[500] else "it grows with the number of forms)")
        )
    print("ratio: export time ÷ floor time; aim ≤ 2×.")


if __name__ == "__main__":
    main()
