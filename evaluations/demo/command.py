"""What the demo commands share: they refuse to run where the app may be in production.

The demo users have a published password, one of them a superuser; loaded by mistake into the
bureau's real database they would open it to anyone who read the README.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class DemoCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run with DEBUG off too: only on a machine and database nobody else uses.",
        )

    def execute(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off, so this may be a production database. The demo users have a "
                "published password and one of them is a superuser. Add --force only on a "
                "machine and database nobody else uses."
            )
        return super().execute(*args, **options)
