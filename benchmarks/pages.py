"""Pages whose work could grow with the number of forms: server time, queries and HTML size.

    .venv/bin/python benchmarks/pages.py [--departments 200] [--sizes 100,10000,50000]
                                         [--runs 3] [--import-forms 100]

Fills a throwaway database with `generate_demo_data`, size after size (the departments all
exist from the start; a size below their number gives one form to as many of them): DATABASE_URL
if set (name a database made for the purpose: the data is added to it), otherwise a temporary
SQLite file. At each size it measures, as the people who see most of them:

- the forms list of a viewer of every synthetic department, and its second page;
- the overview with charts, the review queue's first page and the queue sorted by execution rate,
  as the demo reviewer, beside the admin changelist asked the same year and state;
- applying a workbook of up to `--import-forms` of one department's editable forms (rolled back
  afterwards, so that every size imports the same kind of forms).

It prints the median server time (timed without query capture), the number of queries (counted
in a separate request) and the HTML size. No assertion: the figures are for people to read.
"""

import argparse
import io
import statistics
import time

from _setup import setup_django

YEAR = 2023
VIEWER = "province-viewer"


def fill(departments, forms):
    """Grow the data to `forms` synthetic forms over `departments` departments."""
    from django.core.management import call_command
    from django.db import connection

    from evaluations.models import Evaluation

    started = time.perf_counter()
    if forms < departments:
        shape = {"departments": forms, "forms_per_department": 1}
    else:
        shape = {"departments": departments, "forms_per_department": forms // departments}
    call_command("generate_demo_data", year=YEAR, force=True, stdout=io.StringIO(), **shape)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    count = Evaluation.objects.filter(project__department__code__startswith="SYN-").count()
    return count, time.perf_counter() - started


def make_departments(departments):
    """Every synthetic department, without forms, and a viewer who reads them all."""
    from django.contrib.auth import get_user_model

    from departments.models import Department, Membership
    from evaluations.demo.synthetic import generate

    generate(departments=departments, forms_per_department=0, year=YEAR)
    viewer, _ = get_user_model().objects.get_or_create(username=VIEWER)
    Membership.objects.bulk_create(
        [
            Membership(user=viewer, department=department, role=Membership.Role.VIEWER)
            for department in Department.objects.filter(code__startswith="SYN-")
        ],
        ignore_conflicts=True,
    )
    return viewer


def timed(client, url, runs):
    """(median ms, queries, HTML bytes) of GET url."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm caches; its size is the page's
    assert response.status_code == 200, (url, response.status_code)
    size = len(response.content)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    # Read now: the next request empties the connection's log.
    queries = len(captured)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), queries, size


def import_apply(forms):
    """(ms, queries, forms) of applying a workbook of a department's editable forms, undone."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import Count, Q
    from django.test.utils import CaptureQueriesContext

    from departments.models import Department
    from evaluations import importing
    from evaluations.excel.writer import write_forms
    from evaluations.models import Evaluation

    editable = Q(
        projects__evaluations__year=YEAR,
        projects__evaluations__state__in=[Evaluation.State.DRAFT, Evaluation.State.RETURNED],
    )
    department = (
        Department.objects.filter(code__startswith="SYN-")
        .annotate(editable=Count("projects__evaluations", filter=editable))
        .order_by("-editable", "code")
        .first()
    )
    editor = get_user_model().objects.get(username=f"dept{department.code[-4:]}")
    chosen = Evaluation.objects.filter(
        project__department=department,
        year=YEAR,
        state__in=[Evaluation.State.DRAFT, Evaluation.State.RETURNED],
    ).order_by("pk")[:forms]
    buffer = io.BytesIO()
    chosen = list(chosen.values_list("pk", flat=True))
    count = write_forms(Evaluation.objects.filter(pk__in=chosen), buffer)
    workbooks = importing.read_files([("forms.xlsx", buffer.getvalue())], department)
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            importing.apply(department, workbooks, editor)
            elapsed = (time.perf_counter() - started) * 1000
        transaction.set_rollback(True)
    return elapsed, len(captured), count


def pages():
    """(name, who, URL): who is the viewer, the reviewer or the administrator."""
    admin = "/admin/evaluations/evaluation/"
    return [
        ("forms list", "viewer", f"/evaluations/?year={YEAR}"),
        ("forms list p.2", "viewer", f"/evaluations/?year={YEAR}&page=2"),
        ("overview", "reviewer", f"/review/overview/?year={YEAR}"),
        ("queue first page", "reviewer", f"/review/?year={YEAR}"),
        ("admin same", "admin", f"{admin}?year__year__exact={YEAR}&state__exact=submitted"),
        ("queue by rate", "reviewer", f"/review/?year={YEAR}&sort=rate"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=200)
    parser.add_argument("--sizes", default="100,10000,50000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--import-forms", type=int, default=100)
    options = parser.parse_args()
    setup_django()

    from django.conf import settings
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from evaluations import queue
    from evaluations.demo.seed import load_demo
    from evaluations.models import Evaluation

    settings.ALLOWED_HOSTS = ["testserver"]
    admin.site._registry[Evaluation].list_per_page = queue.PAGE_SIZE
    load_demo()
    viewer = make_departments(options.departments)
    users = get_user_model().objects
    clients = {"viewer": Client(), "reviewer": Client(), "admin": Client()}
    clients["viewer"].force_login(viewer)
    clients["reviewer"].force_login(users.get(username="reviewer"))
    clients["admin"].force_login(users.get(username="admin"))

    print(
        f"database: {connection.vendor}; {options.departments} departments;"
        f" median of {options.runs}"
    )
    for size in (int(size) for size in options.sizes.split(",")):
        forms, seconds = fill(options.departments, size)
        print(f"\n{forms} forms ({seconds:.0f} s to make)")
        print(f"{'page':<18} {'ms':>9} {'queries':>8} {'HTML KB':>9}")
        for name, who, url in pages():
            ms, queries, size_bytes = timed(clients[who], url, options.runs)
            print(f"{name:<18} {ms:>9.1f} {queries:>8} {size_bytes / 1024:>9.0f}")
        ms, queries, imported = import_apply(options.import_forms)
        print(f"{f'import {imported} forms':<18} {ms:>9.1f} {queries:>8}")


if __name__ == "__main__":
    main()
