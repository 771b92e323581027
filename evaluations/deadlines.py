"""When a year's forms are due, for one bureau or for the departments a page shows.

A finance bureau with a BureauYear sets its own deadline; one without keeps the Year's. A page
about one bureau (a reviewer's queue, a department's dashboard) shows that bureau's deadline;
a page over several bureaus (an administrator's) shows the Year's, and marks each department
late against its own bureau's.
"""

from django.utils import timezone

from evaluations.models import BureauYear


def settings_for(bureau_ids, year):
    """The year's settings a page about these bureaus shows: the one bureau's own, else the
    Year's; None without a year."""
    if year is None:
        return None
    bureau_ids = set(bureau_ids)
    if len(bureau_ids) == 1:
        return BureauYear.settings_for(bureau_ids.pop(), year)
    return year


def by_bureau(bureau_ids, year):
    """{bureau id: its deadline in the year} (None: no deadline), in one query."""
    bureau_ids = set(bureau_ids)
    own = dict(
        BureauYear.objects.filter(year=year, bureau__in=bureau_ids).values_list(
            "bureau", "deadline"
        )
    )
    return {bureau: own.get(bureau, year.deadline) for bureau in bureau_ids}


def passed(deadline):
    return deadline is not None and timezone.localdate() > deadline
