"""The benchmark's floor: a minimal JSON view served only when `KEZEK_BENCH` is on."""
