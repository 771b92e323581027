"""The production stack on loopback, for the load and fault tests.

PostgreSQL from DATABASE_URL (a database of its own: it is filled with synthetic data), the
production settings with DEBUG off, collectstatic, and gunicorn with several workers on
127.0.0.1. Nothing here listens on or talks to anything but the loopback.
"""

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/jixiao_load"
REVIEWERS = [f"reviewer{number:02d}" for number in range(1, 11)]


def reviewer_names(count):
    """The logins of `count` reviewers of the demo bureau: reviewer01…"""
    return [f"reviewer{number:02d}" for number in range(1, count + 1)]


def environment(port, **extra):
    """What a production server's environment holds, for this machine's loopback."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_"))
    }
    env.update(
        {
            "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DATABASE),
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_LOG_LEVEL": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def collect_static(env):
    """The static files gunicorn serves (through whitenoise, from its manifest): without them
    every page answers 500, so also a run that reuses its database collects them."""
    manage(env, "collectstatic", "--no-input", "--verbosity", "0")


def prepare(env, departments, forms_per_department, year, reviewers=10):
    """Database, schema, static files, the demo bureau and its reviewers, synthetic forms."""
    subprocess.run([PYTHON, "-m", "config.database_creation"], cwd=ROOT, env=env, check=True)
    manage(env, "migrate", "--no-input", "--verbosity", "0")
    collect_static(env)
    # A throwaway database on loopback: the demo logins are what the load test signs in with.
    manage(env, "load_demo_data", "--force")
    manage(
        env,
        "generate_demo_data",
        "--force",
        "--departments",
        str(departments),
        "--forms-per-department",
        str(forms_per_department),
        "--year",
        str(year),
    )
    # Reviewers of the demo bureau, which oversees the synthetic departments.
    script = (
        "import django; django.setup()\n"
        "from django.contrib.auth import get_user_model\n"
        "from departments.models import BureauMembership, FinanceBureau\n"
        "from evaluations.demo.seed import BUREAU, DEMO_PASSWORD\n"
        "bureau = FinanceBureau.objects.get(code=BUREAU[0])\n"
        "reviewer = get_user_model().objects.get(username='reviewer')\n"
        f"for name in {reviewer_names(reviewers)!r}:\n"
        "    user, made = get_user_model().objects.get_or_create(username=name)\n"
        "    if made:\n"
        "        user.password = reviewer.password\n"
        "        user.save()\n"
        "    BureauMembership.objects.get_or_create(user=user, bureau=bureau)\n"
    )
    subprocess.run(
        [PYTHON, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
    )


class Gunicorn:
    """gunicorn in the background; its log goes to benchmarks/out/gunicorn-PORT.log."""

    def __init__(self, env, port, workers=None, threads=None):
        self.env = dict(env)
        if workers:
            self.env["WEB_CONCURRENCY"] = str(workers)
        if threads:
            self.env["GUNICORN_THREADS"] = str(threads)
        self.port = port
        self.process = None
        self.log_path = OUT / f"gunicorn-{port}.log"

    def __enter__(self):
        OUT.mkdir(parents=True, exist_ok=True)
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [GUNICORN, "-c", "config/gunicorn.py"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.wait_until_healthy()
        return self

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def wait_until_healthy(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not become healthy; see {self.log_path}")

    def worker_pids(self):
        """The worker processes (children of the master)."""
        return children_of(self.process.pid)


def children_of(pid):
    """The processes a process has started and not yet waited for, from any of its threads."""
    pids = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            pids += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue  # a thread that has ended meanwhile
    return pids


def database_url(env):
    return env["DATABASE_URL"]
