"""What the load and fault tests print: latency and errors, and the check of every save.

check_saves needs Django set up on the database the server wrote to.
"""

import statistics
from collections import Counter
from decimal import Decimal

from browsing import token_amount

# What each kind of request answers when all is well.
EXPECTED = {"save": 302}


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def is_error(sample):
    return sample.status != EXPECTED.get(sample.kind, 200)


def summarise(results, seconds, out=print):
    samples = [sample for result in results for sample in result["samples"]]
    errors = [sample for sample in samples if is_error(sample)]
    out(f"\n{'request':<14}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    kinds = sorted({sample.kind for sample in samples})
    for kind, of_kind in [
        *((kind, [sample for sample in samples if sample.kind == kind]) for kind in kinds),
        ("all", samples),
    ]:
        times = [sample.ms for sample in of_kind]
        out(
            f"{kind:<14}{len(of_kind):>8}{statistics.median(times) if times else 0:>9.0f}"
            f"{percentile(times, 0.95):>9.0f}{percentile(times, 0.99):>9.0f}"
            f"{sum(is_error(s) for s in of_kind):>8}"
        )
    out(f"\nthroughput: {len(samples) / seconds:.1f} requests/s over {seconds:.0f} s")
    saves = sum(1 for sample in samples if sample.kind == "save" and sample.status == 302)
    out(f"saves confirmed: {saves} ({saves / seconds:.1f}/s)")
    if errors:
        statuses = Counter((sample.kind, sample.status) for sample in errors)
        listed = (f"{kind} {status or 'no answer'} ×{n}" for (kind, status), n in statuses.items())
        out("errors: " + ", ".join(listed))
    else:
        out("errors: 0")
    return len(errors)


def overall(results, seconds):
    """(p95 ms of every request, requests a second)."""
    times = [sample.ms for result in results for sample in result["samples"]]
    return percentile(times, 0.95), len(times) / seconds if seconds else 0.0


def token_in(text, prefix):
    return text.removeprefix(prefix) if text and text.startswith(prefix) else None


def written(evaluation):
    """The save tokens the form holds in each of the four places a save writes."""
    line = evaluation.fund_lines.order_by("source__position", "source_id").first()
    actuals = [
        row.actual
        for row in evaluation.indicators.all()
        if row.actual and row.actual.startswith("实际 ")
    ]
    return {
        "goal": token_in(evaluation.goal, "年度目标 "),
        "achieved": token_in(evaluation.achieved, "完成情况 "),
        "budget": line.budget if line else None,
        "indicator": [token_in(text, "实际 ") for text in actuals],
    }


def check_saves(results, out=print):
    """Every form holds its last confirmed save, or a later unconfirmed one, written whole."""
    from evaluations.models import Evaluation

    checked = lost = torn = 0
    for result in results:
        ledger = result["ledger"]
        if ledger is None:
            continue
        for pk, tried in ledger.unconfirmed.items():
            confirmed = ledger.confirmed.get(pk, [])
            if not confirmed and not tried:
                continue
            checked += 1
            evaluation = Evaluation.objects.get(pk=pk)
            places = written(evaluation)
            token = places["goal"]
            # Acceptable: the last confirmed save, or one tried after it whose answer was lost.
            after = tried[tried.index(confirmed[-1]) :] if confirmed else tried
            if not confirmed and token not in tried:
                # Nothing confirmed in this run: the form may hold what it held before it.
                if token is None:
                    continue
            elif token not in after:
                lost += 1
                out(f"LOST: form {pk} holds {token}, last confirmed {confirmed[-1:]}")
                continue
            whole = (
                places["achieved"] == token
                and (places["budget"] is None or places["budget"] == Decimal(token_amount(token)))
                and (not evaluation.indicators.exists() or places["indicator"] == [token])
            )
            if not whole:
                torn += 1
                out(f"HALF-WRITTEN: form {pk}: {places}")
    out(f"forms checked: {checked}; lost saves: {lost}; half-written forms: {torn}")
    return lost + torn
