"""The edit page: SQL queries and median server time of GET and POST, for 5, 30 and 100 rows,
in each layout.

    .venv/bin/python benchmarks/edit_page.py [--runs N]

Each layout's demo form (the 组织部's 党员教育培训经费 in the Panzhihua layout, the published
examples in the national and Sichuan layouts) is given 5 and then 30 rows, opened by its editor
and saved as the page posts it, the redirect after the save followed (the page it leads to is
part of a save's time, as a browser asks for it at once). Query counts must be the same for
every size; the aim for a median GET is under 60 ms on a 2-core machine. The CPU columns are
this process's time (the database's is not in it): on a machine shared with other work they
are steadier than the wall time, and the least of the runs the steadiest.
"""

import argparse
import statistics
import time
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlencode

from _setup import setup_django

SIZES = (5, 30, 100)


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
            if self.textarea and self.fields is not None:
                # A browser drops the newline that opens a textarea and sends its lines
                # ended by CRLF.
                text = self.fields[self.textarea].removeprefix("\n")
                self.fields[self.textarea] = text.replace("\r\n", "\n").replace("\n", "\r\n")
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


def post(client, url, fields, **kwargs):
    """POST the fields as a browser sends a form without files: urlencoded. (The test client
    would send a dict as multipart, which costs the server more to parse.)"""
    return client.post(
        url, urlencode(fields), content_type="application/x-www-form-urlencoded", **kwargs
    )


def measure(client, method, url, data_for, runs):
    """Median wall ms, median and least CPU ms of this process, and queries of a GET, or of a
    POST with the page its redirect leads to (a browser asks for both). Timed without query
    capture; one more request counts them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def request(data):
        if method == "GET":
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            return
        response = post(client, url, data, follow=True)
        # A POST the page refuses shows it again (400, 409): only a redirect is a save.
        if not response.redirect_chain or response.status_code != 200:
            raise RuntimeError(f"the save was refused ({response.status_code})")

    times, cpu = [], []
    for _ in range(runs):
        # The form is read before the clock starts: reading it is not the save's time.
        data = data_for() if data_for else None
        started, started_cpu = time.perf_counter(), time.process_time()
        request(data)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    data = data_for() if data_for else None
    with CaptureQueriesContext(connection) as captured:
        request(data)
    return statistics.median(times), statistics.median(cpu), min(cpu), len(captured)


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

    print(f"edit page, median of {runs} runs (ms; CPU: of this process, its median and least)")
    print(
        f"{'layout':<10} {'rows':>5} {'GET':>7} {'CPU':>7} {'least':>7} {'queries':>8} "
        f"{'POST':>7} {'CPU':>7} {'least':>7} {'queries':>8}"
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

            get = measure(client, "GET", url, None, runs)
            post = measure(client, "POST", url, data_for, runs)
            print(
                f"{key:<10} {rows:>5} "
                + " ".join(
                    f"{ms:>7.1f} {cpu:>7.1f} {least:>7.1f} {queries:>8}"
                    for ms, cpu, least, queries in (get, post)
                )
            )


if __name__ == "__main__":
    main()
