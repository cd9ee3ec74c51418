"""Lighthouse mobile performance of the built book's pages, served with gzip as a web host would.

Usage: python benchmarks/lighthouse.py [--runs N] [page ...]   (default: every chapter, 3 runs)

Needs the built book (``jupyter-book build .``), Chromium, and Lighthouse
from npm (``npm i lighthouse@12``; 13.x needs Node 22): set ``LIGHTHOUSE`` to
its command (default ``npx lighthouse``) and ``CHROME_PATH`` to Chromium. The
book is served from ``_build/html`` by a small threaded HTTP server that
gzips text (HTML, CSS, JS, SVG, JSON); Lighthouse then runs its default
mobile test (simulated slow 4G, 4x CPU slowdown, 412 px wide screen). It
prints, for each page, the median performance score of ``--runs`` runs (as
Lighthouse's documentation advises: one run varies by several points), the
lowest, and the main metrics of the median run. Not a test: the score
depends on the machine and its load.
"""

import argparse
import statistics

import functools
import gzip
import http.server
import json
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading

ROOT = pathlib.Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
TEXT = (".html", ".css", ".js", ".svg", ".json", ".txt")
METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
)


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files, gzipping text when the browser accepts it, over kept-alive connections (as GitHub Pages does).

    HTTP/1.1: the browser reuses its connections, as it does with a web host
    (which speaks HTTP/2); http.server's default HTTP/1.0 opens one per file,
    and Lighthouse would charge each a new connection.
    """

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_head(self):
        path = pathlib.Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not (path.is_file() and path.suffix in TEXT and "gzip" in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)


class _Body:
    def __init__(self, data):
        self.data = data

    def read(self, *_):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


def serve():
    """Start the gzip server on a free port; return (server, base URL)."""
    handler = functools.partial(GzipHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def lighthouse(url, chrome):
    """Lighthouse's JSON report of ``url`` (mobile, performance only)."""
    command = shlex.split(os.environ.get("LIGHTHOUSE", "npx lighthouse"))
    with tempfile.TemporaryDirectory() as folder:
        report = pathlib.Path(folder) / "report.json"
        subprocess.run(
            [*command, url, "--only-categories=performance", "--form-factor=mobile", "--output=json",
             f"--output-path={report}", f"--chrome-path={chrome}", "--quiet",
             "--chrome-flags=--headless=new --no-sandbox"],
            check=True,
        )
        return json.loads(report.read_text(encoding="utf-8"))


def main(pages, runs):
    chrome = os.environ.get("CHROME_PATH") or shutil.which("chromium") or shutil.which("google-chrome")
    if not HTML.exists() or chrome is None:
        sys.exit("needs the built book (_build/html) and Chromium (CHROME_PATH)")
    pages = pages or [f"chapters/{p.name}" for p in sorted((HTML / "chapters").glob("*.html"))]
    server, base = serve()
    try:
        for page in pages:
            reports = sorted((lighthouse(base + page, chrome) for _ in range(runs)), key=score)
            median = reports[len(reports) // 2]
            shown = ", ".join(f"{m}: {median['audits'][m]['displayValue']}" for m in METRICS)
            scores = [score(r) for r in reports]
            print(f"{page}: performance {statistics.median(scores):g} (lowest {scores[0]} of {runs}; {shown})", flush=True)
    finally:
        server.shutdown()


def score(report):
    """A report's performance score, 0 to 100."""
    return round(100 * report["categories"]["performance"]["score"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="pages of _build/html (default: every chapter)")
    parser.add_argument("--runs", type=int, default=3, help="runs per page; the median is reported (default 3)")
    arguments = parser.parse_args()
    if arguments.runs < 1:
        parser.error(f"--runs must be at least 1, got {arguments.runs}")
    main(arguments.pages, arguments.runs)
