"""Name badges: the confirmed registrations of the console's filter as an A4 PDF of label sheets."""
