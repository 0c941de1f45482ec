"""The errors the package raises on purpose.

Every expected failure is one of these, carrying a one-line message meant for the
user. The edges (CLI, app) print that line; nothing here formats tracebacks.
"""


class RagError(Exception):
    """Base class: an expected failure with a one-line, user-facing message."""


class ConfigError(RagError):
    """A setting has a value that cannot be used."""


class DocumentsError(RagError):
    """The documents folder or a path given to ingest is missing or empty."""


class IndexMissingError(RagError):
    """No index has been built yet for the configured index folder."""


class IndexMismatchError(RagError):
    """The index was built with other settings (embedding model, chunking).

    `rebuild` is False where a plain ingest puts it right (chunk vectors of an index
    from before they were made from sentence vectors)."""

    def __init__(self, message: str, rebuild: bool = True):
        super().__init__(message)
        self.rebuild = rebuild


class IndexCorruptError(RagError):
    """The index folder is damaged and must be rebuilt."""


class IndexAccessError(RagError):
    """The index folder cannot be written (permissions, a read-only file system)."""


class IndexBusyError(RagError):
    """Another process holds the index lock for writing."""


class EmbeddingError(RagError):
    """The embedding model could not be loaded or failed to encode."""


class QuestionError(RagError):
    """The question is empty or too long; for one too long, `tokens` and `limit` say by
    how much, for front ends that word it their own way."""

    def __init__(self, message: str, *, tokens: int | None = None, limit: int | None = None):
        super().__init__(message)
        self.tokens, self.limit = tokens, limit


class LLMError(RagError):
    """The language model could not be reached or refused the request."""


class EvalError(RagError):
    """An evaluation suite or run file cannot be used as given."""
