"""The exception tree: one root, each subclass also inheriting the matching built-in."""

__all__ = [
    "CRSError",
    "CRSMismatchError",
    "DatabaseUnavailableError",
    "GeographicCRSWarning",
    "ImportFailedError",
    "LangNgheError",
    "LayerNotFoundError",
    "MissingSystemPackageError",
    "NotFoundError",
    "ValidationError",
    "DataQualityWarning",
]


class LangNgheError(Exception):
    """Root of every error raised on purpose by LangNghe GIS."""


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


class DatabaseUnavailableError(LangNgheError, OSError):
    """The database cannot be reached or started."""


class MissingSystemPackageError(DatabaseUnavailableError):
    """A system package (PostgreSQL, PostGIS, pgRouting) is not installed."""


class ImportFailedError(LangNgheError, RuntimeError):
    """An import stopped; nothing of it was written."""


class GeographicCRSWarning(UserWarning):
    """A metric operation was asked of data in a geographic CRS."""


class DataQualityWarning(UserWarning):
    """Data was accepted but has a caveat the caller should act on."""
