"""The ``Plan`` of a rechunk: what ``zlint rechunk --dry-run`` shows, and the runs."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from . import _checks
from . import _chunklint as _native
from ._chunklint import DataError, UsageError
from ._progress import ProgressArg, Shown


@dataclass(frozen=True)
class Part:
    """One part of a split run: part ``index`` of ``count``, its write groups and bytes."""

    index: int
    count: int
    groups: int
    bytes: int


def _failed(target: str, outcome: Dict[str, Any]) -> None:
    """Raises ``DataError`` when a verification found differences."""
    report = outcome.get("verification") or {}
    mismatches = report.get("mismatches") or []
    if outcome.get("complete") is False and mismatches:
        shown = "; ".join(f"{m['path']}: {m['message']}" for m in mismatches[:5])
        error = DataError(
            f"{target}: verification failed; the output was not marked complete ({shown})"
        )
        error.path = target
        error.differences = mismatches
        raise error


class Plan:
    """A planned rechunk of ``source`` into ``target``. Nothing is written until it runs.

    ``repr(plan)`` is the ``zlint rechunk --dry-run`` text; in a notebook the plan shows as a
    table per array. ``run`` carries it out in this process; for a cluster, ``init``
    writes the plan into the target, every worker runs ``run_part``, and ``finalize``
    completes (and verifies) the output. A plan pickles as its locations, so it can be shipped to
    workers (they read the plan from the target's journal, not from the pickle).
    """

    def __init__(self, source: str, target: str, options: Dict[str, Any]) -> None:
        self.source = source
        self.target = target
        self._options = options
        self._native: Optional[Any] = _native.NativePlan(source, target, **options)

    # Pickling: workers need only the locations (run_part reads the plan from the journal).
    def __getstate__(self) -> Dict[str, Any]:
        return {"source": self.source, "target": self.target, "options": self._options}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.source = state["source"]
        self.target = state["target"]
        self._options = state["options"]
        self._native = None

    def _planned(self) -> Any:
        if self._native is None:
            raise UsageError(
                f"{self.target}: this Plan was unpickled; it runs parts (run_part) and "
                "finalize, planning happens where it was made"
            )
        return self._native

    def __repr__(self) -> str:
        if self._native is None:
            return f"<Plan {self.source} → {self.target} (split run)>"
        return self._native.text()

    def to_dict(self) -> Dict[str, Any]:
        """The plan document of ``zlint rechunk --dry-run --format json`` (``docs/plan-json.md``)."""
        return json.loads(self._planned().json())

    def _repr_html_(self) -> str:
        """A table per array for notebooks: layouts, write groups, memory, amplification."""
        if self._native is None:
            return f"<p>{html.escape(repr(self))}</p>"
        return self._native.html()

    def run(self, *, progress: ProgressArg = True, verify: bool = False) -> Dict[str, Any]:
        """Carry out the whole rechunk in this process.

        With ``verify``, the output is compared with the source before it is marked complete;
        differences raise ``DataError`` (its ``differences`` list them). Returns the outcome:
        ``complete``, ``summary`` (arrays, write groups, bytes, seconds) and ``verification``.

        ``progress``: a bar on a terminal or in a notebook (``True``), tqdm's bar (``"tqdm"``),
        a callable given a ``ProgressReport`` ten times a second, or nothing (``False``).
        Ctrl-C stops the run at its next write group and raises ``KeyboardInterrupt``; nothing
        is marked complete, and the plan made again with ``existing="resume"`` goes on.
        """
        with Shown(progress) as shown:
            outcome = json.loads(
                self._planned().run(verify=_checks.flag("verify", verify), **shown.keywords())
            )
        _failed(self.target, outcome)
        return outcome

    def init(self) -> None:
        """Start a split run: write the plan into the target's journal."""
        self._planned().init()

    def parts(self, count: int) -> List[Part]:
        """The plan cut into ``count`` parts of about equal bytes, as ``--part I/N`` runs them."""
        count = _checks.whole_number("count", count)
        return [
            Part(index, count, groups, nbytes)
            for index, (groups, nbytes) in enumerate(self._planned().parts(count))
        ]

    def run_part(
        self,
        index: int,
        count: int,
        *,
        resume: bool = True,
        threads: Optional[int] = None,
        progress: ProgressArg = True,
    ) -> Dict[str, Any]:
        """Run part ``index`` of ``count`` of the split run started by ``init``.

        Parts are disjoint, so they can run anywhere at once; a part run again after a crash
        or an interruption (``resume``, the default) skips the write groups it finished.
        ``progress`` as for ``run``. Returns its summary.
        """
        with Shown(progress) as shown:
            return json.loads(
                _native.run_part(
                    self.source,
                    self.target,
                    _checks.whole_number("index", index, minimum=0),
                    _checks.whole_number("count", count),
                    resume=_checks.flag("resume", resume),
                    threads=_checks.optional_whole_number("threads", threads),
                    **shown.keywords(),
                )
            )

    def finalize(
        self,
        *,
        verify: bool = False,
        max_mem: Optional[Any] = None,
        threads: Optional[int] = None,
        progress: ProgressArg = True,
    ) -> Dict[str, Any]:
        """Complete the split run once every part finished; with ``verify``, compare the output
        with the source first, as ``run`` does.

        Refuses while parts are unfinished (naming them); differences raise ``DataError``.
        ``progress`` as for ``run``.
        """
        with Shown(progress) as shown:
            outcome = json.loads(
                _native.finalize(
                    self.source,
                    self.target,
                    verify=_checks.flag("verify", verify),
                    max_mem=_checks.size("max_mem", max_mem),
                    threads=_checks.optional_whole_number("threads", threads),
                    **shown.keywords(),
                )
            )
        _failed(self.target, outcome)
        return outcome
