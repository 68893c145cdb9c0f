"""A tiny server-rendered line chart: readers get the picture without any JavaScript."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH = 320
HEIGHT = 96
PADDING = 6


@dataclass(frozen=True)
class LineChart:
    points: tuple[tuple[date, Decimal], ...]
    svg_points: str
    low: Decimal
    high: Decimal
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def first(self) -> tuple[date, Decimal]:
        return self.points[0]

    @property
    def last(self) -> tuple[date, Decimal]:
        return self.points[-1]


def line_chart(*, points: list[tuple[date, Decimal]]) -> LineChart | None:
    """Scale (date, value) pairs into an SVG polyline; dates keep their real spacing."""
    if not points:
        return None
    points = sorted(points)
    low = min(value for _day, value in points)
    high = max(value for _day, value in points)
    start = points[0][0]
    span_days = max((points[-1][0] - start).days, 1)
    span_value = (high - low) or Decimal(1)
    inner_w, inner_h = WIDTH - 2 * PADDING, HEIGHT - 2 * PADDING
    coordinates = []
    for day, value in points:
        x = PADDING + inner_w * (day - start).days / span_days
        # A flat series sits in the middle rather than on the floor.
        share = float((value - low) / span_value) if high != low else 0.5
        y = PADDING + inner_h * (1 - share)
        # Built here, not in the template, so the Russian decimal comma never gets in.
        coordinates.append(f"{x:.1f},{y:.1f}")
    return LineChart(points=tuple(points), svg_points=" ".join(coordinates), low=low, high=high)
