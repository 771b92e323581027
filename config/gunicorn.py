"""gunicorn settings for `make serve` and production: `gunicorn -c config/gunicorn.py`.

Every value can be overridden by the usual GUNICORN_CMD_ARGS or by the environment variables
read here. Workers are processes that serve one request at a time (gunicorn's sync worker,
made for a buffering proxy such as nginx in front): a request spends most of its time in
Python, and threads of one process take turns at one interpreter lock, so each of a request's
twenty-odd queries waited for the lock again behind the other threads' pages; and a worker of
one thread that kept accepting requests (gthread) queued them behind its own slow one while
other workers were idle. A sync worker takes the next connection only when it is free, so the
kernel hands each request to an idle one. More processes than cores keep the cores busy while
some wait for PostgreSQL, and keep a crash from taking down more than its own request. The load
test's figures for each choice are in the README (Load and fault tests).
"""

import gc
import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
# Above 1, gunicorn runs gthread workers of that many threads instead.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A save of a 300-row form takes well under a second, the longest page (a big report's PDF) about
# twenty; a sync worker cannot say it is alive while it works, so this is also the longest a
# request may take: nginx's proxy_read_timeout (README) gives up at the same 60 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Only gthread workers keep connections open between requests; sync ones close each.
keepalive = 5
# Workers are replaced now and then, so that a slow leak never grows into an outage.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Our own middleware logs each request with the user and department (config/request_log.py).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The proxy in front sets X-Forwarded-*; only it may (DJANGO_PROXY_COUNT in settings).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "jixiao"
# gunicorn's own lines (workers starting, timing out, being killed) in the same logfmt.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"logfmt": {"()": "config.logfmt.LogfmtFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "logfmt",
            "stream": "ext://sys.stderr",
        },
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "logfmt",
            "stream": "ext://sys.stderr",
        },
    },
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False}
    },
}
# Several servers may run on one machine (make serve, the load test); none needs the control
# socket, which would be shared between them.
control_socket_disable = True


def post_worker_init(worker):
    """Once a worker has loaded Django and the app, their objects (about 120,000) live as long
    as it does: frozen out of the garbage collector, they are no longer walked by every full
    collection a request triggers, which took about 1.5 ms of a request's CPU."""
    gc.freeze()
