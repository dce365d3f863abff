"""Server-rendered SVG bar charts (no JavaScript, no charting library). Each chart is drawn beside
a table of the same figures, which is what screen readers read: the SVG is one labelled image."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 400
ROW = 50  # a label line above each bar, then the bar
BAR_HEIGHT = 20
LABEL_GAP = 18
VALUE_SPACE = 120  # room right of the longest bar for its value


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as shown (formatted, or "too few to show")
    y: float
    width: float  # 0 for a missing value: only the text is drawn


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bar_height: int
    label_gap: int
    bars: list[Bar]


def bar_chart(items: list[tuple[str, float | None, str]], maximum: float | None = None) -> BarChart | None:
    """Horizontal bars for (label, value, text) items, scaled to `maximum` (default the largest
    value); None when no item has a value."""
    values = [value for _, value, _ in items if value is not None]
    if not values:
        return None
    top = maximum or max(values) or 1
    span = WIDTH - VALUE_SPACE
    bars = [
        Bar(label, text, index * ROW, 0 if value is None else round(span * min(value, top) / top, 1))
        for index, (label, value, text) in enumerate(items)
    ]
    return BarChart(WIDTH, ROW * len(items), BAR_HEIGHT, LABEL_GAP, bars)
