"""The pre-commit hook (``.pre-commit-hooks.yaml``): lints the stores that changed files lie in.

pre-commit passes files (``data/img.zarr/0/zarr.json``); zlint lints stores. Each file is taken
to its outermost enclosing directory named ``*.zarr`` or ``*.n5`` (``*.ome.zarr`` too), and each
such store is linted once with the hook's arguments. The exit code is the worst of the runs
(0 clean, 1 findings, 2 errors), as ``zlint`` gives it.
"""

import sys
from pathlib import PurePath
from typing import List, Optional, Sequence, Tuple

from . import _chunklint

SUFFIXES = (".zarr", ".n5")


def store_of(file: str) -> Optional[str]:
    """The outermost ``*.zarr`` or ``*.n5`` directory ``file`` lies in (None if none)."""
    parts = PurePath(file).parts
    for i, part in enumerate(parts[:-1]):
        if part.lower().endswith(SUFFIXES):
            return str(PurePath(*parts[: i + 1]))
    return None


def split(argv: Sequence[str]) -> Tuple[List[str], List[str]]:
    """The hook's options (``--profile cloud``, ...) and the files pre-commit passed: a file is
    an argument inside a store directory, everything else is passed to ``zlint`` in order."""
    options: List[str] = []
    files: List[str] = []
    for arg in argv:
        (files if store_of(arg) is not None else options).append(arg)
    return options, files


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Lint every store the files lie in and exit with the worst exit code."""
    options, files = split(sys.argv[1:] if argv is None else argv)
    stores = sorted({s for s in map(store_of, files) if s is not None})
    code = 0
    for store in stores:
        sys.stdout.flush()
        code = max(code, _chunklint.main(["zlint", store, *options]))
    sys.exit(code)


if __name__ == "__main__":
    main()
