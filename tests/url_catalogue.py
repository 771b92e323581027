"""Every URL of the project, from the resolver, with its arguments filled in.

New URLs are covered by the tests that walk this catalogue without anyone listing them. A URL
whose argument has a name not in `values` fails loudly: say what an id of that kind is.
"""

from django.urls import URLPattern, URLResolver, get_resolver, reverse


def patterns(resolver=None, namespace=""):
    """(name, pattern) of every named URL outside the admin (it has its own login and tests)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, pattern


def arguments(pattern):
    return list(pattern.pattern.regex.groupindex)


def with_ids():
    """The names of URLs that take an argument (an id, a token)."""
    return [name for name, pattern in patterns() if arguments(pattern)]


def values_of(evaluation, **more):
    """The arguments for URLs about `evaluation`: its id, and its department and year (the
    department's report of that year)."""
    return {
        "pk": evaluation.pk,
        "department": evaluation.project.department_id,
        "year": evaluation.year_id,
        **more,
    }


def url(name, values):
    pattern = dict(patterns())[name]
    missing = [arg for arg in arguments(pattern) if arg not in values]
    assert not missing, f"{name}: tell tests/url_catalogue.py users what {missing} stands for"
    return reverse(name, kwargs={arg: values[arg] for arg in arguments(pattern)})


def all_urls(values, query=""):
    """[(name, url)] for every URL; `query` is added to those that take no argument."""
    found = []
    for name, pattern in patterns():
        path = url(name, values)
        found.append((name, path if arguments(pattern) else path + query))
    return found
