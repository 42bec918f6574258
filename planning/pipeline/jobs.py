"""Analyses as durable jobs: a call that a worker on another machine can run again.

A job stores *what* to run, not a Python closure: the pipeline's ``run_*`` function and its
request dataclass by import path, and the request's fields as JSON (:func:`job_call`). A
worker revives the call (:func:`revive`) only from modules of :mod:`planning.pipeline`, so a
row in the database can never name arbitrary code. Each request declares its memory
estimate (:func:`memory_mb`): a request with a ``memory_mb()`` method (siting: cells x
criteria) gives its own figure, others the configured default.

Examples
--------
>>> from planning.pipeline.allocation import AllocationRequest, run_allocation
>>> call = job_call(run_allocation, AllocationRequest(p=2, site_refs=("CCN-1",)))
>>> call["run"], call["request"]
('planning.pipeline.allocation:run_allocation', 'planning.pipeline.allocation:AllocationRequest')
>>> run, request = revive(call)
>>> run is run_allocation, request.p, request.site_refs
(True, 2, ('CCN-1',))
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gis.errors import ValidationError
from gis.messages import msg

__all__ = ["PACKAGE", "job_call", "memory_mb", "revive"]

logger = logging.getLogger(__name__)

#: The only package whose functions and requests a stored job may name.
PACKAGE = "planning.pipeline."


def _path(obj: Any) -> str:
    return f"{obj.__module__}:{obj.__qualname__}"


def _plain(value: Any) -> Any:
    """A request field as JSON: paths as text, tuples as lists, nested values alike."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def job_call(run: Callable[..., Any], request: Any) -> dict[str, Any]:
    """The stored form of ``run(conn, settings, request, progress=, actor=)``.

    Raises
    ------
    ValidationError
        When ``run`` or the request's class is not of :mod:`planning.pipeline`, or the
        request is not a dataclass.
    """
    for obj in (run, type(request)):
        if not obj.__module__.startswith(PACKAGE):
            raise ValidationError(msg("job.bad_call", name=_path(obj)))
    if not dataclasses.is_dataclass(request) or isinstance(request, type):
        raise ValidationError(msg("job.bad_call", name=_path(type(request))))
    fields = {f.name: _plain(getattr(request, f.name)) for f in dataclasses.fields(request)}
    return {"run": _path(run), "request": _path(type(request)), "fields": fields}


def _resolve(path: str) -> Any:
    module, _, name = path.partition(":")
    if not module.startswith(PACKAGE) or not name.isidentifier():
        raise ValidationError(msg("job.bad_call", name=path))
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise ValidationError(msg("job.bad_call", name=path)) from None


def _typed(hint: Any, value: Any) -> Any:
    """``value`` read from JSON as the field's declared type (paths and tuples)."""
    if value is None:
        return None
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    for option in options:
        origin = typing.get_origin(option) or option
        if origin is Path:
            return Path(value)
        if origin is tuple and isinstance(value, list):
            return tuple(value)
    return value


def revive(call: dict[str, Any]) -> tuple[Callable[..., Any], Any]:
    """The function and the request that :func:`job_call` stored.

    The request's own checks run again (a worker may not see the same files).
    """
    run = _resolve(str(call.get("run", "")))
    cls = _resolve(str(call.get("request", "")))
    if not callable(run) or not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValidationError(msg("job.bad_call", name=str(call.get("run"))))
    hints = typing.get_type_hints(cls)
    fields = call.get("fields") or {}
    known = {f.name for f in dataclasses.fields(cls)}
    kwargs = {k: _typed(hints.get(k), v) for k, v in fields.items() if k in known}
    return run, cls(**kwargs)


def memory_mb(request: Any, default_mb: int) -> int:
    """The memory (MB) a job of ``request`` is estimated to need.

    Examples
    --------
    >>> memory_mb(object(), 256)
    256
    """
    estimate = getattr(request, "memory_mb", None)
    if callable(estimate):
        return max(1, int(estimate()))
    return int(default_mb)
