"""Reusable GIS toolkit: settings, database, CRS, validation and text helpers.

Knows nothing of layers, HTTP or planning.
"""

import logging

from gis.errors import (
    CRSMismatchError,
    DatabaseUnavailableError,
    LangNgheError,
    ValidationError,
)
from gis.settings import Settings, get_settings

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "CRSMismatchError",
    "DatabaseUnavailableError",
    "LangNgheError",
    "Settings",
    "ValidationError",
    "get_settings",
]
