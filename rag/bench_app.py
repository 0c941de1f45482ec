"""`rag bench app`: the Streamlit app as its users meet it, in a real browser.

Owns measuring the served app: `streamlit run app.py` on loopback over the configured
index, headless Chromium sessions asking a suite's questions, and the figures a person
notices (time until the page can take a question, time to the first answer, answer
time once warm) next to the server's memory (peak RSS of the Streamlit process). It
needs the test extras (`playwright`) and a Chromium (`make browser`). It changes
nothing and asserts nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .config import Settings, project_root
from .errors import ConfigError, RagError

TARGET_RSS_MB = 1536.0  # the app serving the seed corpus
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PLACEHOLDER = "Ask a question about your documents"
WAIT_MS = 180_000


@dataclass
class AppBench:
    suite: str
    sessions: int
    questions: int  # asked in all, across sessions
    server_start_seconds: float  # `streamlit run` until its health check answers
    page_ready_seconds: float  # first visit until the question box takes input
    first_answer_seconds: float  # the first question, sent then, until its answer shows
    answer_ms: dict[str, float]  # warm: question sent until the answer shows, p50/p95
    rss_mb: float  # the Streamlit process after every answer
    peak_rss_mb: float
    targets: dict[str, dict]

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    def summary(self) -> str:
        return "\n".join([
            f"suite           {self.suite} ({self.questions} questions in {self.sessions} browser sessions)",
            f"server start    {self.server_start_seconds:.2f} s (streamlit run until healthy)",
            f"page ready      {self.page_ready_seconds:.2f} s (first visit until the question box is shown)",
            f"first answer    {self.first_answer_seconds:.2f} s (asked at once, while the model may still load)",
            f"warm answer     p50 {self.answer_ms['p50']:.0f} ms, p95 {self.answer_ms['p95']:.0f} ms "
            "(in the browser: sent until shown)",
            f"server memory   {self.rss_mb:.0f} MB RSS, peak {self.peak_rss_mb:.0f} MB "
            f"(target < {TARGET_RSS_MB:.0f} MB)",
        ])


def _rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process, in MB (Linux)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise ConfigError("rag bench app needs Chromium (make browser installs it)")


def bench_app(settings: Settings, suite: Path | None = None, *, sessions: int = 2) -> AppBench:
    from .perf import _free_port, load_questions, stop_process

    if not (settings.index_dir / "index.db").exists():
        raise RagError(f"no index at {settings.index_dir}: run `rag ingest` first")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ModuleNotFoundError:
        raise ConfigError("rag bench app needs playwright (pip install -e '.[test]')") from None
    chromium = _chromium()
    source, questions = load_questions(suite)
    sessions = max(1, min(sessions, len(questions)))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "RAG_DOCS_DIR": str(settings.docs_dir), "RAG_INDEX_DIR": str(settings.index_dir),
           "RAG_LLM": "none", "HF_HUB_OFFLINE": "1"}
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(project_root() / "app.py"), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=project_root(), env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            server_start = _wait_healthy(url, proc, log)
            server_start -= started
            latencies: list[float] = []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                try:
                    pages = []
                    t0 = time.perf_counter()
                    page = browser.new_context().new_page()
                    page.goto(url)
                    expect(page.get_by_placeholder(PLACEHOLDER)).to_be_visible(timeout=WAIT_MS)
                    page_ready = time.perf_counter() - t0
                    pages.append(page)
                    for _ in range(sessions - 1):  # one browser context each: separate sessions
                        other = browser.new_context().new_page()
                        other.goto(url)
                        expect(other.get_by_placeholder(PLACEHOLDER)).to_be_visible(timeout=WAIT_MS)
                        pages.append(other)
                    first = _ask(pages[0], questions[0], expect, 1)
                    asked = [1] + [0] * (len(pages) - 1)
                    for n, question in enumerate(questions[1:], 1):
                        i = n % len(pages)
                        asked[i] += 1
                        latencies.append(_ask(pages[i], question, expect, asked[i]))
                finally:
                    browser.close()
            rss, peak = _rss_mb(proc.pid)
        finally:
            stop_process(proc)
    ms = np.array(latencies or [first], dtype=float) * 1000
    return AppBench(
        suite=source, sessions=sessions, questions=len(questions),
        server_start_seconds=round(server_start, 2), page_ready_seconds=round(page_ready, 2),
        first_answer_seconds=round(first, 2),
        answer_ms={"p50": round(float(np.percentile(ms, 50)), 1), "p95": round(float(np.percentile(ms, 95)), 1)},
        rss_mb=round(rss, 1), peak_rss_mb=round(peak, 1),
        targets={"peak_rss_mb": {"target": TARGET_RSS_MB, "met": peak < TARGET_RSS_MB}},
    )


def _wait_healthy(url: str, proc: subprocess.Popen, log, timeout: float = 120.0) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return time.perf_counter()
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    log.seek(0)
    tail = log.read().decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
    raise RagError(f"the app did not start: {tail[0]}")


def _ask(page, question: str, expect, nth: int) -> float:
    """Send a question; seconds until its answer (the nth assistant message) is shown
    whole: the caption naming the answer's mode is drawn after the answer is complete."""
    box = page.get_by_placeholder(PLACEHOLDER)
    box.fill(question)
    started = time.perf_counter()
    box.press("Enter")
    done = page.locator("[data-testid='stChatMessage']").nth(2 * nth - 1).locator(
        "[data-testid='stCaptionContainer']", has_text="answer")
    expect(done.first).to_be_visible(timeout=WAIT_MS)
    return time.perf_counter() - started


def cmd_bench_app(args, settings: Settings) -> int:
    result = bench_app(settings, Path(args.suite) if args.suite else None, sessions=args.sessions)
    print(json.dumps(result.to_json(), indent=2) if args.json else result.summary())
    return 0


def register_bench(bench_subparsers) -> None:
    p = bench_subparsers.add_parser("app", help="the served app in a real browser: page ready, answers, memory")
    p.add_argument("suite", nargs="?", metavar="SUITE",
                   help="questions: JSONL with 'question', or one per line (default: evals/seed.jsonl)")
    p.add_argument("--sessions", type=int, default=2, help="browser sessions asking in turn (default 2)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench_app)
