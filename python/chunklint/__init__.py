"""Audit and repair the chunk layout of Zarr v2, Zarr v3 and N5 stores.

chunklint is the Python face of zlint: the same linter, planner and rechunker, called in the
same process (the work runs in Rust with the GIL released). This package only converts values:

- ``lint`` returns the findings of ``zlint STORE`` as ``Finding`` objects;
- ``scan`` returns the ``zlint scan --format json`` document as a dict;
- ``recommend`` returns the ``Layout`` zlint recommends for a new array, ready for
  ``zarr.create_array(chunks=..., shards=...)``;
- ``plan`` plans a rechunk and returns a ``Plan`` to inspect (it renders as a table in
  notebooks) and run, whole or in parts (for Dask, Slurm, ...);
- ``verify`` compares two stores value by value and returns the ``Difference`` list;
- ``report`` draws the ``zlint report`` page (HTML, self-contained).

Every store argument takes a path, a URL, a zip file, or what zarr-python hands out: a
``zarr.Group`` or ``zarr.Array``, or a ``zarr.storage`` store (``LocalStore``, ``ZipStore``,
``FsspecStore``). Errors are ``ZlintError`` subclasses (``UsageError``, ``StoreError``,
``DataError``) whose ``path`` attribute names the path at fault.
"""

from __future__ import annotations

import json
import numbers
import os
import warnings
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

from . import _chunklint as _native
from . import _checks, _stores
from ._chunklint import DataError, StoreError, UsageError, ZlintError
from ._plan import Plan
from ._progress import ProgressArg, ProgressReport, Shown

__all__ = [
    "DataError",
    "Difference",
    "Finding",
    "Layout",
    "Plan",
    "ProgressReport",
    "StoreError",
    "UsageError",
    "ZlintError",
    "lint",
    "plan",
    "recommend",
    "report",
    "scan",
    "verify",
]

__version__: str = _native.__version__

# A path or URL, a zarr Group or Array, or a zarr.storage store (see ``_stores.location``).
StorePath = Union[str, "os.PathLike[str]", Any]
Shape = Sequence[int]
ShapeRequest = Union[Shape, str, Mapping[str, Union[Shape, str]], None]


@dataclass(frozen=True)
class Layout:
    """A chunk layout: ``chunks`` (the read unit) and ``shards`` (Zarr v3 shards, or None)."""

    chunks: Tuple[int, ...]
    shards: Optional[Tuple[int, ...]] = None


@dataclass(frozen=True)
class Finding:
    """One lint finding, as ``zlint STORE --format json`` lists it."""

    rule: str
    """Stable rule ID, e.g. ``ZL101``."""
    name: str
    """Rule name, e.g. ``chunk-too-small``."""
    severity: str
    """``error``, ``warning`` or ``info``."""
    path: str
    """The node inside the store (``""`` for the root)."""
    message: str
    """What is wrong, with the measured value and the threshold."""
    recommendation: Optional[Layout]
    """The recommended layout of the array, for rules that recommend one."""
    measured: Optional[float] = None
    """The measured value, when the rule measures one."""
    threshold: Optional[float] = None
    """The threshold it was compared with."""
    file: Optional[str] = None
    """The metadata file the finding is about, relative to the node."""


@dataclass(frozen=True)
class Difference:
    """One difference between a source and its copy, found by ``verify``."""

    path: str
    """The array or group that differs."""
    message: str
    """What differs: values (with the first differing element), attributes, shape, ..."""


def _path(store: StorePath, name: str = "store") -> str:
    return _stores.location(store, name)


def _settings(
    profile: Optional[str],
    access: Optional[str],
    select: Sequence[str],
    ignore: Sequence[str],
    config: Optional[StorePath],
    use_config: bool,
) -> Dict[str, Any]:
    """The settings keywords shared by the native ``lint`` and ``report``."""
    return dict(
        profile=profile,
        access=access,
        select=list(select),
        ignore=list(ignore),
        config=None if config is None else _path(config, "config"),
        no_config=not use_config,
    )


def _layout(doc: Optional[Mapping[str, Any]]) -> Optional[Layout]:
    if doc is None:
        return None
    shards = doc.get("shards")
    return Layout(tuple(doc["chunks"]), tuple(shards) if shards is not None else None)


def lint(
    store: StorePath,
    *,
    profile: Optional[str] = None,
    access: Optional[str] = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    config: Optional[StorePath] = None,
    use_config: bool = True,
    deep: bool = False,
    cores: Optional[int] = None,
) -> list[Finding]:
    """Lint ``store`` (a path or URL) and return its findings, as ``zlint STORE`` does.

    ``profile`` is ``analysis`` (default), ``cloud`` or ``visualization``; ``access`` is
    ``auto`` (default), ``plane``, ``volume`` or ``timeseries``. ``select``, ``ignore`` and
    ``extend_select`` take rule IDs, prefixes (``ZL2``) or names. The configuration is found as
    the command line finds it (``zlint.toml`` or ``[tool.zlint]`` in ``pyproject.toml``, upward
    from the store) unless ``config`` names a file or ``use_config`` is False. ``deep`` also
    reads the stored chunk objects (ZL4xx rules).
    """
    document = json.loads(
        _native.lint(
            _path(store),
            extend_select=list(extend_select),
            deep=deep,
            cores=cores,
            **_settings(profile, access, select, ignore, config, use_config),
        )
    )
    return [
        Finding(
            rule=f["rule"],
            name=f["name"],
            severity=f["severity"],
            path=f["path"],
            message=f["message"],
            recommendation=_layout(f.get("recommendation")),
            measured=f.get("measured"),
            threshold=f.get("threshold"),
            file=f.get("file"),
        )
        for f in document["findings"]
    ]


def scan(store: StorePath, *, deep: bool = False) -> dict[str, Any]:
    """Scan ``store`` and return the ``zlint scan --format json`` document (``docs/scan-json.md``).

    With ``deep``, the stored chunk objects are listed too (counts, bytes, missing chunks).
    """
    return json.loads(_native.scan(_path(store), deep=deep))


def _dtype_name(dtype: Any) -> str:
    if isinstance(dtype, str):
        return dtype
    # A NumPy dtype or scalar type: its type string (``<u2``) names it without ambiguity.
    try:
        import numpy
    except ImportError as missing:  # pragma: no cover - NumPy-less callers pass names
        raise TypeError(f"dtype {dtype!r}: pass a name such as 'uint16'") from missing
    return numpy.dtype(dtype).str


def recommend(
    shape: Shape,
    dtype: Any,
    *,
    profile: str = "analysis",
    access: str = "auto",
    axes: Optional[Sequence[str]] = None,
    current_chunks: Optional[Shape] = None,
    current_shards: Optional[Shape] = None,
    to: str = "zarr3",
) -> Layout:
    """The chunk layout zlint recommends for an array of ``shape`` and ``dtype``.

    ``dtype`` is a name (``"uint16"``, ``"<u2"``) or a NumPy dtype. ``axes`` names the axes
    (``["t", "c", "z", "y", "x"]``) so that time, channel and space are told apart. A
    ``current_chunks`` (and ``current_shards``) layout that already suits is returned as it is,
    as the linter would leave it. ``to`` is the format it will be written in (only ``zarr3``
    shards). Extents divide the axis or are round sizes (powers of two, multiples of 64) where
    the profile's limits allow it; a ``UserWarning`` names an axis where they do not. The
    result goes straight into zarr-python::

        layout = chunklint.recommend(shape, "uint16", axes=["z", "y", "x"])
        zarr.create_array(store, shape=shape, dtype="uint16",
                          chunks=layout.chunks, shards=layout.shards)
    """
    chunks, shards = _native.recommend(
        _checks.whole_numbers("shape", shape, minimum=0),
        _dtype_name(dtype),
        profile=profile,
        access=access,
        axes=None if axes is None else [str(a) for a in axes],
        current_chunks=(
            None if current_chunks is None else _checks.whole_numbers("current_chunks", current_chunks)
        ),
        current_shards=(
            None if current_shards is None else _checks.whole_numbers("current_shards", current_shards)
        ),
        to=to,
    )
    for axis, (extent, length) in enumerate(zip(chunks, shape)):
        if not _round_or_divides(extent, length):
            warnings.warn(
                f"axis {axis} ({length} long): no extent near {extent} divides it or is a round "
                "size (a power of two, a multiple of 64) and keeps the chunk inside the "
                f"{profile} profile's limits (size, count, edge padding); {extent} splits it "
                "evenly instead",
                UserWarning,
                stacklevel=2,
            )
    return Layout(tuple(chunks), tuple(shards) if shards is not None else None)


def _round_or_divides(extent: int, length: int) -> bool:
    """Whether a chunk extent divides its axis or is a round size (the planner's preference)."""
    return length % extent == 0 or extent & (extent - 1) == 0 or extent % 64 == 0


def _shape_requests(name: str, request: ShapeRequest) -> list[str]:
    """``chunks=`` as the command line's ``--chunks`` values: one shape, one per path, or
    extents by axis name (a dict of axis name to an integer)."""
    if request is None:
        return []
    if isinstance(request, str):
        return [request]
    if isinstance(request, Mapping):
        by_axis = [(axis, n) for axis, n in request.items() if isinstance(n, numbers.Integral)]
        if by_axis and len(by_axis) == len(request):
            return [",".join(f"{axis}={int(n)}" for axis, n in by_axis)]
        if by_axis:
            raise UsageError(
                f"{name}={request!r}: give either extents by axis name ({{'z': 16, 'y': 256}}) "
                "or shapes by array path ({'0': (16, 256, 256)}), not both"
            )
        return [
            f"{path}={v if isinstance(v, str) else ','.join(map(str, _checks.whole_numbers(name, v)))}"
            for path, v in request.items()
        ]
    if all(isinstance(n, str) for n in request):
        return list(request)  # already in the command line's syntax, one request each
    try:
        return [",".join(map(str, _checks.whole_numbers(name, request)))]
    except TypeError as bad:
        raise UsageError(f"{name}={request!r}: expected a shape, or a dict of path to shape") from bad


def plan(
    source: StorePath,
    target: StorePath,
    *,
    chunks: ShapeRequest = None,
    shards: ShapeRequest = None,
    to: Optional[str] = None,
    ome_version: Optional[str] = None,
    codec: Optional[str] = None,
    max_mem: Union[int, str, None] = None,
    threads: Optional[int] = None,
    auto: bool = False,
    profile: Optional[str] = None,
    access: Optional[str] = None,
    existing: str = "refuse",
    exclude: Union[str, Sequence[str], None] = None,
    strict: bool = False,
) -> Plan:
    """Plan a rechunk of ``source`` into ``target``; nothing is written until it runs.

    ``chunks`` and ``shards`` are a shape for every array (``(64, 256, 256)``), a dict of
    array path to shape, or a dict of axis name to extent (``{"z": 16, "y": 256, "x": 256}``:
    every array with those axes, channels and time at 1, other axes as they are); ``auto``
    takes the recommended layout of each array. Every file of the source that is neither a
    chunk nor metadata is carried byte for byte unless a glob of ``exclude`` matches it. ``to`` converts
    the format (``zarr2``, ``zarr3``, ``n5``); ``ome_version`` (``"0.4"`` or ``"0.5"``) writes
    OME-NGFF metadata of that version (and the Zarr format its specification needs); ``codec``
    re-encodes (``zstd:5``,
    ``blosc:zstd:5:shuffle``, ``keep``). ``max_mem`` bounds the data in flight (bytes, or a
    size such as ``"2GiB"``). ``existing`` is ``refuse`` (default), ``overwrite`` or ``resume``.

    An array whose codec or data type zlint cannot decode is carried over unchanged (metadata
    and stored objects byte for byte; ``to_dict()["carried_arrays"]`` names it), with a
    ``UserWarning``; ``strict`` raises ``UsageError`` instead.
    """
    strict = _checks.flag("strict", strict)
    kwargs = dict(
        chunks=_shape_requests("chunks", chunks),
        shards=_shape_requests("shards", shards),
        to=to,
        ome_version=ome_version,
        codec=codec,
        max_mem=_checks.size("max_mem", max_mem),
        threads=_checks.optional_whole_number("threads", threads),
        auto=_checks.flag("auto", auto),
        profile=profile,
        access=access,
        existing=existing,
        exclude=_checks.globs("exclude", exclude),
        strict=strict,
    )
    # The planner refuses a carried array under strict=True, as `rechunk --strict` does.
    planned = Plan(_path(source, "source"), _path(target, "target"), kwargs)
    for a in planned.to_dict().get("carried_arrays", []):
        warnings.warn(
            f"{a['path'] or '/'}: {a['why']}: carried over unchanged (strict=True refuses)",
            UserWarning,
            stacklevel=2,
        )
    return planned


def verify(
    source: StorePath,
    target: StorePath,
    *,
    max_mem: Union[int, str, None] = None,
    threads: Optional[int] = None,
    progress: ProgressArg = True,
    exclude: Union[str, Sequence[str], None] = None,
) -> list[Difference]:
    """Compare ``target`` with ``source``: metadata, attributes, every value, and every file
    of the source that is neither a chunk nor metadata (byte for byte; ``exclude`` names globs
    of files the target was made without).

    Returns every difference (empty when they hold the same data), as ``zlint verify`` reports
    them; values down to the first differing chunk and element. ``progress`` as for
    ``Plan.run``; Ctrl-C stops the comparison and raises ``KeyboardInterrupt``.
    """
    with Shown(progress) as shown:
        report = json.loads(
            _native.verify(
                _path(source, "source"),
                _path(target, "target"),
                max_mem=_checks.size("max_mem", max_mem),
                threads=_checks.optional_whole_number("threads", threads),
                exclude=_checks.globs("exclude", exclude),
                **shown.keywords(),
            )
        )
    return [Difference(m["path"], m["message"]) for m in report["mismatches"]]


def report(
    store: StorePath,
    output: Optional[StorePath] = None,
    *,
    profile: Optional[str] = None,
    access: Optional[str] = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    config: Optional[StorePath] = None,
    use_config: bool = True,
    deep: bool = False,
    plan_auto: bool = False,
) -> str:
    """The ``zlint report`` page of ``store``: one self-contained HTML document (summary, the
    guidance scale, pyramids, chunk grids, findings and fixes; with ``deep`` stored sizes and
    missing chunks, with ``plan_auto`` the recommended layouts). Written to ``output`` when given
    (never inside the store), and returned; in a notebook,
    ``IPython.display.HTML(chunklint.report(store))`` shows it.
    """
    return _native.report(
        _path(store),
        None if output is None else _path(output, "output"),
        deep=deep,
        plan_auto=plan_auto,
        **_settings(profile, access, select, ignore, config, use_config),
    )
