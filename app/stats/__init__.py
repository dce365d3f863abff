"""Open statistics per exam centre: a summary table rebuilt nightly from bookings, results, slots
and closures, published with small groups suppressed (see docs/statistics.md)."""
