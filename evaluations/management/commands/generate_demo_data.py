from django.core.management.base import CommandError

from evaluations import layouts
from evaluations.demo.command import DemoCommand
from evaluations.demo.synthetic import generate, login_prefix


class Command(DemoCommand):
    help = "Make realistic synthetic forms for benchmarks and load tests."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--departments", type=int, default=10)
        parser.add_argument("--forms-per-department", type=int, default=10)
        parser.add_argument("--year", type=int, default=2023)
        parser.add_argument("--seed", type=int, default=0, help="Same seed, same data.")
        parser.add_argument(
            "--layout",
            choices=list(layouts.LAYOUTS),
            default=layouts.DEFAULT,
            help="The layout of the forms: another than the default files them under the bureau "
            "of its published example, in that bureau's year in the layout.",
        )

    def handle(self, *args, departments, forms_per_department, year, seed, layout, **options):
        if departments < 1 or forms_per_department < 1:
            raise CommandError("--departments and --forms-per-department must be at least 1.")
        if not 2000 <= year <= 2100:
            raise CommandError("--year must be between 2000 and 2100.")
        try:
            made = generate(departments, forms_per_department, year, seed=seed, layout=layout)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{made} forms created for {departments} departments in {year}, in the "
                f"{layout} layout; editor logins {login_prefix(layout)}0001… with the demo "
                "password."
            )
        )
