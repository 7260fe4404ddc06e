"""Progress of rechunks and verifications, wherever the user is.

``progress=True`` draws zlint's own bar when standard error is a terminal and, in a notebook
(an IPython kernel), tqdm's bar when tqdm is installed. ``progress="tqdm"`` asks for tqdm's bar
anywhere; a callable receives a ``ProgressReport`` ten times a second; ``False`` shows none.
However progress is shown, Ctrl-C stops the work at its next write group and raises
``KeyboardInterrupt``; a rechunk run again (``existing="resume"``) goes on where it stopped.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Union

from ._chunklint import UsageError


@dataclass(frozen=True)
class ProgressReport:
    """Where a run stands: its phase (``rechunk``, ``verify``), ``done`` of ``total`` units
    (``unit``: ``bytes``, uncompressed), and ``counted`` of ``objects`` stored objects (``noun``:
    ``chunks`` or ``shards``) when the phase counts them."""

    phase: str
    unit: str
    done: int
    total: Optional[int]
    noun: Optional[str]
    counted: int
    objects: int


ProgressArg = Union[bool, str, Callable[[ProgressReport], Any]]


def _report(what: str, done: int, total: Optional[int], noun: Optional[str], counted: int,
            objects: int) -> ProgressReport:
    phase, _, unit = what.rpartition(" ")
    return ProgressReport(phase or unit, unit, done, total, noun, counted, objects)


def _in_notebook() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None  # type: ignore[attr-defined]
    return shell is not None and getattr(shell, "kernel", None) is not None


class _TqdmBars:
    """A tqdm bar per phase, fed by ``ProgressReport``s."""

    def __init__(self) -> None:
        from tqdm.auto import tqdm

        self._tqdm = tqdm
        self._bar: Any = None
        self._phase: Optional[str] = None

    def __call__(self, report: ProgressReport) -> None:
        if report.phase != self._phase:
            self.close()
            self._phase = report.phase
            in_bytes = report.unit == "bytes"
            self._bar = self._tqdm(
                total=report.total,
                desc=report.phase,
                unit="B" if in_bytes else f" {report.unit}",
                unit_scale=in_bytes,
                unit_divisor=1024,
            )
        self._bar.n = report.done
        if report.noun:
            self._bar.set_postfix_str(
                f"{report.counted}/{report.objects} {report.noun}", refresh=False
            )
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class Shown:
    """What a ``progress`` argument asks for: zlint's terminal bar or a Python callback, as the
    native functions' keywords. Use as a context manager: tqdm bars close at the end."""

    def __init__(self, progress: ProgressArg) -> None:
        self._terminal = False
        self._sink: Optional[Callable[[ProgressReport], Any]] = None
        if callable(progress):
            self._sink = progress
        elif progress == "tqdm" or (progress is True and _in_notebook() and _has_tqdm()):
            self._sink = _TqdmBars()
        elif progress is True:
            # Drawn only when standard error is a terminal (zlint checks).
            self._terminal = True
        elif progress not in (False, None):
            raise UsageError(
                f"progress={progress!r}: expected True, False, 'tqdm' or a callable"
            )

    def keywords(self) -> Dict[str, Any]:
        """``progress`` and ``on_progress`` for the native functions."""
        sink = self._sink
        if sink is None:
            return {"progress": self._terminal, "on_progress": None}
        return {"progress": False, "on_progress": lambda *values: sink(_report(*values))}

    def __enter__(self) -> "Shown":
        return self

    def __exit__(self, *_: Any) -> None:
        if isinstance(self._sink, _TqdmBars):
            self._sink.close()


def _has_tqdm() -> bool:
    try:
        import tqdm.auto  # noqa: F401
    except ImportError:
        return False
    return True
