"""Type stubs of the extension module (see chunklint/__init__.py for the public API)."""

from typing import Any, Callable, List, Optional, Tuple

__version__: str

# on_progress(phase and unit, done, total, noun, counted, objects), ten times a second.
OnProgress = Callable[[str, int, Optional[int], Optional[str], int, int], Any]

class ZlintError(Exception):
    """Base of zlint's errors; ``path`` names the path at fault (None when there is none)."""

    path: Optional[str]

class UsageError(ZlintError):
    """A request that cannot be met: an unknown rule, a bad option, a bad config file."""

class StoreError(ZlintError):
    """A store that cannot be opened, read or written (missing, not a store, permissions)."""

class DataError(ZlintError):
    """Stored data that cannot be decoded or written as planned (truncated chunks, bad codecs)."""

def main(argv: List[str]) -> int: ...
def lint(
    store: str,
    *,
    profile: Optional[str] = None,
    access: Optional[str] = None,
    select: List[str] = ...,
    ignore: List[str] = ...,
    extend_select: List[str] = ...,
    config: Optional[str] = None,
    no_config: bool = False,
    deep: bool = False,
    cores: Optional[int] = None,
) -> str: ...
def scan(store: str, *, deep: bool = False) -> str: ...
def report(
    store: str,
    output: Optional[str] = None,
    *,
    profile: Optional[str] = None,
    access: Optional[str] = None,
    select: List[str] = ...,
    ignore: List[str] = ...,
    config: Optional[str] = None,
    no_config: bool = False,
    deep: bool = False,
    plan_auto: bool = False,
) -> str: ...
def recommend(
    shape: List[int],
    dtype: str,
    *,
    profile: Optional[str] = None,
    access: Optional[str] = None,
    axes: Optional[List[str]] = None,
    current_chunks: Optional[List[int]] = None,
    current_shards: Optional[List[int]] = None,
    to: Optional[str] = None,
) -> Tuple[List[int], Optional[List[int]]]: ...

class NativePlan:
    def __init__(
        self,
        source: str,
        target: str,
        *,
        chunks: List[str] = ...,
        shards: List[str] = ...,
        to: Optional[str] = None,
        ome_version: Optional[str] = None,
        codec: Optional[str] = None,
        max_mem: Optional[str] = None,
        threads: Optional[int] = None,
        auto: bool = False,
        profile: Optional[str] = None,
        access: Optional[str] = None,
        existing: str = "refuse",
        exclude: List[str] = ...,
        strict: bool = False,
    ) -> None: ...
    def text(self) -> str: ...
    def html(self) -> str: ...
    def json(self) -> str: ...
    def run(
        self,
        *,
        progress: bool = True,
        verify: bool = False,
        on_progress: Optional[OnProgress] = None,
    ) -> str: ...
    def parts(self, count: int) -> List[Tuple[int, int]]: ...
    def init(self) -> None: ...

def run_part(
    source: str,
    target: str,
    index: int,
    count: int,
    *,
    resume: bool = True,
    threads: Optional[int] = None,
    progress: bool = False,
    on_progress: Optional[OnProgress] = None,
) -> str: ...
def finalize(
    source: str,
    target: str,
    *,
    verify: bool = True,
    max_mem: Optional[str] = None,
    threads: Optional[int] = None,
    progress: bool = False,
    on_progress: Optional[OnProgress] = None,
) -> str: ...
def verify(
    source: str,
    target: str,
    *,
    max_mem: Optional[str] = None,
    threads: Optional[int] = None,
    progress: bool = False,
    on_progress: Optional[OnProgress] = None,
    exclude: List[str] = ...,
) -> str: ...
