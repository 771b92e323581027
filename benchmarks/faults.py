"""Fault tests of the production stack on loopback: the database restarting, a worker killed in
the middle of saving, an import killed half way.

    make faults                      # all three; or: make faults FAULT_ARGS="database"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jixiao_load \
        .venv/bin/python benchmarks/faults.py

Uses the load test's database and users (it prepares them unless --skip-setup). The database
fault stops the local PostgreSQL cluster with pg_ctlcluster and always starts it again.
"""

import argparse
import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402
import stack  # noqa: E402
from report import check_saves, is_error, summarise  # noqa: E402


def cluster(action):
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action, "--", "-m", "fast"]
        if action == "stop"
        else ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True,
    )


def database_is_up():
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0


def timeline(results, start_at, out=print):
    """Answers per 2-second slot: ok, 503, other errors, no answer."""
    slots = {}
    for result in results:
        for sample in result["samples"]:
            # By when the answer came: a request queued before the outage may fail during it.
            slot = int((sample.at + sample.ms / 1000 - start_at) // 2) * 2
            kind = (
                "ok"
                if not is_error(sample)
                else ("503" if sample.status == 503 else "none" if sample.status == 0 else "other")
            )
            slots.setdefault(slot, Counter())[kind] += 1
    out("  second  ok  503  other  no-answer")
    for slot in sorted(slots):
        c = slots[slot]
        out(f"  {slot:>6}{c['ok']:>4}{c['503']:>5}{c['other']:>7}{c['none']:>11}")


def database_fault(server, editors, reviewers, seconds, down_after=10, down_for=10):
    marks = {}

    def during(start_at, stop_at):
        time.sleep(max(0.0, start_at + down_after - time.time()))
        try:
            marks["stopped"] = time.time()
            cluster("stop")
            time.sleep(down_for)
        finally:
            # Other people use this server: it is started again whatever happened.
            cluster("start")
            marks["started"] = time.time()
            while not database_is_up():
                time.sleep(0.2)

    results, start_at, stop_at = load.run_load(
        server.url, editors, reviewers, seconds, think=0.0, during=during
    )
    print(
        f"\nPostgreSQL stopped at {marks['stopped'] - start_at:.1f} s, "
        f"started at {marks['started'] - start_at:.1f} s"
    )
    timeline(results, start_at)
    samples = [s for r in results for s in r["samples"]]
    after = [s for s in samples if s.at > marks["started"] + 1]
    first_ok = min(
        (s.at + s.ms / 1000 for s in samples if s.at > marks["started"] and not is_error(s)),
        default=None,
    )
    statuses = Counter(s.status for s in samples if is_error(s))
    print(f"error answers by status: {dict(statuses)}")
    if first_ok:
        print(f"first success {first_ok - marks['started']:.1f} s after the restart")
    late = [s for s in after if is_error(s) and s.at > marks["started"] + 5]
    print(f"errors later than 5 s after the restart: {len(late)}")
    summarise(results, stop_at - start_at)
    from django.db import connection

    connection.close()  # ours went down with the server too
    problems = check_saves(results)
    bad_pages = statuses.get(500, 0)
    return problems + len(late) + bad_pages


def worker_fault(server, editors, seconds, every=3.0):
    killed = []

    def during(start_at, stop_at):
        time.sleep(max(0.0, start_at + 2 - time.time()))
        rng = random.Random(1)
        while time.time() < stop_at - every:
            pids = server.worker_pids()
            if pids:
                victim = rng.choice(pids)
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
            time.sleep(every)

    results, start_at, stop_at = load.run_load(
        server.url, editors, {}, seconds, think=0.0, during=during
    )
    samples = [s for r in results for s in r["samples"]]
    cut = sum(1 for s in samples if s.kind == "save" and s.status == 0)
    print(f"\nworkers killed: {len(killed)}; saves cut off without an answer: {cut}")
    summarise(results, stop_at - start_at)
    alive = server.worker_pids()
    print(f"workers running afterwards: {len(alive)}")
    server.wait_until_healthy(10)
    return check_saves(results)


TABLES = ("projects", "forms", "fund lines", "rows")  # what department_rows returns, in order


def department_rows(code):
    from evaluations.models import Evaluation, FundLine, Indicator, Project

    forms = Evaluation.objects.filter(project__department__code=code)
    return (
        list(Project.objects.filter(department__code=code).order_by("pk").values()),
        list(forms.order_by("pk").values()),
        list(FundLine.objects.filter(evaluation__in=forms).order_by("pk").values()),
        list(Indicator.objects.filter(evaluation__in=forms).order_by("pk").values()),
    )


def import_files(code, copies, folder):
    """The department's forms, exported, as `copies` workbooks of renamed projects: importing
    them creates copies × forms new forms in one transaction."""
    from openpyxl import load_workbook

    from departments.models import Department
    from evaluations.excel import writer
    from evaluations.models import Evaluation

    department = Department.objects.get(code=code)
    # The department's own forms, not the copies an earlier run imported (a run on a reused
    # database then imports as many forms as the first, replacing the copies it made).
    forms = Evaluation.objects.filter(project__department=department).exclude(
        project__name__contains=" 导入副本"
    )
    names = set(forms.values_list("project__name", flat=True))
    buffer = io.BytesIO()
    writer.write_forms(forms, buffer)
    paths = []
    for copy in range(1, copies + 1):
        workbook = load_workbook(io.BytesIO(buffer.getvalue()))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.strip() in names:
                        cell.value = f"{cell.value.strip()} 导入副本{copy}"
        path = Path(folder) / f"{code}-{copy}.xlsx"
        workbook.save(path)
        paths.append(str(path))
    return paths


def writing_transaction(application):
    """Whether a connection of the application is inside a transaction that has written (it
    has a transaction id) and not committed yet."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
            "AND backend_xid IS NOT NULL",
            [application],
        )
        return cursor.fetchone()[0] > 0


def import_fault(env, code="SYN-0002", copies=8):
    application = "jixiao-import-fault"
    url = env["DATABASE_URL"]
    separator = "&" if "?" in url else "?"
    command_env = {
        **env,
        "DATABASE_URL": f"{url}{separator}application_name={application}",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    before = department_rows(code)
    with tempfile.TemporaryDirectory() as folder:
        files = import_files(code, copies, folder)
        command = [stack.PYTHON, "manage.py", "import_evaluations", "--department", code, *files]
        process = subprocess.Popen(
            command, cwd=stack.ROOT, env=command_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        started = time.monotonic()
        while process.poll() is None and not writing_transaction(application):
            time.sleep(0.005)
        # Killed as soon as its transaction has written: the import's writes are batched, and
        # a wait here outlasted the transaction.
        process.kill()
        output, _errors = process.communicate()
        if b"Imported into" in output:
            print("the import committed before it was killed; use more copies")
            return 1
        print(
            f"\nimport of {len(files)} workbooks killed {time.monotonic() - started:.1f} s in, "
            "inside its transaction, after its first writes"
        )
        time.sleep(1)  # PostgreSQL notices the dropped connection and rolls back
        after = department_rows(code)
        unchanged = after == before
        print(f"department {code} unchanged after the kill: {unchanged}")
        for table, was, now in zip(TABLES, before, after, strict=True):
            if was != now:
                added = [row for row in now if row not in was]
                gone = [row for row in was if row not in now]
                print(f"  {table}: {len(added)} rows new or changed, {len(gone)} gone or changed")
                for row in (added + gone)[:2]:
                    print(f"    {row}")
        # The control: the same import, left to finish, does write.
        finished = subprocess.run(
            command, cwd=stack.ROOT, env=command_env, capture_output=True, text=True, check=False
        )
        changed = department_rows(code) != before
        print(
            f"the same import run to the end: exit {finished.returncode}, "
            f"department changed: {changed}"
        )
    return 0 if unchanged and changed else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "faults",
        nargs="*",
        # None given means all three. argparse checks a list default against the choices as a
        # whole, so the default is the empty list (one of the choices) rather than the three.
        default=[],
        choices=["database", "worker", "import", []],
    )
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--editors", type=int, default=50)
    parser.add_argument("--reviewers", type=int, default=10)
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--skip-setup", action="store_true")
    args = parser.parse_args(argv)
    if not 10 <= args.seconds <= 300:
        parser.error("--seconds must be between 10 and 300")

    env = stack.environment(args.port)
    if args.skip_setup:
        stack.collect_static(env)
    else:
        stack.prepare(env, args.editors, 6, 2023)
    load.setup_django(env)
    editors = load.editable_forms(args.editors)
    bureau = (load.reviewer_pages(2023), load.synthetic_departments(), load.synthetic_forms())
    reviewers = dict.fromkeys(stack.REVIEWERS[: args.reviewers], bureau)
    failures = 0
    for fault in args.faults or ["database", "worker", "import"]:
        print(f"\n=== {fault}")
        if fault == "import":
            failures += import_fault(env)
            continue
        with stack.Gunicorn(env, args.port) as server:
            if fault == "database":
                failures += database_fault(server, editors, reviewers, args.seconds)
            else:
                failures += worker_fault(server, editors, args.seconds)
    print(f"\n{'FAILED' if failures else 'passed'}: {failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
