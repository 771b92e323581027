"""App CPU per request of the heaviest pages: the edit page, its save, the review page.

    .venv/bin/python benchmarks/page_cpu.py [--rows 30] [--runs 30] [--profile KIND]

Fills a throwaway database (DATABASE_URL if set, otherwise a temporary SQLite file) with the
demo and a few synthetic departments, gives one draft and one handed-in synthetic form `--rows`
indicator rows, and requests each page through Django's test client as its user would: the
editor opens the edit page and saves it as the page posts it (the save's redirect followed, as a
browser does), the reviewer opens the form's page and its review page. Prints the median CPU
milliseconds of this process per request (the database server's own CPU is not in it) and the
SQL queries (and the least CPU of the runs, the steadier figure on a busy machine).
`--profile KIND` (edit, save, detail, review) also prints where that page's time
goes, by cProfile, sorted by cumulative time.
"""

import argparse
import cProfile
import io
import pstats
import statistics
import time

from _setup import setup_django
from edit_page import PostedForm, post

YEAR = 2023


def prepare(rows):
    """(editor, draft form, reviewer, handed-in form) with `rows` indicator rows each."""
    from django.contrib.auth import get_user_model

    from evaluations.demo.seed import load_demo
    from evaluations.demo.synthetic import generate
    from evaluations.models import Evaluation, Indicator

    load_demo()
    generate(3, 6, YEAR)
    synthetic = Evaluation.objects.filter(project__department__code="SYN-0001")
    draft = synthetic.filter(state=Evaluation.State.DRAFT).first()
    handed_in = (
        Evaluation.objects.filter(
            project__department__code__startswith="SYN-", state=Evaluation.State.SUBMITTED
        )
        .order_by("pk")
        .first()
    )
    for evaluation in (draft, handed_in):
        existing = list(evaluation.indicators.order_by("position", "pk"))
        evaluation.indicators.all().delete()
        Indicator.objects.bulk_create(
            Indicator(
                evaluation=evaluation,
                category=existing[index % len(existing)].category,
                name=f"{existing[index % len(existing)].name} {index}",
                target=existing[index % len(existing)].target,
                actual=existing[index % len(existing)].actual,
                weight=existing[index % len(existing)].weight,
                score=existing[index % len(existing)].score,
                position=index,
            )
            for index in range(rows)
        )
    users = get_user_model().objects
    return users.get(username="dept0001"), draft, users.get(username="reviewer"), handed_in


def requests(editor, draft, reviewer, handed_in):
    """{kind: (client, function that makes one request and checks its answer)}."""
    from django.test import Client

    edit_url = f"/evaluations/{draft.pk}/edit/"
    editing, reviewing = Client(), Client()
    editing.force_login(editor)
    reviewing.force_login(reviewer)
    posted = {}

    def get(client, url):
        def run():
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")

        return run

    def save():
        data = dict(posted["form"])
        data["goal"] = f"目标 {time.time()}"
        response = post(editing, edit_url, data, follow=True)
        if not response.redirect_chain or response.status_code != 200:
            raise RuntimeError(f"the save was refused ({response.status_code})")
        posted["page"] = response.content.decode()

    def next_form():
        # The page the redirect shows is the next save's form, with its new version; it is read
        # once the clock has stopped, as reading it is not the server's time.
        posted["form"] = PostedForm.of(posted.pop("page"))

    def first_form():
        posted["page"] = editing.get(edit_url).content.decode()
        next_form()

    return (
        {
            "edit": get(editing, edit_url),
            "save": save,
            "detail": get(reviewing, f"/evaluations/{handed_in.pk}/"),
            "review": get(reviewing, f"/evaluations/{handed_in.pk}/review/"),
        },
        first_form,
        {"save": next_form},
    )


def measure(run, runs, after=None):
    """(median CPU ms, least CPU ms, median wall ms, queries of one more run). On a busy
    machine the least is the steadier figure: contention only ever adds to it. `after` runs
    after each request, untimed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    after = after or (lambda: None)
    run()  # warm: templates compiled, connection open
    after()
    cpu, wall = [], []
    for _ in range(runs):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        run()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started_wall) * 1000)
        after()
    with CaptureQueriesContext(connection) as captured:
        run()
    after()
    return statistics.median(cpu), min(cpu), statistics.median(wall), len(captured)


def profile(run, runs, after=None, out=print):
    profiler = cProfile.Profile()
    for _ in range(runs):
        profiler.enable()
        run()
        profiler.disable()
        if after:
            after()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(45)
    out(text.getvalue())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", choices=["edit", "save", "detail", "review"])
    options = parser.parse_args()
    setup_django()
    from django.db import connection

    runs, first_form, afters = requests(*prepare(options.rows))
    first_form()
    print(f"database: {connection.vendor}; {options.rows} rows; median of {options.runs} runs")
    print(f"{'page':<8} {'CPU ms':>8} {'least':>8} {'wall ms':>8} {'queries':>8}")
    for kind, run in runs.items():
        cpu, least, wall, queries = measure(run, options.runs, afters.get(kind))
        print(f"{kind:<8} {cpu:>8.1f} {least:>8.1f} {wall:>8.1f} {queries:>8}")
    print("save: the POST and the page its redirect leads to, as a browser asks for both.")
    if options.profile:
        profile(runs[options.profile], options.runs, afters.get(options.profile))


if __name__ == "__main__":
    main()
