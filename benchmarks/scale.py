"""A province's year: one export as a background job with 1 and with 2 workers, beside the
single-request stream of the same forms, on a throwaway PostgreSQL database.

    .venv/bin/python benchmarks/scale.py                       # 1,000 departments × 50 forms
    .venv/bin/python benchmarks/scale.py --departments 100 --forms 50

It drops and creates the database named by --database-url, fills it with `generate_demo_data`,
then measures, in child processes so that each one's peak RSS is its own (os.wait4):

- the stream: one GET of the year's export, read to its last byte, as the instant download
  sends it (EXPORT_JOB_THRESHOLD raised above the year);
- the job, for each worker count: `jobs.start` (one task per department), then that many
  `manage.py db_worker --batch` processes until the queue is empty and the zip is stored.

Prints total time and forms per second, and CPU seconds and peak RSS per process (CPU time
tells the work apart from the waiting on a machine that does other things); asserts nothing.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import dj_database_url
import psycopg
from _setup import ROOT, setup_django
from psycopg import sql

YEAR = 2031


def fresh_database(url):
    config = dj_database_url.parse(url)
    server = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    name = sql.Identifier(config["NAME"])
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))


def cpu(usage):
    return usage.ru_utime + usage.ru_stime


def run(command):
    """(seconds, CPU seconds, peak RSS in MiB, output) of a child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.exit(f"{' '.join(command)} failed ({child.returncode})")
    return time.perf_counter() - started, cpu(usage), usage.ru_maxrss / 1024, output


def stream():
    """The child's part of the stream: the export's bytes through the test client."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()  # the parent made the database and its environment
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    settings.EXPORT_JOB_THRESHOLD = 10**9
    client = Client()
    client.force_login(get_user_model().objects.get(username="scale-admin"))
    response = client.get(f"/evaluations/export/?year={YEAR}")
    size = sum(len(chunk) for chunk in response.streaming_content)
    print(size)


def job(workers):
    """A job, and `workers` db_worker processes until it is done: (seconds, [CPU seconds],
    [peak MiB], bytes)."""
    from django.contrib.auth import get_user_model

    from departments import access
    from exports import jobs
    from exports.models import ExportJob

    user = get_user_model().objects.get(username="scale-admin")
    forms = access.visible_evaluations(user).filter(year=YEAR)
    started = time.perf_counter()
    made = jobs.start(
        user, "year", {"year": YEAR, "run": workers}, title="bench", file_stem="bench", forms=forms
    )
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload"]
    command += ["--no-startup-delay", "--interval", "0.2", "--verbosity", "0"]
    children = [
        subprocess.Popen([*command, "--worker-id", f"scale-{number}"], cwd=ROOT)
        for number in range(workers)
    ]
    cpus, peaks = [], []
    for child in children:
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        cpus.append(cpu(usage))
        peaks.append(usage.ru_maxrss / 1024)
    seconds = time.perf_counter() - started
    made = ExportJob.objects.get(pk=made.pk)
    if made.state != ExportJob.State.READY or made.done != made.total:
        sys.exit(f"the job did not finish: {made.state}, {made.done} of {made.total}")
    return seconds, cpus, peaks, made.size


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--departments", type=int, default=1000)
    parser.add_argument("--forms", type=int, default=50, help="forms per department")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/jixiao_scale")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database of the last run of this size"
    )
    parser.add_argument("--stream-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    os.environ.setdefault("DJANGO_MEDIA_ROOT", tempfile.mkdtemp(prefix="jixiao-scale-"))
    if args.stream_child:
        stream()
        return

    if not args.reuse:
        fresh_database(args.database_url)
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    started = time.perf_counter()
    call_command(
        "generate_demo_data",
        departments=args.departments,
        forms_per_department=args.forms,
        year=YEAR,
        force=True,  # a throwaway database
        verbosity=0,
    )
    if not get_user_model().objects.filter(username="scale-admin").exists():
        get_user_model().objects.create_superuser("scale-admin", "scale@example.org", "x")
    total = args.departments * args.forms
    print(
        f"{args.departments} departments × {args.forms} forms = {total} forms, "
        f"generated in {time.perf_counter() - started:.0f} s"
    )
    print("(wall-clock time and forms per second; CPU seconds and peak RSS per process)")
    command = [sys.executable, __file__, *sys.argv[1:], "--stream-child"]
    seconds, used, peak, output = run(command)
    size = int(output.split()[-1])
    print(
        f"single request stream: {seconds:7.1f} s  {total / seconds:6.1f} forms/s  "
        f"CPU {used:6.1f} s  peak RSS {peak:4.0f} MiB  {size / 2**20:.1f} MiB zip"
    )
    for workers in (1, 2):
        seconds, used, peaks, size = job(workers)
        print(
            f"job, {workers} worker{'s' if workers > 1 else ' '}:         {seconds:7.1f} s  "
            f"{total / seconds:6.1f} forms/s  "
            f"CPU {' / '.join(f'{each:.1f}' for each in used)} s  "
            f"peak RSS {' / '.join(f'{mib:.0f}' for mib in peaks)} MiB  "
            f"{size / 2**20:.1f} MiB zip"
        )


if __name__ == "__main__":
    main()
