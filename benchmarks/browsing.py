"""Virtual users for the load and fault tests: a browser's worth of HTTP, and what people do.

The standard library's http.client, and lxml (a dependency of the app's python-docx, named in
the dev extras too) to read the forms.
Each user keeps its connection for as long as the server does (sync workers close each after
its answer), its cookies and the CSRF token, like a browser.

An editor opens one of their forms, changes it and saves, over and over. Each save writes one
token into four places of the form (the goal, the achievement text, a fund amount and an
indicator's actual value): afterwards the database must show, for every form, the token of the
last save the server confirmed (or of a later one whose answer was lost), the same in all four
places. Anything else is a lost or half-written save.
"""

import http.client
import random
import re
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import lxml.html

PASSWORD = "demo-pass-2023"


# Buttons a browser submits only when they are the one clicked, and files, which no user sends.
_NOT_SUBMITTED = {"submit", "button", "image", "file", "reset"}


def form_fields(html, form_id):
    """[name, value] of each field a browser would submit from the form with the given id: named,
    not disabled, not inside a <template> (inert in a browser), checkboxes and radios only when
    checked, a select's chosen option (or its first), in the page's order. Read with lxml, which
    parses a page in a few milliseconds where html.parser took four times as long: the load
    generator shares the machine with the app it measures."""
    form = lxml.html.fromstring(html).get_element_by_id(form_id)
    for template in list(form.iter("template")):
        template.drop_tree()
    fields = []
    for element in form.inputs:
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if element.tag == "textarea":
            fields.append([name, element.text or ""])
        elif element.tag == "select":
            options = element.findall(".//option")
            chosen = [option for option in options if option.get("selected") is not None]
            option = chosen[-1] if chosen else (options[0] if options else None)
            fields.append([name, option.get("value", "") if option is not None else ""])
        else:
            kind = (element.get("type") or "text").lower()
            if kind in _NOT_SUBMITTED:
                continue
            if kind in ("checkbox", "radio"):
                if element.get("checked") is None:
                    continue
                fields.append([name, element.get("value", "on")])
            else:
                fields.append([name, element.get("value", "")])
    return fields


# What a request down a connection the server has just closed fails with.
STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class Unanswered(Exception):
    """The connection broke before an answer came: the request may or may not have happened."""


@dataclass
class Sample:
    kind: str
    status: int  # 0: no answer
    ms: float
    at: float


@dataclass
class Ledger:
    """What one editor saved: form id → tokens, confirmed and unconfirmed, in order."""

    confirmed: dict = field(default_factory=dict)
    unconfirmed: dict = field(default_factory=dict)


class Browser:
    def __init__(self, base_url, timeout=60):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("Load and fault tests only talk to the loopback.")
        self.timeout = timeout
        self.cookies = SimpleCookie()
        self.connection = None
        self.last_used = 0.0
        self.samples = []

    def _connect(self):
        # gunicorn closes idle keep-alive connections after 5 s; a browser would not send a
        # request down one it has not used for that long, and neither do we.
        if self.connection is not None and time.monotonic() - self.last_used > 4:
            self.close()
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.connection

    def close(self):
        if self.connection:
            self.connection.close()
            self.connection = None

    def request(self, kind, method, path, data=None):
        headers = {"Host": f"{self.host}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v.value}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        at = time.time()  # wall clock, to compare with the run's start and end
        try:
            try:
                reused = self.connection is not None
                response, content = self._exchange(method, path, body, headers)
            except STALE:
                # The server closed the kept-alive connection as the request went out; a
                # browser sends a GET again on a new one.
                if not reused or method != "GET":
                    raise
                self.close()
                response, content = self._exchange(method, path, body, headers)
        except (OSError, http.client.HTTPException) as error:
            self.close()
            self.samples.append(Sample(kind, 0, (time.monotonic() - started) * 1000, at))
            raise Unanswered(str(error)) from error
        self.last_used = time.monotonic()
        elapsed = (time.monotonic() - started) * 1000
        self.samples.append(Sample(kind, response.status, elapsed, at))
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        if response.headers.get("Connection", "").lower() == "close":
            self.close()
        return response.status, response.headers, content.decode("utf-8", "replace")

    def _exchange(self, method, path, body, headers):
        connection = self._connect()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response, response.read()

    def csrf_token(self):
        return self.cookies["csrftoken"].value if "csrftoken" in self.cookies else ""

    def log_in(self, username, password=PASSWORD):
        status, _headers, _page = self.request("login", "GET", "/accounts/login/")
        status, headers, _page = self.request(
            "login",
            "POST",
            "/accounts/login/",
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.csrf_token(),
            },
        )
        if status != 302:
            raise RuntimeError(f"{username} could not log in ({status})")


EDIT_LINK = re.compile(r'href="/evaluations/(\d+)/edit/"')
DETAIL_LINK = re.compile(r'href="/evaluations/(\d+)/"')


class Editor:
    """A department's editor: opens one of the department's editable forms, saves a change."""

    def __init__(self, browser, username, forms):
        self.browser = browser
        self.username = username
        self.forms = forms  # ids of editable forms of this editor's department
        self.ledger = Ledger()
        self.saves = 0
        self.rng = random.Random(username)

    def step(self):
        pk = self.rng.choice(self.forms)
        if self.rng.random() < 0.3:
            self.browser.request("list", "GET", "/evaluations/")
        status, _headers, page = self.browser.request("open", "GET", f"/evaluations/{pk}/edit/")
        if status != 200:
            return
        data = dict_of(form_fields(page, "evaluation-form"))
        token = f"{self.username}-{self.saves:05d}-{self.rng.randrange(10**6):06d}"
        self.saves += 1
        change(data, token)
        self.ledger.unconfirmed.setdefault(pk, []).append(token)
        try:
            status, headers, _page = self.browser.request(
                "save", "POST", f"/evaluations/{pk}/edit/", list(data.items())
            )
        except Unanswered:
            return
        if status == 302:
            self.ledger.confirmed.setdefault(pk, []).append(token)
            # A browser follows the redirect to the saved form at once.
            location = urlsplit(headers.get("Location", ""))
            if location.path:
                self.browser.request("after-save", "GET", location.path)


class Reviewer:
    """A finance bureau reviewer: the list of forms, a form's page, the review queue, exports.

    `pages` is [(kind, path, chance)]: each step opens each page with that chance; `{pk}` in a
    path is one of the bureau's forms (`forms`, or those the list links to), `{department}` one
    of `departments`.
    """

    def __init__(self, browser, username, pages, departments, forms=()):
        self.browser = browser
        self.username = username
        self.pages = pages
        self.departments = departments
        self.rng = random.Random(username)
        self.seen = list(forms)

    def step(self):
        status, _headers, page = self.browser.request("review-list", "GET", "/evaluations/")
        if status == 200 and not self.seen:
            self.seen = [int(pk) for pk in DETAIL_LINK.findall(page)]
        if self.seen:
            pk = self.rng.choice(self.seen)
            self.browser.request("review-open", "GET", f"/evaluations/{pk}/")
        for kind, path, chance in self.pages:
            if self.rng.random() >= chance or ("{pk}" in path and not self.seen):
                continue
            path = path.format(
                pk=self.rng.choice(self.seen) if self.seen else 0,
                department=self.rng.choice(self.departments) if self.departments else 0,
            )
            self.browser.request(kind, "GET", path)


def dict_of(fields):
    """A form's fields as an ordered dict; repeated names keep their last value."""
    return dict(fields)


def indicator_actual_field(data):
    """The first indicator row's actual value field (rows to change), if the form has one."""
    for name in data:
        if re.fullmatch(r"indicators-\d+-actual", name):
            return name
    return None


def fund_field(data):
    for name in data:
        if re.fullmatch(r"fund-\d+-budget", name):
            return name
    return None


def token_amount(token):
    """A fund amount derived from the token, so that it can be checked afterwards."""
    return f"{int(token.rsplit('-', 1)[1]) / 100:.2f}"


def change(data, token):
    data["goal"] = f"年度目标 {token}"
    data["achieved"] = f"完成情况 {token}"
    budget = fund_field(data)
    if budget:
        data[budget] = token_amount(token)
    actual = indicator_actual_field(data)
    if actual:
        data[actual] = f"实际 {token}"
    data["csrfmiddlewaretoken"] = data.get("csrfmiddlewaretoken", "")
