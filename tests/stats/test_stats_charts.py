"""The SVG bar charts: scaled to the largest value (or a given maximum); a missing value draws no bar."""

from app.stats.charts import WIDTH, bar_chart


def test_bars_scale_and_missing_values_draw_no_bar():
    chart = bar_chart([("A", 0.5, "50%"), ("B", None, "too few"), ("C", 1.0, "100%")], maximum=1)
    widths = [bar.width for bar in chart.bars]
    assert widths[1] == 0
    assert widths[0] * 2 == widths[2] < WIDTH
    assert [bar.text for bar in chart.bars] == ["50%", "too few", "100%"]
    assert chart.height == 3 * (chart.bars[1].y - chart.bars[0].y)


def test_no_chart_without_a_value():
    assert bar_chart([("A", None, "too few")]) is None
