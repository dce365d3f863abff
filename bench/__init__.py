"""`make bench`: benchmarks of Kezek under exam-day load (see bench.run)."""
