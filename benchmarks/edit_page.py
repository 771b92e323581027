"""The edit page: SQL queries and median server time of GET and POST, for 5 and 30 rows.

    .venv/bin/python benchmarks/edit_page.py [--runs N]

Query counts must be the same for both sizes; the aim for a median GET is under 60 ms on a
2-core machine.
"""

import argparse
import statistics
import time

from _setup import setup_django


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
        assert response.status_code in (200, 302), response.status_code
        queries = len(captured)
    return statistics.median(times), queries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    setup_django()

    from django.test import Client

    from evaluations.demo.seed import load_demo
    from evaluations.models import Evaluation, IndicatorCategory
    from tests.conftest import edit_data

    load_demo()
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.get(username="editor")
    client = Client()
    client.force_login(editor)
    categories = list(
        IndicatorCategory.objects.filter(parent__isnull=False, edition__name="2021版")
    )

    print(f"edit page, median of {runs} runs")
    print(f"{'rows':>5} {'GET ms':>8} {'GET queries':>12} {'POST ms':>8} {'POST queries':>13}")
    for rows in (5, 30):
        evaluation = Evaluation.objects.get(project__name="党员教育培训经费")
        evaluation.indicators.all().delete()
        evaluation.indicators.bulk_create(
            evaluation.indicators.model(
                evaluation=evaluation,
                category=categories[i % len(categories)],
                name=f"指标 {i}",
                target="≥90%",
                actual="95%",
                completion_rate=100,
                position=i,
            )
            for i in range(rows)
        )
        url = f"/evaluations/{evaluation.pk}/edit/"

        def data_for(evaluation=evaluation):
            evaluation.refresh_from_db()
            return edit_data(evaluation, goal=f"目标 {time.time()}")

        get_ms, get_queries = measure(client, "GET", url, None, runs)
        post_ms, post_queries = measure(client, "POST", url, data_for, runs)
        print(f"{rows:>5} {get_ms:>8.1f} {get_queries:>12} {post_ms:>8.1f} {post_queries:>13}")


if __name__ == "__main__":
    main()
