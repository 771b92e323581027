"""Published forms of the scored layouts (examples.json, from shared/layouts/examples.md): a
finance bureau whose year uses that layout, its department, and the form.

Loading is idempotent, as the rest of the demo: what exists is kept.
"""

import datetime
import json
from pathlib import Path

from departments.models import Department, FinanceBureau
from evaluations import content, layouts
from evaluations.models import BureauYear, Edition, Evaluation, Project, Year

EXAMPLES_FILE = Path(__file__).with_name("examples.json")


def read_examples():
    """{layout key: example}."""
    data = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return {example["layout"]: example for example in data["examples"]}


def bureau_year(bureau, number, layout_key, deadline=None):
    """The bureau's settings for the year in the layout (with the layout's edition, every
    一级指标 of it required), made if missing; the year too."""
    layout = layouts.get(layout_key)
    edition = Edition.objects.get(name=layout.edition)
    default = Edition.objects.get(name=layouts.get(layouts.DEFAULT).edition)
    year, _created = Year.objects.get_or_create(
        year=number,
        defaults={"edition": default, "deadline": datetime.date(number + 1, 3, 31)},
    )
    settings, created = BureauYear.objects.get_or_create(
        bureau=bureau,
        year=year,
        defaults={
            "layout": layout.key,
            "edition": edition,
            "deadline": deadline or datetime.date(number + 1, 3, 31),
        },
    )
    if created:
        settings.required_categories.set(edition.level1().filter(name="产出指标"))
    return settings


def is_loaded(layout_key):
    example = read_examples()[layout_key]
    return Evaluation.objects.filter(
        project__department__code=example["department"][0], year=example["year"]
    ).exists()


def load_example(layout_key, user=None, deadline=None):
    """The example of the layout: (its department, its form). `deadline`: its bureau year's,
    where that is made now (else the 31 March after the year)."""
    example = read_examples()[layout_key]
    bureau, _created = FinanceBureau.objects.get_or_create(
        code=example["bureau"][0], defaults={"name": example["bureau"][1]}
    )
    department, _created = Department.objects.get_or_create(
        code=example["department"][0],
        defaults={"name": example["department"][1], "bureau": bureau},
    )
    settings = bureau_year(bureau, example["year"], layout_key, deadline=deadline)
    form = content.Content.from_data(example["form"])
    project, _created = Project.objects.get_or_create(
        department=department, name=form.project, defaults={"code": form.project_code}
    )
    existing = Evaluation.objects.filter(project=project, year=settings.year).first()
    if existing:
        return department, existing
    return department, content.save(Evaluation(project=project, year=settings.year), form, user)
