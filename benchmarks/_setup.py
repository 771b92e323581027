"""Django set up for a benchmark: production-like settings on a throwaway database.

DATABASE_URL picks the database (PostgreSQL, say); by default a fresh SQLite file in a
temporary folder, deleted afterwards.
"""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django():
    sys.path.insert(0, str(ROOT))
    if "DATABASE_URL" not in os.environ:
        folder = tempfile.mkdtemp(prefix="jixiao-bench-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("DJANGO_STATIC_MANIFEST", "0")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_AXES_ENABLED", "0")
    # The demo's workflow steps send mail; a benchmark keeps it in memory.
    os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
