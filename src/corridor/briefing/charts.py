"""Bar charts as vector graphics: the geometry of horizontal bars, drawn as SVG by the template
(briefing/chart.html), so labels from the log are escaped like any other text and the PDF keeps vectors.

Pure: numbers in, rectangles out. The longest bar fills the plot; every bar's value is written beside it,
so the chart is never the only place a figure is read from (the table beside it has them too)."""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 210  # room for a route's or a party's name, left of the bars
PLOT_WIDTH = 330
VALUE_WIDTH = 90
BAR = 14
GAP = 8


@dataclass(frozen=True)
class Bar:
    y: int
    width: int
    series: int  # 0, 1 …: the series' colour (e.g. requested, delivered)
    value: str

    @property
    def text_x(self) -> int:
        return LABEL_WIDTH + self.width + 4

    @property
    def text_y(self) -> int:
        return self.y + BAR - 3


@dataclass(frozen=True)
class Group:
    label: str
    y: int
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    groups: list[Group]
    series: list[str]

    @property
    def label_x(self) -> int:
        return self.label_width - 6


def bars(rows: list[tuple[str, list[tuple[int, str]]]], series: list[str]) -> Chart | None:
    """`rows`: (label, [(value, shown value) per series]). None when there is nothing to draw."""
    top = max((value for _, values in rows for value, _ in values), default=0)
    if not rows or top <= 0:
        return None
    groups, y = [], GAP
    for label, values in rows:
        drawn = []
        for series_index, (value, shown) in enumerate(values):
            drawn.append(Bar(y + series_index * BAR, max(1, round(PLOT_WIDTH * value / top)) if value else 0,
                             series_index, shown))
        groups.append(Group(label, y, drawn))
        y += len(values) * BAR + GAP
    return Chart(LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH, y, LABEL_WIDTH, groups, series)
