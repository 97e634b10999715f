"""How far a long piece of work has come (an announcement's mails, a calendar update's invites), read from the
rows that do the work (the recipients, the jobs) each time it is asked, so the figures cannot drift from what
really happened."""

from __future__ import annotations

import msgspec


class Progress(msgspec.Struct, frozen=True, kw_only=True):
    """`total` is None while the work is still being fixed (the recipients not chosen yet)."""

    total: int | None
    sent: int
    failed: int
    skipped: int = 0
    pending: int

    @property
    def done(self) -> bool:
        return self.total is not None and self.pending == 0


class ProgressOut(msgspec.Struct, frozen=True, kw_only=True):
    """The figures as the console's progress endpoint answers them."""

    total: int | None
    sent: int
    failed: int
    skipped: int
    pending: int
    done: bool


def as_out(progress: Progress) -> ProgressOut:
    return ProgressOut(
        total=progress.total,
        sent=progress.sent,
        failed=progress.failed,
        skipped=progress.skipped,
        pending=progress.pending,
        done=progress.done,
    )
