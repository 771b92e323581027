"""The department report rendered with 10 and with 100 forms, as .docx and as PDF.

    .venv/bin/python benchmarks/department_report.py

Each measurement runs in a child process of its own (its own throwaway database with the demo
and the 组织部's 2023 report, its 附表 grown to the number of forms by copies of the seed's ten),
so that its peak resident memory (the child's ru_maxrss) is that of one render. The child also
says its resident memory before rendering: the difference is what the render itself takes.
Times are CPU and wall-clock seconds of the render alone (the figures, the print sheets and the
file): on a shared machine the CPU seconds are the steadier figure.
Prints figures only.
"""

import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from _setup import setup_django

SIZES = (10, 100)
FORMATS = ("docx", "pdf")
DEPARTMENT = "510403-101"
YEAR = 2023


def rss_mib():
    """The resident memory of this process now, in MiB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def grow(count):
    """The demo's 组织部 with `count` forms of 2023: the seed's ten and copies of them."""
    from evaluations import content
    from evaluations.demo.seed import create_form, load_demo, read_seed
    from evaluations.models import Evaluation, Project
    from reports import demo as report_demo
    from reports.models import Report

    load_demo()
    report = Report.objects.get(department__code=DEPARTMENT, year=YEAR)
    forms = read_seed()["forms"]
    made = Evaluation.objects.filter(project__department=report.department, year=YEAR).count()
    for index in range(made, count):
        seed = forms[index % len(forms)]
        form = {**seed, "project": f"{seed['project']}（{index + 1}）"}
        project = Project.objects.create(department=report.department, name=form["project"])
        evaluation = create_form(project, report.year, form, None)
        facts = report_demo.facts_of(seed["project"])
        content.save(evaluation, replace(content.of(evaluation), facts=facts), None)
    return report


def child(count, extension):
    setup_django()
    from publishing import exporters

    report = grow(count)
    forms = report.forms().count()
    before = rss_mib()
    cpu, wall = time.process_time(), time.perf_counter()
    size = len(exporters.for_extension("report", extension).render(report))
    found = {
        "forms": forms,
        "cpu": time.process_time() - cpu,
        "seconds": time.perf_counter() - wall,
        "bytes": size,
        "rss_before_mib": before,
    }
    print(json.dumps(found))


def measure(count, extension):
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", str(count), extension],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent,
    )
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    if status:
        raise SystemExit(f"the child for {count} forms as .{extension} failed")
    found = json.loads(output.strip().splitlines()[-1])
    found["peak_mib"] = usage.ru_maxrss / 1024
    return found


def main():
    print("forms  file   CPU s  wall s      size  peak RSS  before")
    for count in SIZES:
        for extension in FORMATS:
            found = measure(count, extension)
            print(
                f"{found['forms']:>5}  .{extension:<4}  {found['cpu']:>5.1f}  "
                f"{found['seconds']:>6.1f}  {found['bytes'] / 2**10:>5.0f} KiB  "
                f"{found['peak_mib']:>4.0f} MiB  {found['rss_before_mib']:>3.0f} MiB"
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]), sys.argv[3])
    else:
        main()
