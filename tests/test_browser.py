"""The app in a real browser: `streamlit run` on 127.0.0.1, driven by headless Chromium.

A person types the question (the welcome's example buttons must go at once, not linger
under the answer), reads the streamed answer, opens its source card and the whole
document with the quote highlighted; the page is saved as a screenshot under
`test-output/browser/`. A second question brings back a document carrying `<script>`,
`<img onerror>`, a Markdown image and link whose host is a loopback server standing in
for a remote one, bare addresses and emphasis: the text must show literally, nothing
may be a link, no script may run and that server must never be asked for the image.
"""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import FRANCE_SOURCE, ROOT, SEED_DOCS


pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
OUTPUT = ROOT / "test-output" / "browser"
WAIT_MS = 180_000  # the app loads the embedding model on its first question
PLACEHOLDER_TEXT = "Ask a question about your documents"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Beacon(http.server.BaseHTTPRequestHandler):
    """Records every request: an image fetched from here is a leak."""

    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        Beacon.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def beacon():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Beacon)
    Beacon.hits = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser_available():
    """Chromium and Playwright, which `make test` installs (Chromium when run as root)."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (make browser installs it)")
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, real_embedder, beacon, browser_available):
    from rag.config import Settings
    from rag.ingest import ingest

    tmp_path = tmp_path_factory.mktemp("browser")
    docs = tmp_path / "docs"
    shutil.copytree(SEED_DOCS, docs)
    (docs / "harbour.txt").write_text(
        "Harbour log\n\nThe lighthouse keeper logged a violent storm at midnight "
        "<script>alert('owned')</script> and <img src=x onerror=alert(1)> "
        f"![tracker]({beacon}/pixel.png) in the north tower.\n"
        "The lighthouse keeper logged *the pier* and _the dock_ flooded: see "
        f"[the chart]({beacon}/chart.png), {beacon}/report, www.example.com or keeper@example.com "
        "for <b>details</b>.\n",
        encoding="utf-8",
    )
    settings = Settings.load(docs_dir=docs, index_dir=tmp_path / "index")
    ingest(settings, embedder=real_embedder)

    port = free_port()
    env = {**os.environ, "RAG_DOCS_DIR": str(docs), "RAG_INDEX_DIR": str(tmp_path / "index"),
           "HF_HUB_OFFLINE": "1"}
    log = open(tmp_path / "streamlit.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the app did not start: " + (tmp_path / "streamlit.log").read_text(errors="replace")[-2000:])
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def launch(p):
    return p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def test_question_answer_and_source_card_in_a_real_browser(app_url, beacon, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    requests: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda request: requests.append(request.url))
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(app_url)

            box = page.get_by_placeholder(PLACEHOLDER_TEXT)
            expect(box).to_be_visible(timeout=60_000)
            example = page.get_by_role("button", name="Why does France not intercept boats at sea?")
            expect(example).to_be_visible()
            box.fill("What did France reject?")
            box.press("Enter")
            # The welcome's example buttons go as the question is sent, not when its answer
            # (which loads the model first) ends: they used to linger, faded, under it.
            expect(page.locator("[data-testid='stChatMessage']").first).to_be_visible(timeout=WAIT_MS)
            assert example.count() == 0
            expect(page.get_by_text("French officials have swiftly rejected").first).to_be_visible(timeout=WAIT_MS)
            card = page.locator("summary", has_text=FRANCE_SOURCE).first
            expect(card).to_be_visible(timeout=WAIT_MS)
            card.click()
            quote = page.locator("details[open] strong", has_text="French officials have swiftly rejected")
            expect(quote.first).to_be_visible(timeout=30_000)
            quote.first.scroll_into_view_if_needed()
            page.wait_for_timeout(600)  # let the card finish opening before the screenshot
            OUTPUT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(tmp_path / "chat.png"))
            shutil.copy(tmp_path / "chat.png", OUTPUT / "chat.png")

            # The toggle reruns the page, which then draws the answer from the history:
            # the card stays open and shows the whole document (it used to snap shut).
            opened = page.locator("details[open]", has_text=FRANCE_SOURCE).first
            opened.get_by_text("Show the whole document").click()
            expect(opened.get_by_text("UK Home Secretary Demands France").first).to_be_visible(timeout=30_000)
            page.wait_for_timeout(1500)  # any rerun has landed
            expect(page.locator("details[open]", has_text=FRANCE_SOURCE)).to_have_count(1)
            highlighted = opened.locator(".stMarkdownColoredBackground strong", has_text="French officials have")
            expect(highlighted.first).to_be_visible()

            box.fill("What did the lighthouse keeper log?")
            box.press("Enter")
            expect(page.get_by_text("<script>alert('owned')</script>").first).to_be_visible(timeout=WAIT_MS)
            expect(page.get_by_text("onerror=alert(1)").first).to_be_visible()
            # As typed: the address shown as code, which is never linked and copies as written.
            expect(page.get_by_text(f"![tracker]({beacon}/pixel.png)").first).to_be_visible()
            expect(page.locator("[data-testid='stChatMessage'] code", has_text=f"{beacon}/pixel.png").first).to_be_visible()
            page.locator("summary", has_text="harbour.txt").first.click()
            harbour = page.locator("details[open]", has_text="harbour.txt").first
            harbour.get_by_text("Show the whole document").click()
            expect(harbour.get_by_text("The quote is highlighted")).to_be_visible(timeout=30_000)
            page.wait_for_timeout(1500)  # give any image a chance to load before counting requests
            page.screenshot(path=str(OUTPUT / "hostile.png"), full_page=True)
            assert page.locator(f"img[src*='{beacon}'], img[src='x'], [data-testid='stMain'] script").count() == 0
            # Link syntax, bare addresses and emphasis in a document: shown as typed, nothing clickable.
            expect(harbour.get_by_text("*the pier* and _the dock_ flooded: see [the chart](").first).to_be_visible()
            messages = page.locator("[data-testid='stChatMessage']")
            assert messages.locator("a").count() == 0 and messages.locator("em").count() == 0
        finally:
            browser.close()
    assert dialogs == []
    assert Beacon.hits == []
    assert all(url.startswith(app_url) or url.startswith("data:") for url in requests), \
        sorted({u for u in requests if not u.startswith(app_url)})


def test_two_sessions_asking_at_once_get_their_own_answers(app_url):
    from playwright.sync_api import expect, sync_playwright

    asked = {"What did France reject?": "French officials have swiftly rejected",
             "Who is the UK border security chief?": "Martin Hewitt"}
    with sync_playwright() as p:
        browser = launch(p)
        try:
            pages = {}
            for question in asked:  # one browser context each: separate sessions
                page = browser.new_context().new_page()
                page.goto(app_url)
                expect(page.get_by_placeholder(PLACEHOLDER_TEXT)).to_be_visible(timeout=60_000)
                pages[question] = page
            for question, page in pages.items():  # both submitted before either is answered
                box = page.get_by_placeholder(PLACEHOLDER_TEXT)
                box.fill(question)
                box.press("Enter")
            for question, page in pages.items():
                expect(page.get_by_text(asked[question]).first).to_be_visible(timeout=WAIT_MS)
            for question, page in pages.items():
                messages = page.locator("[data-testid='stChatMessage']")
                expect(messages).to_have_count(2)
                other = next(q for q in asked if q != question)
                expect(page.get_by_text(other)).to_have_count(0)
        finally:
            browser.close()


def test_bench_app_measures_the_served_app(real_seed_settings, tmp_path, monkeypatch, capsys, browser_available):
    import json

    from rag.cli import main

    suite = tmp_path / "questions.txt"
    suite.write_text("What did France reject?\nWho is the UK's border security chief?\nWhat is the capital of Peru?\n")
    monkeypatch.setenv("RAG_DOCS_DIR", str(real_seed_settings.docs_dir))
    monkeypatch.setenv("RAG_INDEX_DIR", str(real_seed_settings.index_dir))
    assert main(["bench", "app", str(suite), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["questions"] == 3 and out["sessions"] == 2
    assert out["page_ready_seconds"] > 0 and out["first_answer_seconds"] > 0
    assert set(out["answer_ms"]) == {"p50", "p95"} and out["answer_ms"]["p50"] > 0
    assert 0 < out["rss_mb"] <= out["peak_rss_mb"]
    assert out["targets"]["peak_rss_mb"]["target"] == 1536


def test_bench_app_without_an_index_is_one_line(tmp_path, monkeypatch, capsys):
    from rag.cli import main

    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "none"))
    assert main(["bench", "app"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: no index at") and "rag ingest" in err[0]
