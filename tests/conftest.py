"""Shared test set-up: draw off-screen, the repository's paths, ``tools/`` importable, and a real browser.

Under CI (the environment variable ``CI`` set, as GitHub Actions and
``.ci/run`` do), a test that needs something missing (a fresh build of the
book, Chromium) fails instead of skipping: :func:`need` decides.
"""

import os
import pathlib
import re
import shutil
import sys

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"))), None)
# Every page must work offline: a request to the network fails the page's test.
NETWORK = re.compile(r"^(https?|wss?)://")


def pytest_configure(config):
    """Compare the chapters' stored outputs with the book build's run of them (see ``stored_outputs.py``)."""
    import stored_outputs

    config.pluginmanager.register(stored_outputs, "stored-outputs")


def need(problem):
    """Skip the running test because of ``problem`` (a sentence), or fail it under CI; do nothing if ``problem`` is None."""
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"CI runs every test, but {problem}", pytrace=False)
    pytest.skip(problem)


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test made, so figures never pile up across tests."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def browser():
    """The system's headless Chromium, driven by Playwright (no browser download)."""
    need(None if CHROMIUM else "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def recording_page(context):
    """A new page of ``context`` that records its JavaScript errors and failed requests in ``page.js_errors``.

    Uncaught exceptions, ``console.error`` messages, blocked network requests
    and requests that fail (a missing file) are recorded; a test asserts that
    the list is empty.
    """
    tab = context.new_page()
    tab.js_errors = []
    context.route(NETWORK, lambda route: (tab.js_errors.append(f"network request: {route.request.url}"), route.abort()))
    tab.on("pageerror", lambda error: tab.js_errors.append(f"uncaught {error.name}: {error.message}"))
    tab.on("console", lambda message: message.type == "error" and tab.js_errors.append(f"console.error: {message.text}"))
    tab.on("requestfailed", lambda request: tab.js_errors.append(f"failed request: {request.url} ({request.failure})"))
    return tab


@pytest.fixture
def page(browser):
    """A fresh desktop browser page, offline, recording its errors (:func:`recording_page`)."""
    context = browser.new_context()
    yield recording_page(context)
    context.close()


@pytest.fixture
def phone(browser):
    """A fresh 390 px wide touch screen, as a phone reader has, offline, recording its errors."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    yield recording_page(context)
    context.close()
