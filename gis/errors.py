"""The exception tree: one root, each subclass also inheriting the matching built-in.

A domain error may carry a :class:`gis.messages.Message` (``raise ValidationError(msg(...))``):
the web and the command line render it in the user's language, while ``str(error)`` stays the
neutral code form for logs. An error raised with a plain string keeps that string.
"""

from __future__ import annotations

from typing import Any

from gis.messages import Message

__all__ = [
    "CRSError",
    "CRSMismatchError",
    "ConflictError",
    "DataQualityWarning",
    "DatabaseUnavailableError",
    "GeographicCRSWarning",
    "ImportFailedError",
    "InsecureDatabaseError",
    "JobTooLargeError",
    "LangNgheError",
    "LayerNotFoundError",
    "MissingSystemPackageError",
    "NotFoundError",
    "StaleVersionError",
    "ValidationError",
    "VersionRequiredError",
]


class LangNgheError(Exception):
    """Root of every error raised on purpose by LangNghe GIS.

    Examples
    --------
    >>> from gis.messages import msg
    >>> error = LangNgheError(msg("word.unknown"))
    >>> error.message.code, str(error)
    ('word.unknown', 'word.unknown()')
    """

    #: What the user is told, when the error was raised with a message.
    message: Message | None

    def __init__(self, *args: Any) -> None:
        self.message = args[0] if args and isinstance(args[0], Message) else None
        super().__init__(*(str(a) if isinstance(a, Message) else a for a in args))


class ValidationError(LangNgheError, ValueError):
    """Input that breaks a rule; the message says what and where."""


class CRSError(LangNgheError, ValueError):
    """A missing, unknown or unsupported coordinate reference system."""


class CRSMismatchError(CRSError):
    """Two inputs of one operation are in different CRSs."""


class LayerNotFoundError(LangNgheError, LookupError):
    """A layer name that the registry does not know."""


class NotFoundError(LangNgheError, LookupError):
    """A stored object (scenario, job, feature) that does not exist."""


class ConflictError(LangNgheError, ValueError):
    """A change that the stored state refuses: the key exists already, a referenced row is gone."""


class StaleVersionError(ConflictError):
    """A change based on a version of the object that is no longer the stored one."""


class VersionRequiredError(LangNgheError, ValueError):
    """A change to a stored object that does not say which version it was based on."""


class JobTooLargeError(LangNgheError, ValueError):
    """A job whose memory estimate is above what the largest worker may run."""


class DatabaseUnavailableError(LangNgheError, OSError):
    """The database cannot be reached or started."""


class InsecureDatabaseError(LangNgheError, PermissionError):
    """A database a production server refuses.

    It trusts password-less connections, or the web's role is a superuser.
    """


class MissingSystemPackageError(DatabaseUnavailableError):
    """A system package (PostgreSQL, PostGIS, pgRouting) is not installed."""


class ImportFailedError(LangNgheError, RuntimeError):
    """An import stopped; nothing of it was written."""


class GeographicCRSWarning(UserWarning):
    """A metric operation was asked of data in a geographic CRS."""


class DataQualityWarning(UserWarning):
    """Data was accepted but has a caveat the caller should act on."""
