"""The ``zlint`` console script: the same command line as the Rust binary, same exit codes."""

import sys

from . import _chunklint


def main() -> None:
    """Run ``zlint`` with this process's arguments and exit with its code."""
    sys.stdout.flush()
    sys.exit(_chunklint.main(["zlint", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
