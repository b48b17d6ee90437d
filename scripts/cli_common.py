"""Shared by the subcommands of ``certledger``: the console, the settings, progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from ledger.settings import Settings

__all__ = ["console", "progress_bar", "settings_from_env"]


console = Console(stderr=True)


def settings_from_env(database_url: str | None = None) -> Settings:
    """The LEDGER_* settings, with ``database_url`` instead of theirs when given."""
    settings = Settings.from_env()
    return replace(settings, database_url=database_url) if database_url else settings


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on a terminal, silent otherwise; yields update(done, total)."""
    if not console.is_terminal:
        yield lambda _done, _total: None
        return
    columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress("{task.description}", *columns, console=console) as progress:
        task = progress.add_task(description, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)
