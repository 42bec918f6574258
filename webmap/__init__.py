"""The web layer: Flask app factory, blueprints, pages, and the ``langnghe`` command line.

``create_app`` is imported on first use (PEP 562), so that the command line does not
load the web application it does not serve.
"""

from __future__ import annotations

import logging
from typing import Any

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from webmap.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
