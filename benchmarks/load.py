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
--workers (gunicorn processes), --threads (threads in each), --port, --skip-setup (reuse
the database as it is).

`--open` is the deadline-day peak instead: an open model of many users who think between
steps, 20 to 60 seconds for a department's editor, 5 to 20 for a reviewer (300 editors and
20 reviewers unless --editors and --reviewers say otherwise; each signed in beforehand, so that
password hashing is not what is measured). Users arrive one by one, at --arrival-rate users a
second (a Poisson process), and step until the end. --stages runs the same people again with
every think time divided by each factor given (`--stages 1,2,3,4` offers one, two, three and
four times the peak's requests), --stage-seconds long each, the first --warm-up seconds of a
stage not counted; --think-scale divides every think time (a quick run). Each stage prints its
request rate, p50/p95/p99 per kind of request and its errors; then the saturation point (the
first stage whose p95 passes one second, by its request rate), and the check of every save.
"""

import argparse
import os
import random
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browsing  # noqa: E402
import stack  # noqa: E402
from report import check_saves, overall, summarise  # noqa: E402

# Pages reviewers open besides the list and a form, once the features behind them exist:
# (kind, URL name, query string, chance per step). A department's zip is the heavy one.
REVIEWER_PAGES = [
    ("queue", "review_queue", "", 1.0),
    ("review", "evaluation_review", "", 0.5),
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


# The deadline-day peak: seconds a user thinks between two steps.
THINK = {"editor": (20, 60), "reviewer": (5, 20)}


def run_open_users(base_url, users, stages):
    """One process of the open model: a thread per user. `users` are (role, username, detail,
    session key, arrival time); `stages` are (start, stop, think divisor), back to back. A
    user arrives at its time, steps, and thinks its role's think time divided by the stage's
    divisor, until the last stage ends."""
    results = []
    lock = threading.Lock()
    stop_at = stages[-1][1]

    def divisor_at(moment):
        for _start, stop, divisor in stages:
            if moment < stop:
                return divisor
        return stages[-1][2]

    def act(role, username, detail, session, arrive_at):
        browser = browsing.Browser(base_url)
        browser.cookies["sessionid"] = session
        user = (
            browsing.Editor(browser, username, detail)
            if role == "editor"
            else browsing.Reviewer(browser, username, *detail)
        )
        low, high = THINK[role]
        time.sleep(max(0.0, arrive_at - time.time()))
        while time.time() < stop_at:
            try:
                user.step()
            except browsing.Unanswered:
                time.sleep(0.2)
            pause = user.rng.uniform(low, high) / divisor_at(time.time())
            time.sleep(max(0.0, min(pause, stop_at - time.time())))
        browser.close()
        with lock:
            results.append(
                {
                    "role": role,
                    "username": username,
                    "samples": [sample for sample in browser.samples if sample.at < stop_at],
                    "ledger": getattr(user, "ledger", None),
                }
            )

    threads = [threading.Thread(target=act, args=user) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def signed_in(usernames):
    """username → the key of a session signed in as that user, made in the database as a
    login would make it."""
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    sessions = {}
    for user in get_user_model().objects.filter(username__in=usernames):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions[user.username] = session.session_key
    return sessions


def process_cpu_seconds(pid, reaped=False):
    """CPU seconds (user and system) a process has used so far; with `reaped`, also those of
    its children that have exited and been waited for (gunicorn's replaced workers)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0  # gone meanwhile
    ticks = sum(int(value) for value in fields[11 : 15 if reaped else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds():
    """CPU seconds the whole machine has spent busy (all but idle and I/O wait), all cores."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass
class CpuReading:
    """Cumulative CPU seconds at a moment: the app's gunicorn, the load generator, the machine."""

    app: float
    generator: float
    machine: float

    def __sub__(self, other):
        return CpuReading(
            self.app - other.app, self.generator - other.generator, self.machine - other.machine
        )


def cpu_reading(server_pid):
    """Where the machine's CPU went so far: gunicorn (its master, live workers and replaced
    ones), this process with its other children (the load generator), the whole machine (the
    rest is PostgreSQL, the kernel's loopback and anything else running)."""
    app = process_cpu_seconds(server_pid, reaped=True)
    app += sum(process_cpu_seconds(pid) for pid in stack.children_of(server_pid))
    generator = process_cpu_seconds(os.getpid())
    generator += sum(
        process_cpu_seconds(pid) for pid in stack.children_of(os.getpid()) if pid != server_pid
    )
    return CpuReading(app, generator, machine_busy_seconds())


def cpu_at_boundaries(stages, server_pid):
    """CPU readings at each stage's start and end, taken as the stages pass."""
    readings = []
    for moment in [stages[0][0], *(stop for _start, stop, _divisor in stages)]:
        time.sleep(max(0.0, moment - time.time()))
        readings.append(cpu_reading(server_pid))
    return readings


def run_open(
    base_url, editors, reviewers, arrival_rate, divisors, stage_seconds, server_pid, processes=6
):
    """The open model's users in `processes` processes; (results, stages, time the last user
    arrived, CPU readings at the stages' boundaries). `server_pid` is gunicorn's master."""
    users = [("editor", name, forms) for name, forms in editors.items()]
    users += [("reviewer", name, pages) for name, pages in reviewers.items()]
    sessions = signed_in([name for _role, name, _detail in users])
    rng = random.Random(0)
    rng.shuffle(users)
    start_at = time.time() + 5 + len(users) * 0.01
    arrive_at, arrivals = start_at, []
    for role, name, detail in users:
        arrivals.append((role, name, detail, sessions[name], arrive_at))
        arrive_at += rng.expovariate(arrival_rate)
    stages, begin = [], start_at
    for divisor in divisors:
        stages.append((begin, begin + stage_seconds, divisor))
        begin += stage_seconds
    groups = [arrivals[index::processes] for index in range(processes)]
    with ProcessPoolExecutor(processes) as pool:
        futures = [pool.submit(run_open_users, base_url, group, stages) for group in groups]
        cpu = cpu_at_boundaries(stages, server_pid)
        results = [result for future in futures for result in future.result()]
    return results, stages, arrive_at, cpu


def open_report(results, stages, warm_up, arrived_at, cpu, out=print):
    """Each stage's figures, then the saturation point; the number of errors."""
    errors, saturation = 0, None
    for number, (start, stop, divisor) in enumerate(stages, start=1):
        served = sum(1 for r in results for s in r["samples"] if start <= s.at < stop)
        used = cpu[number] - cpu[number - 1]
        length = stop - start
        counted_from = max(start + warm_up, min(arrived_at, stop - 1))
        window = [
            {
                **result,
                "samples": [s for s in result["samples"] if counted_from <= s.at < stop],
            }
            for result in results
        ]
        seconds = stop - counted_from
        out(
            f"\nstage {number}: think times ÷ {divisor:g}, {seconds:.0f} s counted "
            f"(from {counted_from - start:.0f} s into the stage)"
        )
        errors += summarise(window, seconds, out=out)
        p95, rate = overall(window, seconds)
        out(
            f"app CPU: {used.app / length:.2f} cores busy over the whole stage, "
            f"{used.app * 1000 / served if served else 0:.0f} ms per request ({served} requests)"
        )
        out(
            f"machine: {used.machine / length:.2f} of {os.cpu_count()} cores busy: the app "
            f"{used.app / length:.2f}, the load generator {used.generator / length:.2f}, the rest "
            f"(PostgreSQL, the kernel's loopback, anything else) "
            f"{(used.machine - used.app - used.generator) / length:.2f}"
        )
        if saturation is None and p95 > 1000:
            saturation = (number, divisor, rate)
    out("")
    if saturation is None:
        out("saturation: p95 stayed under 1 s in every stage; add a stage with a larger factor")
    else:
        number, divisor, rate = saturation
        out(
            f"saturation: p95 passed 1 s in stage {number} (think times ÷ {divisor:g}), "
            f"at {rate:.1f} requests/s"
        )
    return errors


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
    parser.add_argument("--editors", type=int, default=None, help="50; 300 with --open")
    parser.add_argument("--reviewers", type=int, default=None, help="10; 20 with --open")
    parser.add_argument("--forms-per-department", type=int, default=6)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--think", type=float, default=0.0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--skip-setup", action="store_true")
    parser.add_argument("--open", action="store_true", help="the deadline-day peak")
    parser.add_argument("--arrival-rate", type=float, default=5.0, help="users a second")
    parser.add_argument("--stages", default="1", help="think-time divisors, e.g. 1,2,4")
    parser.add_argument("--stage-seconds", type=int, default=180)
    parser.add_argument("--warm-up", type=int, default=30)
    parser.add_argument("--think-scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    if args.open:
        return main_open(parser, args)
    if not 1 <= args.seconds <= 600:
        parser.error("--seconds must be between 1 and 600")

    args.editors = 50 if args.editors is None else args.editors
    args.reviewers = 10 if args.reviewers is None else args.reviewers
    env = stack.environment(args.port)
    if args.skip_setup:
        stack.collect_static(env)
    else:
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
    with stack.Gunicorn(env, args.port, args.workers, args.threads) as server:
        results, start_at, stop_at = run_load(
            server.url, editors, reviewers, args.seconds, args.think
        )
    errors = summarise(results, stop_at - start_at)
    problems = check_saves(results)
    return 1 if errors or problems else 0


def main_open(parser, args):
    editors_wanted = 300 if args.editors is None else args.editors
    reviewers_wanted = 20 if args.reviewers is None else args.reviewers
    try:
        divisors = [float(item) for item in args.stages.split(",")]
    except ValueError:
        parser.error("--stages takes numbers separated by commas, e.g. 1,2,4")
    if not divisors or min(divisors) <= 0 or args.think_scale <= 0 or args.arrival_rate <= 0:
        parser.error("--stages, --think-scale and --arrival-rate must be above 0")
    if not 10 <= args.stage_seconds <= 1800 or not 0 <= args.warm_up < args.stage_seconds:
        parser.error("--stage-seconds must be 10 to 1800, --warm-up below it")
    env = stack.environment(args.port)
    if args.skip_setup:
        stack.collect_static(env)
    else:
        stack.prepare(env, editors_wanted, args.forms_per_department, args.year, reviewers_wanted)
    setup_django(env)
    editors = editable_forms(editors_wanted)
    pages = reviewer_pages(args.year)
    bureau = (pages, synthetic_departments(), synthetic_forms())
    reviewers = dict.fromkeys(stack.reviewer_names(reviewers_wanted), bureau)
    divisors = [divisor * args.think_scale for divisor in divisors]
    print(
        f"open model: {len(editors)} editors (think {THINK['editor'][0]}–{THINK['editor'][1]} s),"
        f" {len(reviewers)} reviewers (think {THINK['reviewer'][0]}–{THINK['reviewer'][1]} s),"
        f" arriving at {args.arrival_rate:g}/s; stages: think times ÷ "
        + ", ".join(f"{divisor:g}" for divisor in divisors)
        + f", {args.stage_seconds} s each"
    )
    with stack.Gunicorn(env, args.port, args.workers, args.threads) as server:
        results, stages, arrived_at, cpu = run_open(
            server.url,
            editors,
            reviewers,
            args.arrival_rate,
            divisors,
            args.stage_seconds,
            server.process.pid,
        )
    print(f"all users arrived {arrived_at - stages[0][0]:.0f} s into the first stage")
    errors = open_report(results, stages, args.warm_up, arrived_at, cpu)
    problems = check_saves(results)
    return 1 if errors or problems else 0


if __name__ == "__main__":
    sys.exit(main())
