"""What zarr-python users hold, as the path or URL zlint opens.

A store argument may be a path (``str`` or ``os.PathLike``), a URL (``s3://``, ``gs://``,
``az://``, ``https://``), a zip file, or what zarr-python hands out: a ``zarr.Group`` or
``zarr.Array`` (zarr-python 3 or 2), a ``zarr.storage`` store (``LocalStore``, ``ZipStore``,
``FsspecStore``, ``StorePath``; zarr-python 2's ``DirectoryStore``, ``ZipStore``, ``FSStore``) or an
fsspec mapper. zlint reads the store itself, so what it cannot reach by a location is refused
by name: an in-memory store, a node inside a zip file, and filesystem options (credentials,
endpoints) that only the Python object holds.
"""

from __future__ import annotations

import os
from typing import Any

# fsspec options that say how Python talks to the filesystem, not where the data is.
_HARMLESS_OPTIONS = frozenset(
    {"asynchronous", "loop", "skip_instance_cache", "use_listings_cache", "listings_expiry_time", "auto_mkdir"}
)

# fsspec protocols and the URL scheme zlint reads them by.
_SCHEMES = {
    "s3": "s3",
    "s3a": "s3",
    "gs": "gs",
    "gcs": "gs",
    "az": "az",
    "abfs": "abfs",
    "abfss": "abfss",
    "adl": "adl",
    "http": "http",
    "https": "https",
}


def location(value: Any, name: str = "store") -> str:
    """The path or URL of ``value`` (see the module documentation); ``name`` is the keyword the
    caller gave it as, for errors. Raises ``TypeError`` for what is no store, and ``ValueError``
    for a store zlint cannot reach by a location."""
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    kind = type(value).__name__
    # A zarr Group or Array (zarr-python 3 and 2), or a zarr-python 3 StorePath: a store and
    # the node's path inside it.
    store = getattr(value, "store", None)
    node = getattr(value, "path", None)
    if store is not None and isinstance(node, str):
        return _join(_store_location(store, name), node.strip("/"), name, kind)
    return _store_location(value, name)


def _store_location(store: Any, name: str) -> str:
    kind = type(store).__name__
    if "Memory" in kind or kind == "dict":
        raise ValueError(
            f"{name}: a {kind} lives in this Python process, where zlint cannot read it; "
            "write it to disk (zarr.storage.LocalStore) or a zip file and pass that"
        )
    fs = getattr(store, "fs", None)
    if fs is not None:
        # fsspec: zarr-python 3's FsspecStore (.path), zarr-python 2's FSStore (.path), or a
        # mapper (.root).
        path = getattr(store, "path", None) or getattr(store, "root", None)
        if not isinstance(path, str):
            raise TypeError(f"{name}: a {kind} without a path")
        return _fsspec_url(fs, path, name, kind)
    root = getattr(store, "root", None)  # zarr-python 3's LocalStore
    if isinstance(root, (str, os.PathLike)):
        return os.fspath(root)
    path = getattr(store, "path", None)  # ZipStore (3 and 2), DirectoryStore (2)
    if isinstance(path, (str, os.PathLike)):
        return os.fspath(path)
    raise TypeError(
        f"{name}: expected a path, a URL, a zarr Group or Array, or a zarr.storage store; "
        f"got {kind}"
    )


def _fsspec_url(fs: Any, path: str, name: str, kind: str) -> str:
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    options = set(getattr(fs, "storage_options", {}) or {}) - _HARMLESS_OPTIONS
    if options:
        raise ValueError(
            f"{name}: the {kind}'s filesystem options ({', '.join(sorted(options))}) stay in "
            "Python; zlint takes credentials and endpoints from the environment "
            "(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, GOOGLE_APPLICATION_CREDENTIALS, ...): set "
            "them there and pass the store's URL"
        )
    if protocol in ("file", "local"):
        return path
    scheme = _SCHEMES.get(protocol)
    if scheme is None:
        raise ValueError(f"{name}: zlint does not read the fsspec protocol {protocol!r}")
    if "://" in path:  # HTTP filesystems keep whole URLs as paths
        return path
    return f"{scheme}://{path}"


def _join(base: str, node: str, name: str, kind: str) -> str:
    if not node:
        return base
    if base.lower().endswith(".zip"):
        raise ValueError(
            f"{name}: the {kind} {node!r} is inside the zip file {base}; zlint reads a zip "
            "file whole: pass the zip file (or its ZipStore)"
        )
    if "://" in base:
        return f"{base.rstrip('/')}/{node}"
    return os.path.join(base, node)
