"""Performance benchmarks: `rag bench ingest` and `rag bench ask`, and what they share.

Owns the command line of both (`register_bench`) and the helpers that they and `rag
bench app` share: peak memory of this process and of its children, the questions to
ask (a suite, evals/seed.jsonl or built-ins), and server processes: a free port,
stopping one, and a `chroma run` on loopback serving a copy of the index.
The benchmarks themselves are in `bench_ingest.py` and `bench_ask.py`. Figures are
printed, never asserted: nothing here fails because a machine is slow. It does not
change how anything runs.
"""

from __future__ import annotations

import json
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .config import Settings, project_root
from .errors import EvalError, IndexCorruptError, RagError

# Questions about the seed corpus, for when no suite is given and evals/seed.jsonl is absent.
BUILTIN_QUESTIONS = (
    "What did France reject?",
    "What is France now retreating from?",
    "Where are the small boats setting off from?",
    "Who is the UK's border security chief?",
    "What did the UK government hope France would do at sea?",
    "Why has France changed its position?",
    "What is the capital of Australia?",
    "How many people crossed the Channel in small boats?",
)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _children_peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def load_questions(suite: Path | None) -> tuple[str, list[str]]:
    """(where the questions came from, the questions): a JSONL suite with a `question`
    per line, a text file with one question per line, evals/seed.jsonl, or built-ins."""
    if suite is None:
        default = project_root() / "evals" / "seed.jsonl"
        if not default.is_file():
            return "built-in", list(BUILTIN_QUESTIONS)
        suite = default
    suite = Path(suite)
    try:
        lines = [line.strip() for line in suite.read_text(encoding="utf-8").splitlines()]
    except OSError as exc:
        raise EvalError(f"cannot read the suite {suite}: {exc.strerror or exc}") from None
    questions = []
    for n, line in enumerate(lines, 1):
        if not line or line.startswith("#"):
            continue
        if suite.suffix == ".jsonl":
            try:
                question = json.loads(line).get("question")
            except (ValueError, AttributeError):
                raise EvalError(f"{suite}:{n} is not a JSON object") from None
            if not isinstance(question, str) or not question.strip():
                raise EvalError(f"{suite}:{n} has no 'question'")
            questions.append(question)
        else:
            questions.append(line)
    if not questions:
        raise EvalError(f"the suite {suite} has no questions")
    return str(suite), questions


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(proc: subprocess.Popen, timeout: float = 20.0) -> None:
    """Ask a server we started to stop; kill it if it does not within `timeout`."""
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _wait_heartbeat(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise IndexCorruptError(f"the Chroma server exited with {proc.returncode} before it answered")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise IndexCorruptError(f"the Chroma server at {url} did not answer within {timeout:.0f} s")


@contextmanager
def served_copy(settings: Settings) -> Iterator[Settings]:
    """The configured embedded index, served by a `chroma run` on loopback: its vectors
    copied into the server and its SQLite file alongside, nothing embedded again."""
    from .store import Index

    exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if exe is None:
        raise RagError("the `chroma` command is not installed (it comes with the chromadb package)")
    source = Index(settings)
    source.check_settings()
    with tempfile.TemporaryDirectory(prefix="rag-bench-server-") as tmp:
        port = _free_port()
        proc = subprocess.Popen(
            [exe, "run", "--path", str(Path(tmp) / "server"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_heartbeat(url, proc)
            served = settings.replace(index_dir=Path(tmp) / "index", chroma_url=url)
            served.index_dir.mkdir()
            with sqlite3.connect(str(served.index_dir / "index.db")) as copy:
                source.db.backup(copy)
            for extra in settings.index_dir.glob("*.db"):  # what search keeps beside the index
                if extra.name != "index.db":
                    with sqlite3.connect(str(extra)) as db, sqlite3.connect(str(served.index_dir / extra.name)) as copy:
                        db.backup(copy)
            target = Index(served)
            origin, dest = source.collection(), target.collection()
            total, page = origin.count(), 2000
            for offset in range(0, total, page):
                got = origin.get(include=["embeddings", "documents", "metadatas"], limit=page, offset=offset)
                dest.upsert(ids=got["ids"], embeddings=got["embeddings"], documents=got["documents"],
                            metadatas=got["metadatas"])
            source.close()
            target.close()
            yield served
        finally:
            stop_process(proc)


# -- command line ------------------------------------------------------------------
def _emit(result, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(result.summary())


def cmd_bench_ingest(args, settings: Settings) -> int:
    from .bench_ingest import bench_ingest

    keep = Path(args.keep_index) if args.keep_index else None
    result = bench_ingest(settings, Path(args.path) if args.path else None, keep_index=keep,
                          raw_sample=args.raw_sample)
    _emit(result, args.json)
    return 0


def cmd_bench_ask(args, settings: Settings) -> int:
    from .bench_ask import bench_ask

    suite = Path(args.suite) if args.suite else None
    if args.chroma_server:
        with served_copy(settings) as served:
            result = bench_ask(served, suite, cold_runs=args.cold_runs)
    else:
        result = bench_ask(settings, suite, cold_runs=args.cold_runs)
    _emit(result, args.json)
    return 0


def register_bench(bench_subparsers) -> None:
    """Add `ingest` and `ask` to the `rag bench` subcommands."""
    p = bench_subparsers.add_parser("ingest", help="ingest throughput against the embedding model alone")
    p.add_argument("path", nargs="?", metavar="PATH", help="corpus (default: the documents folder)")
    p.add_argument("--keep-index", metavar="DIR", help="build the index in this empty folder and keep it")
    p.add_argument("--raw-sample", type=int, metavar="N",
                   help="time the model alone on a random N of the chunks (default: all)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench_ingest)

    p = bench_subparsers.add_parser("ask", help="warm answer latency by stage, cold start, memory")
    p.add_argument("suite", nargs="?", metavar="SUITE",
                   help="questions: JSONL with 'question', or one per line (default: evals/seed.jsonl)")
    p.add_argument("--cold-runs", type=int, default=3, help="fresh processes for the cold start (0: skip)")
    p.add_argument("--chroma-server", action="store_true",
                   help="serve a copy of the index from a `chroma run` on loopback and search through it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench_ask)
