"""Inline SVG charts for the quote document, drawn on the server (no JavaScript).

Two charts: stacked bars of lifetime cost by category per offer (credits below the zero line),
and the cumulative discounted cost per offer over the years with the crossover point marked.
The functions take values and already formatted labels; every text is escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
AXIS = "#555555"
GRID = "#dddddd"


@dataclass(frozen=True, slots=True)
class Segment:
    value: float
    color: str


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    total_label: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Series:
    values: tuple[float, ...]
    color: str
    dashed: bool
    bold: bool


@dataclass(frozen=True, slots=True)
class Marker:
    x: float
    y: float
    label: str


def nice_ticks(lo: float, hi: float, count: int = 5) -> tuple[float, float, list[float]]:
    """A value range covering lo..hi and 0, and round tick values within it.

    The range ends on a tick where the values are far from it; a small overhang (less than
    a third of a tick step, a residual-value credit below zero, say) gets only a little room.
    """
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo <= 0:
        hi = lo + 1.0
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    top = math.ceil(hi / step) * step
    bottom = math.floor(lo / step) * step
    if lo < 0 and lo - bottom > step * 2 / 3:
        bottom = lo - step * 0.1
    n_first = math.ceil(bottom / step - 1e-9)
    ticks = [k * step for k in range(n_first, round(top / step) + 1)]
    return bottom, top, ticks


def wrap(text: str, width: int, max_lines: int = 3) -> list[str]:
    """Greedy word wrap to ``width`` characters; the last line ends in an ellipsis if cut."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[: width - 1] + "-")
            word = word[width - 1 :]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(width - 1, 1)].rstrip() + "…"
    return lines or [""]


def _f(x: float) -> str:
    return f"{x:.1f}"


def _grid_lines(
    ticks: Sequence[float],
    y: Callable[[float], float],
    left: float,
    right: float,
    tick_label: Callable[[float], str],
) -> list[str]:
    """Horizontal grid lines at the ticks (the zero line darker) with their labels."""
    out: list[str] = []
    for t in ticks:
        out.append(
            f'<line x1="{_f(left)}" x2="{_f(right)}" y1="{_f(y(t))}" y2="{_f(y(t))}"'
            f' stroke="{GRID if t else AXIS}" stroke-width="{1 if t else 1.2}"/>'
        )
        out.append(_text(left - 6, y(t) + 3.5, tick_label(t), size=9, anchor="end", fill=AXIS))
    return out


def _text(
    x: float, y: float, text: str, *, size: int = 10, anchor: str = "middle", **attrs: str
) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" font-size="{size}" text-anchor="{anchor}"'
        f' font-family="{FONT}"{extra}>{escape(text)}</text>'
    )


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="chart">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")


def stacked_bars(
    bars: Sequence[Bar],
    *,
    title: str,
    tick_label: Callable[[float], str],
    width: int = 680,
    height: int = 200,
) -> Markup:
    """Vertical stacked bars, one per offer: positive parts up from 0, credits down from 0."""
    left, right, top = 78.0, 12.0, 22.0
    slot = (width - left - right) / max(len(bars), 1)
    chars = max(int(slot / 6.2), 8)
    label_lines = max(len(wrap(b.label, chars)) for b in bars) if bars else 1
    bottom = 14.0 + 12.0 * label_lines
    ups = [sum(s.value for s in b.segments if s.value > 0) for b in bars]
    downs = [sum(s.value for s in b.segments if s.value < 0) for b in bars]
    lo, hi, ticks = nice_ticks(min(downs, default=0.0), max(ups, default=0.0))
    plot_h = height - top - bottom

    def y(v: float) -> float:
        return top + (hi - v) / (hi - lo) * plot_h

    body = _grid_lines(ticks, y, left, width - right, tick_label)
    bar_w = min(slot * 0.55, 90.0)
    for i, bar in enumerate(bars):
        cx = left + slot * (i + 0.5)
        x0 = cx - bar_w / 2
        up, down = 0.0, 0.0
        for seg in bar.segments:
            if seg.value > 0:
                y1, y2 = y(up + seg.value), y(up)
                up += seg.value
            elif seg.value < 0:
                y1, y2 = y(down), y(down + seg.value)
                down += seg.value
            else:
                continue
            body.append(
                f'<rect x="{_f(x0)}" y="{_f(y1)}" width="{_f(bar_w)}"'
                f' height="{_f(max(y2 - y1, 0.3))}"'
                f' fill="{seg.color}" stroke="#ffffff" stroke-width="0.6"/>'
            )
        body.append(_text(cx, y(up) - 5, bar.total_label, size=10, font_weight="bold"))
        for k, line in enumerate(wrap(bar.label, chars)):
            body.append(_text(cx, height - bottom + 16 + 12 * k, line, size=10))
    return _svg(width, height, title, body)


def cumulative_lines(
    series: Sequence[Series],
    *,
    years: int,
    title: str,
    tick_label: Callable[[float], str],
    year_label: str,
    marker: Marker | None,
    width: int = 680,
    height: int = 200,
) -> Markup:
    """Cumulative cost per offer over years 0..N, the crossover point marked with a circle."""
    left, right, top, bottom = 78.0, 16.0, 16.0, 38.0
    values = [v for s in series for v in s.values]
    lo, hi, ticks = nice_ticks(min(values, default=0.0), max(values, default=1.0))
    plot_w = width - left - right
    plot_h = height - top - bottom

    def x(t: float) -> float:
        return left + t / max(years, 1) * plot_w

    def y(v: float) -> float:
        return top + (hi - v) / (hi - lo) * plot_h

    body = _grid_lines(ticks, y, left, width - right, tick_label)
    step = 1 if years <= 12 else 2 if years <= 24 else 5 if years <= 60 else 10
    for k in range(0, years + 1, step):
        body.append(
            f'<line x1="{_f(x(k))}" x2="{_f(x(k))}" y1="{_f(height - bottom)}"'
            f' y2="{_f(height - bottom + 4)}" stroke="{AXIS}"/>'
        )
        body.append(_text(x(k), height - bottom + 15, str(k), size=9, fill=AXIS))
    body.append(_text(left + plot_w / 2, height - 6, year_label, size=10, fill=AXIS))
    for s in series:
        points = " ".join(f"{_f(x(k))},{_f(y(v))}" for k, v in enumerate(s.values))
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{s.color}"'
            f' stroke-width="{3 if s.bold else 1.8}"{dash} stroke-linejoin="round"/>'
        )
    if marker is not None:
        mx, my = x(marker.x), y(marker.y)
        body.append(
            f'<circle cx="{_f(mx)}" cy="{_f(my)}" r="6" fill="none" stroke="#000000"'
            ' stroke-width="2"/>'
        )
        anchor = "start" if mx < left + plot_w * 0.6 else "end"
        dx = 10 if anchor == "start" else -10
        ty = my + 22 if my - 24 < top else my - 12
        box_w = 6.4 * len(marker.label) + 6
        box_x = mx + dx - 3 if anchor == "start" else mx + dx - box_w + 3
        body.append(
            f'<rect x="{_f(box_x)}" y="{_f(ty - 11)}" width="{_f(box_w)}" height="15"'
            ' fill="#ffffff" fill-opacity="0.85" stroke="#000000" stroke-width="0.5"/>'
        )
        body.append(_text(mx + dx, ty, marker.label, size=10, anchor=anchor, font_weight="bold"))
    return _svg(width, height, title, body)
