from django.core.management.base import BaseCommand

from exports import jobs


class Command(BaseCommand):
    help = "Delete the files of background exports past their expiry (EXPORT_RETENTION_DAYS)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Leave it to a task worker (db_worker) instead of doing it here.",
        )

    def handle(self, *args, enqueue, **options):
        if enqueue:
            jobs.remove_expired_exports.enqueue()
            self.stdout.write("Removal of expired exports enqueued.")
            return
        removed = jobs.remove_expired()
        self.stdout.write(f"{removed} expired exports removed.")
