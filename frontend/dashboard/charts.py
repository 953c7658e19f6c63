"""A bar chart drawn on the server as SVG geometry for the template: no script, no library. The
template draws the bars and says the same figures in a table beside them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH = 640
HEIGHT = 220
TOP = 10       # room above the tallest bar
BOTTOM = 30    # room for the labels under the bars
LEFT = 4
GAP = 4


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label_x: int
    start: date
    amount: Decimal


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    baseline: int
    bars: list[Bar]
    peak: Decimal
    total: Decimal


def bar_chart(points: list[tuple[date, Decimal]], *, width: int = WIDTH, height: int = HEIGHT) -> BarChart:
    """Bars for (period start, amount) points, scaled so the highest fills the height; amounts below
    zero are drawn as nothing."""
    baseline = height - BOTTOM
    room = baseline - TOP
    peak = max((amount for _start, amount in points), default=Decimal("0"))
    step = (width - LEFT) // max(len(points), 1)
    bars = []
    for index, (start, amount) in enumerate(points):
        tall = int(room * amount / peak) if peak > 0 and amount > 0 else 0
        x = LEFT + index * step
        bars.append(Bar(x=x, y=baseline - tall, width=max(step - GAP, 1), height=tall,
                        label_x=x + (step - GAP) // 2, start=start, amount=amount))
    return BarChart(width=width, height=height, baseline=baseline, bars=bars, peak=peak,
                    total=sum((amount for _start, amount in points), Decimal("0")))
