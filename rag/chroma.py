"""Reaching Chroma: embedded under `index_dir/chroma`, or a server at `RAG_CHROMA_URL`.

Owns the client for a set of settings, the process-wide lock that Chroma calls take
turns under (embedded Chroma shares one client state per folder) and the collection
wrapper that takes it, forgetting cached client states, and the server's side of a
rebuild: the names of the collection being built and the one being replaced,
checking, dropping and renaming collections, how long a reader waits out a swap, and
one clear error for a server that does not answer.
It does not decide what is stored or read (`store.py`), nor when a rebuild is built
or swapped in (`rebuild.py`).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from urllib.parse import urlparse

from .config import Settings
from .errors import ConfigError, IndexCorruptError


def _chroma_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url if "//" in settings.chroma_url else f"http://{settings.chroma_url}")
        if not url.hostname:
            raise ConfigError(f"RAG_CHROMA_URL is not a URL: {settings.chroma_url!r}")
        ssl = url.scheme == "https"
        return chromadb.HttpClient(
            host=url.hostname, port=url.port or (443 if ssl else 8000), ssl=ssl, settings=chroma_settings
        )
    return chromadb.PersistentClient(path=str(settings.index_dir / "chroma"), settings=chroma_settings)


# Embedded Chroma keeps one client state per folder for the whole process, and every
# client looks it up on each call: while one thread opens a fresh state (to see what
# another process wrote), a call from another thread (an ingest running in the app's
# background) would reach a state not yet started. So opening and every call take turns.
_CHROMA = threading.RLock()


class _Serialised:
    """A Chroma collection whose calls take turns with every other Chroma call here."""

    def __init__(self, collection):
        self._collection = collection

    def __getattr__(self, name: str):
        attr = getattr(self._collection, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            with _CHROMA:
                return attr(*args, **kwargs)

        return call


SWAP_WAIT_S = 2.0  # how long a reader waits for a server collection a rebuild is swapping in


def _staged(collection: str) -> str:
    return f"{collection}-rebuild"  # where a rebuild builds on a Chroma server


def _replaced(collection: str) -> str:
    return f"{collection}-replaced"  # where the live collection waits while one is swapped in


def _unreachable(settings: Settings, exc: Exception) -> IndexCorruptError:
    # Chroma's client says only that it could not connect (a ValueError): what to check is more use.
    return IndexCorruptError(f"the Chroma server at {settings.chroma_url} is not reachable: is it running, "
                             "and are RAG_CHROMA_URL's host and port right?")


def _exists(client, name: str) -> bool:
    from chromadb.errors import NotFoundError

    try:
        client.get_collection(name, embedding_function=None)
    except NotFoundError:
        return False
    return True


def _drop(client, name: str) -> None:
    from chromadb.errors import NotFoundError

    try:
        client.delete_collection(name)
    except NotFoundError:
        pass


def _rename(client, name: str, new_name: str) -> None:
    client.get_collection(name, embedding_function=None).modify(name=new_name)


@contextmanager
def _server(settings: Settings):
    """A client of the Chroma server; one that does not answer is one clear error. Its
    calls do not take turns with the others here (that is for embedded Chroma's shared
    state): a reader in another thread waits for a swap without holding them up."""
    from chromadb.errors import ChromaError

    try:
        with _CHROMA:
            client = _chroma_client(settings)
        yield client
    except (ConfigError, IndexCorruptError):
        raise
    except ChromaError as exc:
        raise IndexCorruptError(f"the Chroma server at {settings.chroma_url} refused a change ({exc})") from None
    except Exception as exc:
        raise _unreachable(settings, exc) from None


def _forget_chroma_clients() -> None:
    try:
        from chromadb.api.client import SharedSystemClient

        with _CHROMA:
            SharedSystemClient.clear_system_cache()
    except Exception:
        pass
