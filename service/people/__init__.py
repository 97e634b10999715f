"""People by hand: an organiser adds, changes, moves, re-sends to and erases one person of their event."""
