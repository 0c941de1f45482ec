"""`rag ingest --rebuild`: where a rebuild is built, and swapping it in.

Owns the staging place beside the live index (a folder in the index folder and, on a
Chroma server, a collection beside the live one), swapping a finished rebuild in so
that a reader sees the old index or the new, never none, and recovering what an
interrupted rebuild left. Callers hold the ingest lock.
It does not ingest into the staging index (`ingest.py`), read or write an index
(`store.py`), or talk to Chroma but through `chroma.py`'s helpers.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .chroma import _drop, _exists, _forget_chroma_clients, _rename, _replaced, _server, _staged
from .config import Settings

STAGING = ".rebuild"  # where `rag ingest --rebuild` builds, inside the index folder
# What an embedded index is made of, moved together when a rebuild is swapped in. The
# databases go last, index.db the very last: readers reopen when it changes.
_INDEX_PARTS = ("chroma", "sentences.db", "index.db")


def discard(folder: Path) -> None:
    """Delete a folder of index parts, whatever state it is in."""
    _forget_chroma_clients()
    shutil.rmtree(folder, ignore_errors=True)


def staging(settings: Settings) -> Settings:
    """Where `rag ingest --rebuild` builds the new index while the old one answers: a
    folder in the index folder and, on a Chroma server, a collection beside the live one."""
    staged = settings.replace(index_dir=settings.index_dir / STAGING)
    return staged.replace(collection=_staged(settings.collection)) if settings.chroma_url else staged


def recover(settings: Settings) -> None:
    """Discard what an interrupted rebuild left (callers hold the ingest lock). One
    stopped while swapping on a server, before index.db moved, had renamed the live
    collection away: it comes back, to match the index.db that stayed."""
    folder = settings.index_dir / STAGING
    if settings.chroma_url:
        live = settings.collection
        with _server(settings) as client:
            _drop(client, _staged(live))
            if _exists(client, _replaced(live)):
                if (folder / "index.db").exists():
                    _drop(client, live)  # the new one, or an empty one a reader made meanwhile
                    _rename(client, _replaced(live), live)
                else:
                    _drop(client, _replaced(live))
    if folder.exists():
        discard(folder)


def swap_in(settings: Settings) -> None:
    """Replace the index by the one built in `staging(settings)` (same file system).

    Each database replaces the old one in a single rename, so a reader opening it sees
    the old index or the new, never none. On a server the collections are swapped
    first, by two renames a reader waits out (see `Index._await_swap`): readers that
    hold the old one keep reading it, by its id, until index.db changes under them and
    they reopen the collection by name; it is deleted after that."""
    if settings.chroma_url:
        live = settings.collection
        with _server(settings) as client:
            _drop(client, _replaced(live))
            if _exists(client, live):
                _rename(client, live, _replaced(live))
            _rename(client, _staged(live), live)
    _swap_files(settings.index_dir / STAGING, settings.index_dir)
    if settings.chroma_url:
        with _server(settings) as client:
            _drop(client, _replaced(settings.collection))


def _swap_files(staging: Path, index_dir: Path) -> None:
    """Move the index parts from `staging` into `index_dir`; the old one's journal files
    are deleted first, since beside the new database they would be replayed into it."""
    _forget_chroma_clients()
    old = index_dir / ".replaced"
    discard(old)
    old.mkdir()
    if (index_dir / "chroma").exists():
        os.replace(index_dir / "chroma", old / "chroma")
    if (staging / "chroma").exists():
        os.replace(staging / "chroma", index_dir / "chroma")
    for name in _INDEX_PARTS[1:]:
        for suffix in ("-wal", "-shm"):
            (index_dir / (name + suffix)).unlink(missing_ok=True)
        if (staging / name).exists():
            for suffix in ("-wal", "-shm"):  # a closed database has none; if one is left, it moves along
                if (staging / (name + suffix)).exists():
                    os.replace(staging / (name + suffix), index_dir / (name + suffix))
            os.replace(staging / name, index_dir / name)
        else:
            (index_dir / name).unlink(missing_ok=True)
    discard(old)
    discard(staging)
