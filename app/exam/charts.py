"""Small server-rendered SVG charts (no JavaScript, no external library)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 600, 220, 36


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    points: list[tuple[float, float, int, int]]  # x, y, score, total
    pass_y: float | None
    polyline: str
    y_ticks: list[tuple[float, int]]


def score_trend(attempts) -> TrendChart | None:
    """Scores of finished exams in time order, scaled to the chart; None without attempts."""
    finished = [attempt for attempt in attempts if attempt.correct is not None and attempt.total]
    if not finished:
        return None
    top = max(attempt.total for attempt in finished)
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    step = inner_w / max(1, len(finished) - 1)

    def y_of(value: float) -> float:
        return round(PAD + inner_h - inner_h * value / top, 1)

    points = [
        (
            round(PAD + index * step if len(finished) > 1 else WIDTH / 2, 1),
            y_of(attempt.correct),
            attempt.correct,
            attempt.total,
        )
        for index, attempt in enumerate(finished)
    ]
    pass_mark = finished[-1].pass_mark
    return TrendChart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        pass_y=y_of(pass_mark) if pass_mark else None,
        polyline=" ".join(f"{x},{y}" for x, y, _, _ in points),
        y_ticks=[(y_of(value), value) for value in sorted({0, top // 2, top})],
    )
