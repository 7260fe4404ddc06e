"""Arguments checked when the call is made, each error naming the keyword at fault."""

from __future__ import annotations

import numbers
from typing import Any, List, Optional, Sequence, Union

from ._chunklint import UsageError


def whole_number(name: str, value: Any, minimum: int = 1) -> int:
    """``value`` as an integer of at least ``minimum``; a float, a bool or a string is refused
    naming the keyword (``int(1.5)`` would quietly be 1)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise UsageError(f"{name}={value!r}: not a whole number of at least {minimum}")
    return int(value)


def optional_whole_number(name: str, value: Any, minimum: int = 1) -> Optional[int]:
    """As ``whole_number``, with ``None`` let through (the default)."""
    return None if value is None else whole_number(name, value, minimum)


def whole_numbers(name: str, values: Any, minimum: int = 1) -> List[int]:
    """``values`` as a list of integers of at least ``minimum``, refused as ``whole_number``
    refuses one."""
    try:
        items = list(values)
    except TypeError as bad:
        raise UsageError(f"{name}={values!r}: expected a sequence of whole numbers") from bad
    for n in items:
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < minimum:
            raise UsageError(
                f"{name}={values!r}: {n!r} is not a whole number of at least {minimum}"
            )
    return [int(n) for n in items]


def flag(name: str, value: Any) -> bool:
    """``value`` when it is a bool: ``verify="no"`` would otherwise be true."""
    if not isinstance(value, bool):
        raise UsageError(f"{name}={value!r}: expected True or False")
    return value


def size(name: str, value: Union[int, str, None]) -> Optional[str]:
    """A byte count or a size text (``"2GiB"``) as the command line takes it."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 4e9 is how many people write four gigabytes
    return str(whole_number(name, value))


def globs(name: str, value: Union[str, Sequence[str], None]) -> List[str]:
    """A glob or a sequence of globs as a list of strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        items = list(value)
    except TypeError as bad:
        raise UsageError(f"{name}={value!r}: expected a glob or a list of globs") from bad
    if not all(isinstance(g, str) for g in items):
        raise UsageError(f"{name}={value!r}: every glob must be a string")
    return items
