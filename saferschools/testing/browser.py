"""Browser testing: a real headless Chromium through Playwright, and axe-core checks.

Loaded by the root conftest as a pytest plugin, so that every app's browser tests share one
browser. Mark such a module with ``BROWSER_TEST_MARKS`` and use the ``page`` or
``new_context`` fixtures, ``sign_in`` and ``assert_accessible``.

Playwright's sync API keeps an event loop running in the main thread while the browser is up,
which Django's async-unsafe check would take for an async context: Django documents
DJANGO_ALLOW_ASYNC_UNSAFE for exactly this. It is set when this plugin loads and holds for the
test process, since the browser stays up until the session ends.
"""

import os
import re

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# The pages allow scripts from their own origin only (script-src 'self'), so axe cannot be
# added as an inline script without switching the policy off. Instead it is added by URL on the
# page's own origin, and Playwright answers that URL from the built file: the policy stays on in
# every test, and the server under test never serves axe.
AXE_PATH = "/__browser-tests__/axe.min.js"

SIGN_IN = "/account/sign-in/"
PHONE = {"width": 375, "height": 667}


@pytest.fixture(scope="session")
def browser():
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Django keeps its connections per thread, but per async context in a thread where an event
    # loop runs, as it does here from the moment Playwright starts. Without this, the tests would
    # get fresh connections that know nothing of the test database set up before (its
    # serialized contents for rollback, the connection the live server shares).
    wrappers = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, wrapper in wrappers.items():
            connections[alias] = wrapper
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Open browser contexts on the live server; each is closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        context.route(
            f"{live_server.url}{AXE_PATH}",
            lambda route: route.fulfill(path=AXE, content_type="text/javascript"),
        )
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now, for WCAG 2.2 A and AA."""
    assert AXE.is_file(), f"{AXE} is missing: install the front-end packages with `npm ci`"
    page.add_script_tag(url=AXE_PATH)
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return results.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({
                    target: n.target.join(' '),
                    html: n.html,
                    summary: n.failureSummary,
                })),
            }));
        }""",
        AXE_TAGS,
    )


def describe(violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  at {node['target']}: {node['html'][:200]}")
            lines.append("    " + node["summary"].replace("\n", "\n    "))
    return "\n".join(lines)


def _is_conditional_reveal_state(node: dict) -> bool:
    return (
        'class="govuk-radios__input"' in node["html"]
        and "aria-controls=" in node["html"]
        and re.fullmatch(
            r"Fix all of the following:\s+ARIA attribute is not allowed: "
            r'aria-expanded="(true|false)"',
            node["summary"].strip(),
        )
        is not None
    )


def assert_accessible(page) -> None:
    """axe-core finds nothing, but for one known finding: GOV.UK Frontend's conditional reveal
    sets aria-expanded on its radios, against the ARIA specification but on purpose, since
    screen readers announce it (alphagov/govuk-frontend issue 979). Only that attribute, on
    such a radio, is let through."""
    violations = []
    for violation in axe_violations(page):
        if violation["id"] == "aria-allowed-attr":
            violation["nodes"] = [
                node for node in violation["nodes"] if not _is_conditional_reveal_state(node)
            ]
            if not violation["nodes"]:
                continue
        violations.append(violation)
    assert not violations, describe(violations)


def sign_in(page, email: str, password: str) -> None:
    page.goto(SIGN_IN)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@dataclass
class Watch:
    """What a page reports while a test drives it."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def csp_violations(self, page) -> list[str]:
        return page.evaluate("window.__cspViolations || []")


def watch(page) -> Watch:
    seen = Watch()

    def on_console(message) -> None:
        if message.type == "error":
            seen.console_errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.page_errors.append(str(error)))
    page.on("request", lambda request: seen.requests.append(request.url))
    # Init scripts run outside the page's policy, so this listener is there before any content.
    page.add_init_script(
        """document.addEventListener('securitypolicyviolation', (e) => {
            (window.__cspViolations = window.__cspViolations || []).push(
                `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`
            );
        });"""
    )
    return seen


BROWSER_TEST_MARKS = [
    pytest.mark.browser,
    # The live server runs in its own thread, so data must be committed; the serialized
    # rollback puts back what migrations created (the audit chain's head) for each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]
