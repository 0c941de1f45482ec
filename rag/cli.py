"""The `rag` command line: config, ingest, retrieve (and the commands other modules add).

Owns parsing arguments, printing results for people or as JSON, and turning expected
errors into one line on stderr with a non-zero exit. No pipeline logic lives here.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

from .config import Settings, check_top_k, unknown_variables
from .errors import RagError


def _print_json(data) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def cmd_config(args, settings: Settings) -> int:
    described = settings.describe()
    if args.json:
        _print_json(described)
    else:
        width = max(map(len, described))
        for name, value in described.items():
            print(f"{name.ljust(width)}  {value}")
    return 0


def _progress_bar():
    if not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=0, unit="file", file=sys.stderr, leave=False)

    def update(done: int, total: int, source: str) -> None:
        bar.total = total
        bar.n = done
        bar.set_postfix_str(source[-40:], refresh=True)

    return update, bar


def cmd_ingest(args, settings: Settings) -> int:
    from .ingest import ingest

    progress, bar = _progress_bar()
    try:
        report = ingest(settings, [Path(p) for p in args.paths] or None, rebuild=args.rebuild, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        _print_json(report.to_json())
    else:
        print(report.summary())
    return 0


def cmd_retrieve(args, settings: Settings) -> int:
    from .answer import clean
    from .retrieve import Searcher, indexed_sources

    question = clean(args.question, settings)  # the same hygiene and length limit as `rag ask`
    searcher = Searcher(settings)
    sources = indexed_sources(args.source, searcher.index, settings, "--source") if args.source else None
    hits = searcher.search(question, args.k, sources)
    rows = [
        {
            "rank": n, "chunk_id": h.chunk.chunk_id, "source": h.chunk.source, "title": h.chunk.title,
            "score": round(h.score, 6), "start": h.chunk.start, "end": h.chunk.end, "text": h.chunk.text,
        }
        for n, h in enumerate(hits, 1)
    ]
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("No passages found.")
    for row in rows:
        print(f"[{row['rank']}] {row['source']}  score {row['score']:.4f}  chars {row['start']}-{row['end']}")
        print("    " + row["text"].replace("\n", "\n    "))
        print()
    return 0


class _Parser(argparse.ArgumentParser):
    """Usage mistakes in one line, as every other error, naming the help to read; exit
    status 2, as argparse and most tools use for them."""

    def error(self, message: str):
        self.exit(2, f"error: {self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rag", description="Ask questions of your documents, with cited answers.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("config", help="print the resolved settings")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_config)

    p = sub.add_parser("ingest", help="index the documents folder (or PATHs)")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--rebuild", action="store_true", help="build a new index from scratch beside the old one, which answers until the new one is complete")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("retrieve", help="print the passages ranked for a question")
    p.add_argument("question")
    p.add_argument("--k", type=int, default=None, help="passages to retrieve (1 to 50)")
    p.add_argument("--source", action="append",
                   help="only this source file, a path relative to the documents folder (repeatable)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_retrieve)

    for name in _EXTENSIONS:
        module = importlib.import_module(name)
        register = getattr(module, "register_cli", None)
        if register is not None:
            register(sub)
    return parser


# Modules that add their own subcommands through `register_cli(subparsers)`; each
# keeps heavy imports inside its command functions so `rag --help` stays fast.
_EXTENSIONS = ["rag.answer", "rag.chat", "rag.reports", "rag.bench"]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        k = getattr(args, "k", None)
        if k is not None:
            check_top_k(k, "--k")
        for line in unknown_variables():  # before the settings, whose error may stop the command
            print(f"warning: {line}", file=sys.stderr)
        settings = Settings.load(**({"top_k": k} if k is not None else {}))
        code = args.func(args, settings)
        sys.stdout.flush()  # inside the try: a closed pipe shows up here, not at exit
        return code
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (`| head`) went away: stop quietly, as Unix tools do. Point stdout
        # at devnull so the interpreter's final flush does not raise again.
        _silence_stdout()
        return 1  # the recipe in Python's signal documentation


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout replaced by something without a descriptor
        pass


if __name__ == "__main__":
    sys.exit(main())
