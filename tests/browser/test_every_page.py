"""Every page, as every demo role: what a reviewer checks by hand in a browser.

One load of the demo portfolio, then for nobody signed in and for each demo role in turn:

1. **Every link, on the server.** Django's test client, signed in as the role, follows the
   same-site links reachable from the home page (GET only; not sign-out, /admin/, the API or
   CSV exports), least-visited URL pattern first and at most LINKS_PER_PATTERN pages per
   pattern, and submits every GET form once as it is and once per select with its last
   choice (filters lead to pages too, e.g. archived records). Each page must answer below
   400 — so no page links to something its reader may not open — without sending a signed-in
   person to the sign-in page, with the security headers, and with no inline script, style
   or event handler (the CSP forbids them).
2. **Every URL pattern, in a browser.** Chromium signs in as the role and opens, for each URL
   pattern, the pages that show a kind of element not yet seen on that pattern (so every
   pattern at least once, and again where a role or a record's state shows something new):
   no console or page errors (CSP violations included), the security headers, and no serious
   or critical axe-core violation of the WCAG 2 A/AA rules. The stakeholder also meets the
   404 and 403 pages.

Failures are collected and reported together, per role, one line per problem with the pages
that have it; `-s` prints how many pages each role saw. axe-core is vendored under
tests/browser/vendor/axe-core/ (see its README) and injected with `page.evaluate`, which the
page's CSP does not govern, so nothing is fetched at run time.
"""

from __future__ import annotations

import functools
import io
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import Resolver404, resolve

from vendors.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                          "wcag22aa"]},
    "resultTypes": ["violations"],
}
SEVERE = {"serious", "critical"}
NTH_CHILD = re.compile(r":nth-child\(\d+\)")

ROLES = {
    "vera": "vendor manager",
    "erin": "executive",
    "liam": "line manager",
    "olga": "operations",
    "sam": "stakeholder",
    "alice": "vendor user",
}
MAX_SERVER_PAGES = 1500  # per role, a safety net: a vendor manager sees about 400
LINKS_PER_PATTERN = 4  # pages followed per URL pattern (GET forms come on top)
PAGES_PER_PATTERN = 2  # at most opened in the browser per pattern and role
SKIP_PREFIXES = ("/accounts/logout/", "/admin/", "/api/", "/static/", "/media/")
SEARCH_TERM = "e"  # typed into empty search boxes of GET forms


# ---------------------------------------------------------------------------------------
# What a page links to
# ---------------------------------------------------------------------------------------


class PageParser(HTMLParser):
    """Links, GET forms (as the URLs they lead to) and CSP-breaking markup of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.forms: list[dict] = []
        self.inline: list[str] = []
        self.kinds: set[tuple] = set()  # (tag, classes, role and aria-* names) seen
        self._form: dict | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.kinds.add((tag, a.get("class") or "", a.get("role") or "",
                        " ".join(sorted(n for n in a if n.startswith("aria-")))))
        for name in a:
            if name == "style" or name.startswith("on"):
                self.inline.append(f"inline {name}= on <{tag}>")
        if tag == "script" and not a.get("src") and a.get("type") != "application/json":
            self.inline.append("inline <script>")
        if tag == "style":
            self.inline.append("inline <style>")
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        elif tag == "form":
            if (a.get("method") or "get").lower() == "get":
                self._form = {"action": a.get("action") or "", "fields": [], "selects": []}
                self.forms.append(self._form)
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            value = a.get("value") or ""
            if kind == "search" and not value:
                value = SEARCH_TERM
            self._form["fields"].append((a["name"], value))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "options": [], "selected": None}
            self._form["selects"].append(self._select)
        elif self._select is not None and tag == "option":
            value = a.get("value") or ""
            self._select["options"].append(value)
            if "selected" in a:
                self._select["selected"] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None

    def form_urls(self, base: str) -> list[tuple[tuple, list[str]]]:
        """Each GET form (action pattern, field names) with the URLs it leads to: submitted
        as it is, and once more per select with its last choice (e.g. "Active and
        archived")."""
        forms = []
        for form in self.forms:
            urls = []
            action = urljoin(base, form["action"] or base)
            defaults = {s["name"]: s["selected"] if s["selected"] is not None
                        else (s["options"] or [""])[0] for s in form["selects"]}
            variants = [defaults] + [{**defaults, s["name"]: s["options"][-1]}
                                     for s in form["selects"]
                                     if s["options"] and s["options"][-1] != defaults[s["name"]]]
            for selects in variants:
                query = urlencode(form["fields"] + list(selects.items()))
                urls.append(f"{urlsplit(action).path}?{query}")
            names = tuple(sorted({n for n, _ in form["fields"]} | set(defaults)))
            forms.append(((_pattern(urlsplit(action).path), names), urls))
        return forms


def _same_site(url: str, base: str) -> str | None:
    """`url` (relative to `base`) as path?query if it is a page of this site we crawl."""
    parts = urlsplit(urljoin(base, url))
    if parts.scheme not in ("http", "https") or parts.netloc not in ("", "testserver",
                                                                      urlsplit(base).netloc):
        return None
    if parts.path.startswith(SKIP_PREFIXES) or ("format", "csv") in parse_qsl(parts.query):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@functools.cache
def _pattern(url: str) -> str:
    """The URL pattern a URL belongs to, e.g. 'vendors/<slug:slug>/<kind:contracts>/new/'.

    Record kinds are distinct forms, so the kind stays in the pattern; so do the names of
    query parameters (a filtered list and an unfiltered one are both worth a look)."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return f"unresolved:{parts.path}"
    route = match.route or "/"
    if "kind" in match.kwargs:
        route = route.replace("<kind:kind>", f"<kind:{match.kwargs['kind']}>")
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)} - {"page"})
    return route + (f"?{'&'.join(keys)}" if keys else "")


def _header_problems(headers) -> list[str]:
    """`headers`: any case-insensitive mapping (Django's response.headers, or Playwright's
    all_headers(), which are lower-case)."""
    headers = {k.lower(): v for k, v in headers.items()}
    problems = []
    csp = headers.get("content-security-policy", "")
    if not csp:
        problems.append("no Content-Security-Policy header")
    if headers.get("x-content-type-options", "").lower() != "nosniff":
        problems.append("X-Content-Type-Options is not nosniff")
    if not headers.get("x-frame-options") and "frame-ancestors" not in csp:
        problems.append("neither X-Frame-Options nor CSP frame-ancestors")
    if not headers.get("referrer-policy"):
        problems.append("no Referrer-Policy header")
    return problems


class Findings:
    """Problems found, each with the pages that have it."""

    def __init__(self):
        self.problems: dict[str, list[str]] = {}

    def add(self, url: str, problem: str) -> None:
        pages = self.problems.setdefault(problem, [])
        if url not in pages:
            pages.append(url)

    def __bool__(self):
        return bool(self.problems)

    def __len__(self):
        return len(self.problems)

    def report(self) -> str:
        lines = []
        for problem, pages in sorted(self.problems.items()):
            more = f" and {len(pages) - 3} more" if len(pages) > 3 else ""
            lines.append(f"- {problem}\n    on {', '.join(pages[:3])}{more}")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# 1. Every link, on the server
# ---------------------------------------------------------------------------------------


class ServerCrawl:
    """Breadth-first over every reachable link and GET form, least-visited pattern first."""

    def __init__(self, client, findings: Findings, *, signed_in: bool = True):
        self.client, self.findings, self.signed_in = client, findings, signed_in
        self.linked_from: dict[str, str] = {}  # url -> the first page that led to it
        self.queue: list[str] = []
        self.visited: list[str] = []
        self.patterns: dict[str, list[str]] = {}  # pattern -> its html pages, in visit order
        self.kinds: dict[str, frozenset] = {}  # html page -> the kinds of element on it
        self.forms_seen: set[tuple] = set()  # (action pattern, field names) submitted
        self.form_urls: set[str] = set()
        self.links_per_pattern: dict[str, int] = {}

    def run(self, start: str) -> None:
        self.linked_from[start] = "(start)"
        self.queue.append(start)
        while self.queue and len(self.visited) < MAX_SERVER_PAGES:
            counts = {p: len(urls) for p, urls in self.patterns.items()}
            url = min(self.queue, key=lambda u: counts.get(_pattern(u), 0))
            self.queue.remove(url)
            if url not in self.form_urls:  # forms are submitted once each, whatever it takes
                pattern = _pattern(url)
                if self.links_per_pattern.get(pattern, 0) >= LINKS_PER_PATTERN:
                    continue
                self.links_per_pattern[pattern] = self.links_per_pattern.get(pattern, 0) + 1
            self.visit(url)
        for pattern in sorted({_pattern(u) for u in self.queue} - set(self.patterns)):
            self.findings.add("(not visited)", f"the budget of {MAX_SERVER_PAGES} pages "
                                               f"left {pattern} unvisited")

    def visit(self, url: str) -> None:
        self.visited.append(url)
        try:
            response = self.client.get(url, follow=True)
        except Exception as error:  # the test client re-raises a view's exception
            self.findings.add(url, f"server error {type(error).__name__}: {error} "
                                   f"(linked from {self.linked_from[url]})")
            return
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        final = _same_site(final, "http://testserver" + url) or final
        if response.status_code >= 400:
            self.findings.add(url, f"HTTP {response.status_code} "
                                   f"(linked from {self.linked_from[url]})")
            return
        if self.signed_in and final.startswith("/accounts/login/"):
            self.findings.add(url, f"sends a signed-in person to the sign-in page "
                                   f"(linked from {self.linked_from[url]})")
        if not response.get("Content-Type", "").startswith("text/html"):
            return
        for problem in _header_problems(response.headers):
            self.findings.add(url, problem)
        parser = PageParser()
        parser.feed(response.content.decode())
        for problem in parser.inline:
            self.findings.add(final, f"{problem} (the CSP blocks it)")
        if final not in self.kinds:
            self.patterns.setdefault(_pattern(final), []).append(final)
            self.kinds[final] = frozenset(parser.kinds)
        base = "http://testserver" + final
        for link in parser.hrefs:
            self.enqueue(link, base, final)
        for form, urls in parser.form_urls(base):  # each form once, whichever vendor
            if form not in self.forms_seen:
                self.forms_seen.add(form)
                for link in urls:
                    if target := self.enqueue(link, base, final):
                        self.form_urls.add(target)

    def enqueue(self, link: str, base: str, referrer: str) -> str | None:
        target = _same_site(link, base)
        if target and target not in self.linked_from:
            self.linked_from[target] = referrer
            self.queue.append(target)
        return target

    def samples(self, checked: dict[str, set]) -> list[str]:
        """What the browser opens: for each pattern, the pages (at most PAGES_PER_PATTERN)
        that show a kind of element — tag, classes, role and aria attributes — not yet
        opened on that pattern in this role or an earlier one (`checked`, updated). A role
        that sees other buttons, a record in another state, another badge colour: opened;
        the 30th contact's edit form: not."""
        samples = []
        for pattern, urls in self.patterns.items():
            seen = checked.setdefault(pattern, set())
            opened = 0
            for url in urls:
                if opened < PAGES_PER_PATTERN and not self.kinds[url] <= seen:
                    samples.append(url)
                    seen |= self.kinds[url]
                    opened += 1
        return samples


# ---------------------------------------------------------------------------------------
# 2. Every pattern, in a browser
# ---------------------------------------------------------------------------------------


def _axe_problems(page) -> list[str]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    results = page.evaluate(f"() => axe.run(document, {json.dumps(AXE_OPTIONS)})")
    problems = []
    for v in results["violations"]:
        if v["impact"] in SEVERE:
            for node in v["nodes"]:  # one line per kind of element: table rows look alike
                target = NTH_CHILD.sub("", " ".join(node["target"]))
                problems.append(f"axe {v['id']} ({v['impact']}): {v['help']}: {target}"
                                f"{_axe_detail(node)}")
    return problems


def _axe_detail(node: dict) -> str:
    """The numbers behind a colour-contrast failure; the message of any other check."""
    for check in node.get("any", []) + node.get("all", []) + node.get("none", []):
        data = check.get("data")
        if isinstance(data, dict) and "contrastRatio" in data:
            return (f" ({data.get('fgColor')} on {data.get('bgColor')}: "
                    f"{data['contrastRatio']}, needs {data.get('expectedContrastRatio')})")
    messages = [c["message"] for c in node.get("any", []) + node.get("all", [])]
    return f" ({messages[0]})" if messages else ""


def _console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    return errors


def _check_in_browser(page, origin: str, samples: list[str], findings: Findings) -> None:
    errors = _console_errors(page)
    for url in samples:
        errors.clear()
        response = page.goto(origin + url, wait_until="load")
        if response is None or response.status >= 400:
            findings.add(url, f"HTTP {response.status if response else 'no response'} "
                              "in the browser")
            continue
        problems = _header_problems(response.all_headers()) + _axe_problems(page)
        problems += [f"console: {e}" for e in errors]
        for problem in problems:
            findings.add(url, problem)


def _check_error_pages(page, origin: str, findings: Findings) -> None:
    """A page that does not exist, and one the role may not open: the right status, and
    otherwise as clean as any page."""
    errors = _console_errors(page)
    for url, status in (("/no-such-page/", 404), ("/vendors/new/", 403)):
        errors.clear()
        response = page.goto(origin + url)
        if response is None or response.status != status:
            findings.add(url, f"HTTP {response.status if response else 'no response'}, "
                              f"expected {status}")
            continue
        problems = _header_problems(response.all_headers()) + _axe_problems(page)
        # Chromium reports the error status of the page itself on the console.
        problems += [f"console: {e}" for e in errors if f"status of {status}" not in e]
        for problem in problems:
            findings.add(url, problem)


def _sign_in(page, origin: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{origin}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert not urlsplit(page.url).path.startswith("/accounts/login/"), "sign-in failed"


def test_every_page_as_every_role(page, live_server, client):
    """One load of the demo portfolio, then each role in turn (and nobody signed in)."""
    call_command("load_demo", stdout=io.StringIO())
    checked: dict[str, set] = {}  # pattern -> kinds of element axe has looked at
    reports, summary = [], []
    for username in [None, *ROLES]:
        who = f"{username} ({ROLES[username]})" if username else "nobody signed in"
        findings = Findings()
        page.context.clear_cookies()
        client.logout()
        if username:
            client.force_login(get_user_model().objects.get(username=username))
        crawl = ServerCrawl(client, findings, signed_in=bool(username))
        started = time.monotonic()
        crawl.run("/")
        server_seconds = time.monotonic() - started

        if username:
            _sign_in(page, live_server.url, username)
        samples = crawl.samples(checked)
        started = time.monotonic()
        _check_in_browser(page, live_server.url, samples, findings)
        if username == "sam":  # a stakeholder may not add vendors
            _check_error_pages(page, live_server.url, findings)

        summary.append(f"{who}: {len(crawl.visited)} pages ({len(crawl.patterns)} patterns) "
                       f"in {server_seconds:.0f} s, {len(samples)} of them in the browser "
                       f"in {time.monotonic() - started:.0f} s")
        if findings:
            reports.append(f"{len(findings)} problem(s) as {who}:\n{findings.report()}")
    print("\n".join(summary))
    assert not reports, "\n\n".join(reports)


def test_api_docs_load_without_console_errors(page, live_server, vendor_manager):
    """Swagger UI's page allows inline styles on purpose (vendorgov/urls.py); it must still
    load and render the schema without a console error."""
    _sign_in(page, live_server.url, "vera", "correct horse battery staple")
    errors = _console_errors(page)
    response = page.goto(f"{live_server.url}/api/docs/", wait_until="networkidle")
    assert response is not None and response.status == 200
    page.locator(".swagger-ui .opblock").first.wait_for()
    problems = [f"console: {e}" for e in errors] + _header_problems(response.all_headers())
    assert not problems, "/api/docs/:\n" + "\n".join(problems)


def test_the_checks_catch_what_they_look_for(page, live_server, vendor_manager):
    """The checks themselves: an unlabelled field, unreadable text and an inline script are
    reported, so a clean run means clean pages rather than a silent checker."""
    _sign_in(page, live_server.url, "vera", "correct horse battery staple")
    errors = _console_errors(page)
    page.evaluate("""() => {
        document.querySelector('main').insertAdjacentHTML('beforeend',
            '<input type="text" name="probe"><p class="text-white">faint</p>');
        const script = document.createElement('script');
        script.textContent = 'window.probe = 1';
        document.body.append(script);
    }""")
    problems = " ".join(_axe_problems(page))
    assert "axe label (critical)" in problems
    assert "axe color-contrast (serious)" in problems
    assert any("Content Security Policy" in e for e in errors), errors

    parser = PageParser()
    parser.feed('<p style="color:red" onclick="x()"></p><script>1</script>'
                '<script type="application/json">{}</script><script src="/a.js"></script>'
                '<style>p {}</style>')
    assert parser.inline == ["inline style= on <p>", "inline onclick= on <p>",
                             "inline <script>", "inline <style>"]
