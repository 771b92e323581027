"""The edit page: SQL queries and median server time of GET and POST, for 5 and 30 rows, in
each layout.

    .venv/bin/python benchmarks/edit_page.py [--runs N]

Each layout's demo form (the 组织部's 党员教育培训经费 in the Panzhihua layout, the published
examples in the national and Sichuan layouts) is given 5 and then 30 rows, opened by its editor
and saved as the page posts it. Query counts must be the same for both sizes; the aim for a
median GET is under 60 ms on a 2-core machine.
"""

import argparse
import statistics
import time
from decimal import Decimal
from html.parser import HTMLParser

from _setup import setup_django

SIZES = (5, 30)


class PostedForm(HTMLParser):
    """The fields the edit page's form posts as the page stands: read from the page itself, so
    that the benchmark posts what a browser would in any layout."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.fields = [], None
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.fields = {}
        elif self.fields is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file") or (
                kind in ("checkbox", "radio") and "checked" not in attrs
            ):
                return
            self.fields[attrs["name"]] = attrs.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = attrs["name"]
            self.fields[self.textarea] = ""
        elif tag == "select" and attrs.get("name"):
            self.select = attrs["name"]
        elif (
            tag == "option"
            and self.select
            and ("selected" in attrs or self.select not in self.fields)
        ):
            self.fields[self.select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form" and self.fields is not None:
            self.forms.append(self.fields)
            self.fields = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea and self.fields is not None:
            self.fields[self.textarea] += data

    @classmethod
    def of(cls, page):
        parser = cls()
        parser.feed(page)
        return next(fields for fields in parser.forms if "version" in fields)


def measure(client, method, url, data_for, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(runs):
        data = data_for() if data_for else None
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url) if method == "GET" else client.post(url, data)
            times.append((time.perf_counter() - started) * 1000)
        # A POST the page refuses re-renders it (200): only a redirect is a save.
        assert response.status_code == (200 if method == "GET" else 302), response.status_code
        queries = len(captured)
    return statistics.median(times), queries


def demo_forms():
    """{layout key: (its demo form, its editor's login)}."""
    from evaluations.demo.examples import read_examples
    from evaluations.demo.seed import EXAMPLES
    from evaluations.models import Evaluation

    forms = {"panzhihua": (Evaluation.objects.get(project__name="党员教育培训经费"), "editor")}
    for key, (place, _submitted) in EXAMPLES.items():
        department = read_examples()[key]["department"][0]
        forms[key] = (
            Evaluation.objects.get(project__department__code=department),
            f"editor-{place}",
        )
    return forms


def fill(evaluation, rows):
    """`rows` indicator rows across the edition's taxonomy, with every column the layout has;
    weights that add up where it scores. The form becomes a draft its editor can save."""
    from evaluations.models import Evaluation, Indicator

    layout, rules = evaluation.form_layout, evaluation.year_settings.scoring_rules
    Evaluation.objects.filter(pk=evaluation.pk).update(
        state=Evaluation.State.DRAFT, submitted_at=None, approved_at=None
    )
    categories = list(evaluation.year_settings.edition.level2())
    weight = None
    if rules is not None:
        weight = ((rules.total_weight - rules.execution_weight) / rows).quantize(Decimal("0.01"))
    evaluation.indicators.all().delete()
    Indicator.objects.bulk_create(
        Indicator(
            evaluation=evaluation,
            category=categories[i % len(categories)],
            name=f"指标 {i}",
            nature="≥" if layout.has("nature") else "",
            target="≥90%",
            unit="%" if layout.has("unit") else "",
            actual="95%",
            weight=weight,
            score=weight,
            completion_rate=100 if layout.has("completion_rate") else None,
            position=i,
        )
        for i in range(rows)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    setup_django()

    from django.contrib.auth import get_user_model
    from django.test import Client

    from evaluations import layouts
    from evaluations.demo.seed import load_demo

    load_demo()
    forms = demo_forms()

    print(f"edit page, median of {runs} runs")
    print(
        f"{'layout':<10} {'rows':>5} {'GET ms':>8} {'GET queries':>12} {'POST ms':>8} "
        f"{'POST queries':>13}"
    )
    for key in layouts.LAYOUTS:
        if key not in forms:
            print(f"{key:<10} (no demo form in this layout)")
            continue
        evaluation, login = forms[key]
        client = Client()
        client.force_login(get_user_model().objects.get(username=login))
        url = f"/evaluations/{evaluation.pk}/edit/"
        for rows in SIZES:
            fill(evaluation, rows)

            def data_for(client=client, url=url):
                data = PostedForm.of(client.get(url).content.decode())
                data["goal"] = f"目标 {time.time()}"
                return data

            get_ms, get_queries = measure(client, "GET", url, None, runs)
            post_ms, post_queries = measure(client, "POST", url, data_for, runs)
            print(
                f"{key:<10} {rows:>5} {get_ms:>8.1f} {get_queries:>12} {post_ms:>8.1f} "
                f"{post_queries:>13}"
            )


if __name__ == "__main__":
    main()
