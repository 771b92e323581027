"""The review queue against the Django admin's list of forms: server time and SQL queries.

    .venv/bin/python benchmarks/review_queue.py [--departments 200] [--forms-per-department 50]
                                                [--runs 15]

Fills a throwaway database with `generate_demo_data`, first a small part of it and then the
whole: DATABASE_URL if set (name a database made for the purpose: the data is added to it),
otherwise a temporary SQLite file. It then measures the queue as the demo reviewer sees it (the
first page of the forms to review, a filtered page, the same sorted by execution rate, a search)
and the same questions (the same year and state, the same search) asked of the admin changelist
with the same page size, as the demo administrator, with requests alternating between the two
and timed without query capture. It prints the median server time, the number of queries (which must
be the same for the small and the full data), and how many times slower the admin is. No
assertion on time: the figures are for people to read.
"""

import argparse
import io
import statistics
import time

from _setup import setup_django

YEAR = 2023
SMALL = (5, 4)  # departments × forms, to see that query counts do not grow with the data


def fill(departments, forms_per_department):
    from django.core.management import call_command
    from django.db import connection

    from evaluations import checks
    from evaluations.models import Evaluation

    started = time.perf_counter()
    call_command(
        "generate_demo_data",
        departments=departments,
        forms_per_department=forms_per_department,
        year=YEAR,
        force=True,
        stdout=io.StringIO(),
    )
    # The generator writes states directly, not through the workflow: give the forms handed in
    # the flag count a submission would have stored, so that flag filters and sorts have work.
    unflagged = (
        Evaluation.objects.filter(flag_count__isnull=True)
        .exclude(state=Evaluation.State.DRAFT)
        .select_related("project", "year")
    )
    batch = []
    for evaluation in unflagged.iterator(chunk_size=500):
        evaluation.flag_count = len(checks.run(evaluation).flags)
        batch.append(evaluation)
        if len(batch) == 500:
            Evaluation.objects.bulk_update(batch, ["flag_count"])
            batch = []
    Evaluation.objects.bulk_update(batch, ["flag_count"])
    # Fresh statistics and (PostgreSQL) visibility maps, as a database in use has them after
    # autovacuum, for the admin and the queue alike.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return Evaluation.objects.count(), time.perf_counter() - started


def measure(reviewer, queue_url, administrator, admin_url, runs):
    """Median ms and queries of each side; requests alternate so that a busy machine weighs
    on both alike. The timed requests run without query capture (which costs time of its
    own); one more request of each side counts the queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sides = [(reviewer, queue_url), (administrator, admin_url)]
    times = {url: [] for _client, url in sides}
    queries, pages = {}, {}
    for client, url in sides:
        client.get(url)  # warm caches: templates, the first connection
    for _ in range(runs):
        for client, url in sides:
            started = time.perf_counter()
            response = client.get(url)
            times[url].append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
    for client, url in sides:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries[url], pages[url] = len(captured), response.content.decode()
    return [(statistics.median(times[url]), queries[url], pages[url]) for _client, url in sides]


def pages():
    """(name, queue URL, admin URL): the same question asked of both, the same year and
    state on every page. The admin cannot sort by execution rate: that row compares with its
    page of the same filter in its own order."""
    from evaluations.demo.synthetic import AREAS

    term = AREAS[3]
    admin = f"/admin/evaluations/evaluation/?year__year__exact={YEAR}"
    return [
        ("first page", f"/review/?year={YEAR}&state=submitted", f"{admin}&state__exact=submitted"),
        ("filtered", f"/review/?year={YEAR}&state=returned", f"{admin}&state__exact=returned"),
        (
            "by rate",
            f"/review/?year={YEAR}&state=returned&sort=-rate",
            f"{admin}&state__exact=returned",
        ),
        (f"search {term}", f"/review/?year={YEAR}&state=&q={term}", f"{admin}&q={term}"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=200)
    parser.add_argument("--forms-per-department", type=int, default=50)
    parser.add_argument("--runs", type=int, default=15)
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
    # The same page size on both sides.
    admin.site._registry[Evaluation].list_per_page = queue.PAGE_SIZE
    load_demo()
    users = get_user_model().objects
    reviewer, administrator = Client(), Client()
    reviewer.force_login(users.get(username="reviewer"))
    administrator.force_login(users.get(username="admin"))

    print(f"database: {connection.vendor}; page size {queue.PAGE_SIZE}; median of {options.runs}")
    counts = {}
    sizes = [SMALL, (options.departments, options.forms_per_department)]
    for departments, per_department in sizes:
        forms, seconds = fill(departments, per_department)
        print(
            f"\n{forms} forms ({departments} departments × {per_department},"
            f" {seconds:.0f} s to make)"
        )
        print(
            f"{'page':<16} {'queue ms':>9} {'queries':>8} {'rows':>5}"
            f" {'admin ms':>9} {'queries':>8} {'admin/queue':>12}"
        )
        for name, queue_url, admin_url in pages():
            (queue_ms, queue_queries, page), (admin_ms, admin_queries, _page) = measure(
                reviewer, queue_url, administrator, admin_url, options.runs
            )
            rows = page.count("data-evaluation=")
            counts.setdefault(name, []).append(queue_queries)
            print(
                f"{name:<16} {queue_ms:>9.1f} {queue_queries:>8} {rows:>5}"
                f" {admin_ms:>9.1f} {admin_queries:>8} {admin_ms / queue_ms:>11.2f}×"
            )
    grew = {name: found for name, found in counts.items() if len(set(found)) > 1}
    print()
    if grew:
        print(f"Query counts GREW with the data: {grew}")
    else:
        print("Query counts are the same for the small and the full data.")


if __name__ == "__main__":
    main()
