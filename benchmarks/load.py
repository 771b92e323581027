"""Load test of the production stack on loopback.

    make load                                   # or:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jixiao_load .venv/bin/python benchmarks/load.py

Fills its own PostgreSQL database with `generate_demo_data` (50 departments with one editor
login each) and ten reviewers, starts gunicorn on 127.0.0.1 with the production settings, and for
60 seconds lets 50 editors open and save their own forms while 10 reviewers browse the forms, the
review queue and export workbooks. Then it prints throughput, median and 95th-percentile latency
and the errors, and checks that every form holds exactly the last save its editor was told
succeeded, written whole.

Options: --seconds, --editors, --reviewers, --think (seconds between a user's steps),
--workers (gunicorn processes), --port, --skip-setup (reuse the database as it is).
"""

import argparse
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browsing  # noqa: E402
import stack  # noqa: E402
from report import check_saves, summarise  # noqa: E402

# Pages reviewers open besides the list and a form, once the features behind them exist:
# (kind, URL name, query string, chance per step). A department's zip is the heavy one.
REVIEWER_PAGES = [
    ("queue", "review_queue", "", 1.0),
    ("export", "evaluation_excel", "", 0.5),
    ("export-zip", "excel_year_export", "?year={year}&department={{department}}", 0.05),
]


def run_users(base_url, users, start_at, stop_at, think, max_steps=100_000):
    """One process: a thread per user; log in, wait for the start, step until the end."""
    results = []
    lock = threading.Lock()

    def act(role, username, detail):
        browser = browsing.Browser(base_url)
        browser.log_in(username)
        browser.samples.clear()
        user = (
            browsing.Editor(browser, username, detail)
            if role == "editor"
            else browsing.Reviewer(browser, username, *detail)
        )
        time.sleep(max(0.0, start_at - time.time()))
        steps = 0
        while time.time() < stop_at and steps < max_steps:
            steps += 1
            try:
                user.step()
            except browsing.Unanswered:
                time.sleep(0.2)
            if think:
                time.sleep(think * user.rng.uniform(0.5, 1.5))
        browser.close()
        ledger = getattr(user, "ledger", None)
        with lock:
            results.append(
                {
                    "role": role,
                    "username": username,
                    "samples": [s for s in browser.samples if s.at < stop_at],
                    "ledger": ledger,
                }
            )

    threads = [threading.Thread(target=act, args=user) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def run_load(base_url, editors, reviewers, seconds, think, processes=6, during=None):
    """Run the users; `during(start_at)` runs in this process meanwhile (the fault tests)."""
    users = [("editor", name, forms) for name, forms in editors.items()]
    users += [("reviewer", name, pages) for name, pages in reviewers.items()]
    groups = [users[index::processes] for index in range(processes)]
    # Logging sixty users in takes a while (password hashing is slow on purpose).
    start_at = time.time() + 10 + len(users) * 0.4
    stop_at = start_at + seconds
    with ProcessPoolExecutor(processes) as pool:
        futures = [
            pool.submit(run_users, base_url, group, start_at, stop_at, think) for group in groups
        ]
        if during:
            during(start_at, stop_at)
        results = [result for future in futures for result in future.result()]
    return results, start_at, stop_at


def setup_django(env):
    os.environ.update({key: env[key] for key in env if key.startswith("DJANGO_")})
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(stack.ROOT))
    import django

    django.setup()


def editable_forms(editor_count):
    """username → ids of forms the editor may change; a department without one gets one."""
    from django.contrib.auth import get_user_model

    from departments import access
    from evaluations import editing
    from evaluations.models import Evaluation, Year

    year = Year.objects.order_by("-year").first()
    forms = {}
    for number in range(1, editor_count + 1):
        user = get_user_model().objects.get(username=f"dept{number:04d}")
        mine = Evaluation.objects.filter(
            project__department__in=access.editable_departments(user),
            state__in=[Evaluation.State.DRAFT, Evaluation.State.RETURNED],
        )
        ids = list(mine.values_list("pk", flat=True))
        if not ids:
            department = access.editable_departments(user).first()
            ids = [
                editing.start_evaluation(
                    department, year, f"负载测试项目 {number}", "recurring", user
                ).pk
            ]
        forms[user.username] = ids
    return forms


def reviewer_pages(year):
    """[(kind, path, chance)] of the pages in REVIEWER_PAGES that this version of the app has."""
    from django.urls import NoReverseMatch, reverse

    pages = []
    for kind, name, query, chance in REVIEWER_PAGES:
        try:
            path = reverse(name)
        except NoReverseMatch:
            try:
                path = reverse(name, kwargs={"pk": 999999}).replace("999999", "{pk}")
            except NoReverseMatch:
                continue
        pages.append((kind, path + query.format(year=year), chance))
    return pages


def synthetic_departments():
    from departments.models import Department

    return list(Department.objects.filter(code__startswith="SYN-").values_list("pk", flat=True))


def synthetic_forms():
    from evaluations.models import Evaluation

    return list(
        Evaluation.objects.filter(project__department__code__startswith="SYN-").values_list(
            "pk", flat=True
        )
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--editors", type=int, default=50)
    parser.add_argument("--reviewers", type=int, default=10)
    parser.add_argument("--forms-per-department", type=int, default=6)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--think", type=float, default=0.0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--skip-setup", action="store_true")
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= 600:
        parser.error("--seconds must be between 1 and 600")

    env = stack.environment(args.port)
    if not args.skip_setup:
        stack.prepare(env, args.editors, args.forms_per_department, args.year)
    setup_django(env)
    editors = editable_forms(args.editors)
    pages = reviewer_pages(args.year)
    bureau = (pages, synthetic_departments(), synthetic_forms())
    reviewers = dict.fromkeys(stack.REVIEWERS[: args.reviewers], bureau)
    print(
        f"{len(editors)} editors, {len(reviewers)} reviewers (pages: list, form"
        f"{''.join(', ' + kind for kind, _path, _chance in pages)}), {args.seconds} s, "
        f"think {args.think} s"
    )
    with stack.Gunicorn(env, args.port, args.workers) as server:
        results, start_at, stop_at = run_load(
            server.url, editors, reviewers, args.seconds, args.think
        )
    errors = summarise(results, stop_at - start_at)
    problems = check_saves(results)
    return 1 if errors or problems else 0


if __name__ == "__main__":
    sys.exit(main())
