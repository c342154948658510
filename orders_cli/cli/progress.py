"""Progress bars that count (issue 18, item 11): ``billing orders ━━━━━╸━━━  43/210  12.5/s  0:00:13``
(what, the bar, done/total, the rate per second, the time left), on stderr, and only when
stderr is a terminal and the output is not JSON: a pipe, a log file or ``--json`` gets no bar
at all. Transient: the bar is gone when the work is done, and the summary stays.

Rich is imported only when a bar is shown.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, Optional, TypeVar

T = TypeVar("T")
Update = Callable[..., None]  # update(done, total=None, description=None)


def wanted(json_: bool = False) -> bool:
    """A bar is shown: stderr is a terminal and the output is for people."""
    from orders_cli.adapters.env import stderr_is_tty

    return stderr_is_tty() and not json_


def make(console=None, get_time: Optional[Callable[[], float]] = None, auto_refresh: bool = True):
    """The Rich ``Progress`` of every bar: description, bar, ``done/total``, rate, time left."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        """Items per second (``12.5/s``), blank until there is a speed to tell."""

        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            if speed is None:
                return Text("")
            return Text(f"{speed:.1f}/s" if speed < 100 else f"{speed:.0f}/s")

    if console is None:
        from orders_cli.cli import output

        console = output.console(stderr=True)
    kwargs = {"get_time": get_time} if get_time is not None else {}
    return Progress(TextColumn("{task.description}"), BarColumn(bar_width=30), MofNCompleteColumn(), Rate(), TimeRemainingColumn(),
                    console=console, transient=True, auto_refresh=auto_refresh, **kwargs)


@contextmanager
def bar(description: str, total: int | None = None, show: bool = True, console=None) -> Iterator[Update]:
    """A counting bar while the block runs; yields ``update(done, total=None, description=None)``
    (a no-op when ``show`` is false: the caller passes ``wanted(json_)``). ``console``: stderr's."""
    if not show:
        yield lambda *args, **kwargs: None
        return
    from orders_cli.core.text import terminal

    progress = make(console)
    task = [progress.add_task(terminal(description), total=total), terminal(description)]

    def update(done: int, total: int | None = None, description: str | None = None) -> None:
        """Count ``done`` (of ``total`` when given); a new ``description`` is a new phase: a bar
        of its own (its total, rate and time left start again; None: not known yet)."""
        if description is not None and terminal(description) != task[1]:
            progress.update(task[0], visible=False)
            task[:] = [progress.add_task(terminal(description), total=total), terminal(description)]
        fields = {"completed": done}
        if total is not None:
            fields["total"] = total
        progress.update(task[0], **fields)

    progress.start()
    try:
        yield update
    finally:
        progress.stop()


def track(items: Iterable[T], description: str, total: int | None = None, show: bool = True) -> Iterator[T]:
    """``items`` one by one, counted on a bar (``show``: see ``wanted``)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with bar(description, total, show) as update:
        for done, item in enumerate(items, start=1):
            yield item
            update(done)


class _Counted:
    """A text handle whose lines are counted on a bar as they are read (csv reads it so)."""

    def __init__(self, handle, update: Update) -> None:
        self._handle, self._update, self.count = handle, update, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._handle)
        self.count += 1
        if self.count % 100 == 0:
            self._update(self.count)
        return line

    def __getattr__(self, name: str):
        return getattr(self._handle, name)


def _lines_of(handle) -> int | None:
    """The lines of the regular file behind ``handle`` (counted in binary, 1 MiB at a time); None for a stream."""
    import os

    name = getattr(handle, "name", None)
    try:
        if not isinstance(name, str) or not os.path.isfile(name):
            return None
        with open(name, "rb") as raw:
            data = b"".join(iter(lambda: raw.read(1 << 20), b""))
        return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    except OSError:
        return None


@contextmanager
def reading(handle, description: str, show: bool = True) -> Iterator:
    """``handle`` with its lines counted on a bar (``reading lines 4300/12000 ...``) while the
    block reads it; the handle itself when ``show`` is false."""
    if not show:
        yield handle
        return
    with bar(description, _lines_of(handle)) as update:
        counted = _Counted(handle, update)
        yield counted
        update(counted.count)
