"""The benchmark's reference views (its floor and its signed-in ceiling), served only when `KEZEK_BENCH` is on."""
