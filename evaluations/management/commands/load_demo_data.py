from evaluations.demo.command import DemoCommand
from evaluations.demo.seed import DEMO_PASSWORD, load_demo


class Command(DemoCommand):
    help = "Load the demo bureau, departments, users and the ten real 2023 forms (idempotent)."

    def handle(self, *args, **options):
        created = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({created} forms created). Logins: editor, viewer, dangxiao, "
                f"reviewer, admin; unit-editor, supervisor (two-level review, 2024); "
                f"editor-tianchang, reviewer-tianchang (national layout); "
                f"editor-daying, reviewer-daying (Sichuan layout); password {DEMO_PASSWORD}"
            )
        )
