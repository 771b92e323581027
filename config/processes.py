"""The web server and the task workers as one command, for `make run` and `make serve`:

    python -m config.processes --workers 2 -- gunicorn -c config/gunicorn.py

starts the server command and `manage.py db_worker` as many times as --workers says (default
TASK_WORKERS, else 2), and enqueues the removal of expired exports at start and then once a
day, for a worker to run. Ctrl-C or SIGTERM stops them all; when one of them ends, the others
are stopped too, so that a stack half down never goes unnoticed.

In production systemd runs the server, the workers and the daily removal as units of their own
(README, "Production"); this is the same thing on one terminal.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time

DAY = 24 * 60 * 60
MANAGE = [sys.executable, "manage.py"]
# Seconds the processes get to finish what they do (a worker its task) before they are killed.
GRACE = 30


class Stop(Exception):
    def __init__(self, signum):
        self.signum = signum


def _stop(signum, frame):
    raise Stop(signum)


def stop(children, signum):
    # Ctrl-C reaches every process of the terminal already: a second SIGINT would make a
    # worker drop its task, so the children get a moment to stop before SIGTERM.
    if signum == signal.SIGINT:
        _wait(children, 5)
    for child in children:
        if child.poll() is None:
            child.terminate()
    _wait(children, GRACE)
    for child in children:
        if child.poll() is None:
            child.kill()
            child.wait()


def _wait(children, seconds):
    deadline = time.monotonic() + seconds
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0, deadline - time.monotonic()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=int(os.environ.get("TASK_WORKERS", "2")))
    parser.add_argument("--cleanup-every", type=float, default=DAY, help="seconds")
    parser.add_argument("server", nargs=argparse.REMAINDER, help="-- the server's command")
    args = parser.parse_args(argv)
    server = args.server[1:] if args.server[:1] == ["--"] else args.server
    if not server:
        parser.error("give the server's command after --")

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    children = []
    try:
        children.append(subprocess.Popen(server))
        for _number in range(args.workers):
            children.append(subprocess.Popen([*MANAGE, "db_worker", "--verbosity", "0"]))
        cleanup_at = 0
        while True:
            if time.monotonic() >= cleanup_at:
                subprocess.run([*MANAGE, "remove_expired_exports", "--enqueue"], check=False)
                cleanup_at = time.monotonic() + args.cleanup_every
            for child in children:
                if child.poll() is not None:
                    print(f"{' '.join(child.args)} ended ({child.returncode}): stopping the rest.")
                    stop(children, signal.SIGTERM)
                    return child.returncode or 1
            time.sleep(1)
    except Stop as stopped:
        stop(children, stopped.signum)
        return 0


if __name__ == "__main__":
    sys.exit(main())
