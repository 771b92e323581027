"""What reading an import costs: a hostile workbook refused, a department's workbook read.

    .venv/bin/python benchmarks/import_bounds.py

The hostile workbook has 1.8 million cells in one row (the file of the report that took 44 s and
1.8 GB to preview). The department's workbook holds 100 synthetic forms of 8–30 indicators, as
the department download writes it; it is read whole (screening, then openpyxl and the reader),
and screening alone is timed beside it. Times are CPU seconds of this process; peak memory is
measured in a separate run under tracemalloc. Prints figures only.
"""

import io
import time
import zipfile

from _setup import setup_django
from measure import peak_mib

FORMS = 100
YEAR = 2031
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def wide_row(cells):
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    row = "".join(f"<c><v>{number % 997}</v></c>" for number in range(cells))
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{row}</row></sheetData></worksheet>'
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            body = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                body = sheet.encode()
            archive.writestr(member.filename, body)
    return target.getvalue()


def cpu_seconds(work, *args):
    started = time.process_time()
    result = work(*args)
    return time.process_time() - started, result


def main():
    setup_django()

    from evaluations.demo.synthetic import generate
    from evaluations.excel import writer
    from evaluations.excel.reader import WorkbookRefused, read_workbook
    from evaluations.excel.screening import screen
    from evaluations.importing import open_years
    from evaluations.models import Evaluation

    def read(content):
        try:
            return read_workbook(content, "workbook.xlsx", taxonomies)
        except WorkbookRefused as refusal:
            return refusal

    hostile = wide_row(1_800_000)
    taxonomies = open_years()
    seconds, refusal = cpu_seconds(read, hostile)
    print(f"1,800,000 cells in one row ({len(hostile) / 2**20:.1f} MiB file):")
    print(f"  {seconds:.2f} s, peak {peak_mib(read, hostile):.1f} MiB: {refusal}")
    print()

    generate(1, FORMS, YEAR)
    taxonomies = open_years()
    forms = Evaluation.objects.filter(year=YEAR)
    out = io.BytesIO()
    writer.write_forms(forms, out)
    content = out.getvalue()
    cells = sum(form.indicators.count() + 12 for form in forms.prefetch_related("indicators")) * 8
    whole, parsed = cpu_seconds(read, content)
    screening, _result = cpu_seconds(screen, content, "workbook.xlsx")
    print(
        f"a department's workbook of {FORMS} forms ({len(content) / 2**20:.1f} MiB, about "
        f"{cells:,} cells, {len(parsed.sheets)} sheets read):"
    )
    print(
        f"  read {whole:.2f} s, of which screening {screening:.2f} s; "
        f"peak {peak_mib(read, content):.1f} MiB"
    )


if __name__ == "__main__":
    main()
