"""Inline SVG charts for the quote document, drawn on the server (no JavaScript).

Two charts: stacked bars of lifetime cost by category per offer (credits below the zero line),
and the cumulative discounted cost per offer over the years with the crossover point marked.
The functions take values and already formatted labels; every text is escaped here.

Texts are laid out so that none overprints another or a curve: widths are measured with the
advance widths of DejaVu Sans (the font the PDF is set in, :func:`text_width`); bar labels that
do not fit under their bar are replaced by keys ("1", "2", ...) that the document explains; the
totals above the bars shrink (or turn upright) to fit their bar's slot; the crossover label is
placed where its box crosses no curve; the year axis always shows year 0 and year N.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
AXIS = "#555555"
GRID = "#dddddd"

#: The characters whose advance widths are known, and their widths in DejaVu Sans and DejaVu
#: Sans Bold (thousandths of the font size).
_METRIC_CHARS = (
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
    "abcdefghijklmnopqrstuvwxyz{|}~ÄÖÜäöüßéèáàçñ€–—…„“”‘’·×−²¹°"
)
_REGULAR = (
    "318 401 460 838 636 950 780 275 390 390 500 838 318 361 318 337 636 636 636 636 636 636 "
    "636 636 636 636 337 337 838 838 838 531 1000 684 686 698 770 632 575 775 752 295 295 656 "
    "557 863 748 787 603 787 695 635 611 732 684 989 685 611 685 390 337 390 838 500 500 613 "
    "635 550 635 615 352 635 634 278 278 579 278 974 634 612 635 635 411 521 392 634 592 818 "
    "592 592 525 636 337 636 838 684 787 732 613 612 634 630 615 615 613 613 550 634 636 500 "
    "1000 1000 518 518 518 318 318 318 838 838 401 401 500"
)
_BOLD = (
    "348 456 521 838 696 1002 872 306 457 457 523 838 380 415 380 365 696 696 696 696 696 696 "
    "696 696 696 696 400 400 838 838 838 580 1000 774 762 734 830 683 683 821 837 372 372 775 "
    "637 995 837 850 733 850 770 720 682 812 774 1103 771 724 725 457 365 457 838 500 500 675 "
    "716 593 716 678 435 716 712 343 343 665 343 1042 712 687 716 716 493 595 478 712 652 924 "
    "645 652 582 712 365 712 838 774 850 812 675 687 712 719 678 678 675 675 593 712 696 500 "
    "1000 1000 657 657 657 380 380 380 838 838 438 438 500"
)
_WIDTHS = {
    bold: dict(zip(_METRIC_CHARS, map(int, table.split()), strict=True))
    for bold, table in ((False, _REGULAR), (True, _BOLD))
}
#: The width of a character not in the table: as wide as the widest letters.
_UNKNOWN_WIDTH = 1000
#: The height of a line of text above and below its baseline, as a share of the font size.
ASCENT = 0.8
DESCENT = 0.25

#: Line colours of the offers, in order; after the last one the colours repeat dotted.
OFFER_COLORS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width of ``text`` set in DejaVu Sans at ``size`` (same units as ``size``)."""
    widths = _WIDTHS[bold]
    return size * sum(widths.get(c, _UNKNOWN_WIDTH) for c in text) / 1000


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle in SVG coordinates (y grows downwards)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def grown(self, by: float) -> Box:
        return Box(self.x0 - by, self.y0 - by, self.x1 + by, self.y1 + by)

    def hits_segment(self, x1: float, y1: float, x2: float, y2: float) -> bool:
        """Whether the segment (x1, y1)-(x2, y2) passes through the box (Liang-Barsky)."""
        dx, dy = x2 - x1, y2 - y1
        t0, t1 = 0.0, 1.0
        for p, q in (
            (-dx, x1 - self.x0),
            (dx, self.x1 - x1),
            (-dy, y1 - self.y0),
            (dy, self.y1 - y1),
        ):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                if t > t1:
                    return False
                t0 = max(t0, t)
            else:
                if t < t0:
                    return False
                t1 = min(t1, t)
        return t0 <= t1

    def distance(self, x: float, y: float) -> float:
        """The distance from the point (x, y) to the box (0 inside)."""
        dx = max(self.x0 - x, 0.0, x - self.x1)
        dy = max(self.y0 - y, 0.0, y - self.y1)
        return math.hypot(dx, dy)


def text_box(
    x: float, y: float, text: str, size: float, *, anchor: str = "middle", bold: bool = False
) -> Box:
    """The box a horizontal text takes, its baseline starting (``anchor``) at (x, y)."""
    w = text_width(text, size, bold=bold)
    x0 = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
    return Box(x0, y - ASCENT * size, x0 + w, y + DESCENT * size)


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
    #: Drawn dotted (the colours repeat after :data:`OFFER_COLORS`).
    dotted: bool = False


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


#: Steps between the marked years, in order of preference; the first that divides the study
#: period into at most :data:`MAX_YEAR_TICKS` marks is taken.
YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50, 3, 4, 6, 15)
MAX_YEAR_TICKS = 16


def year_ticks(years: int) -> list[int]:
    """The years marked on the x axis: always year 0 and year N, evenly spaced between by a
    step that divides N where one does; otherwise by a round step, N added (and the round
    tick just before N dropped where it would crowd it)."""
    n = max(years, 1)
    for step in YEAR_STEPS:
        if n % step == 0 and n // step + 1 <= MAX_YEAR_TICKS:
            return list(range(0, n + 1, step))
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100) if n / s + 1 <= MAX_YEAR_TICKS)
    ticks = list(range(0, n, step))
    if n - ticks[-1] < step / 2 and len(ticks) > 1:
        ticks.pop()
    return [*ticks, n]


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


def wrap_to_width(text: str, width: float, size: float, max_lines: int) -> list[str] | None:
    """``text`` word-wrapped into lines no wider than ``width`` at ``size``; None where it
    does not fit in ``max_lines`` lines without cutting a word."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size) <= width:
            current = candidate
            continue
        if not current or text_width(word, size) > width:
            return None
        lines.append(current)
        current = word
    lines.append(current)
    return lines if len(lines) <= max_lines else None


def _f(x: float) -> str:
    return f"{x:.1f}"


def _text(
    x: float, y: float, text: str, *, size: float = 10, anchor: str = "middle", **attrs: str
) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" font-size="{size:g}" text-anchor="{anchor}"'
        f' font-family="{FONT}"{extra}>{escape(text)}</text>'
    )


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="chart">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")


#: The font size of the tick labels, the margin right of the plots and the least left margin.
TICK_SIZE = 9
RIGHT = 14.0
MIN_LEFT = 78.0


def _value_axis(
    lo: float, hi: float, plot_h: float, tick_label: Callable[[float], str]
) -> tuple[float, float, list[float], float]:
    """The value range and ticks of a plot ``plot_h`` high (fewer ticks where they would
    crowd each other) and the left margin their labels need."""
    bottom, top, ticks = nice_ticks(lo, hi)
    if len(ticks) > 1 and plot_h / (len(ticks) - 1) < 2.2 * TICK_SIZE:
        bottom, top, ticks = nice_ticks(lo, hi, count=2)
    widest = max((text_width(tick_label(t), TICK_SIZE) for t in ticks), default=0.0)
    return bottom, top, ticks, max(MIN_LEFT, widest + 14)


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
        out.append(
            _text(left - 6, y(t) + 3.5, tick_label(t), size=TICK_SIZE, anchor="end", fill=AXIS)
        )
    return out


#: Bar charts: the size of the labels under the bars and of the totals above them, the most
#: lines a label under a bar may take, and the least size of a total set horizontally.
BAR_LABEL_SIZE = 10
BAR_LABEL_LINES = 3
MIN_LABEL_SIZE = 5
TOTAL_SIZE = 10
MIN_TOTAL_SIZE = 7


def bar_slot(count: int, width: int = 680) -> float:
    """The width each of ``count`` bars has for itself and its labels."""
    return (width - MIN_LEFT - RIGHT) / max(count, 1)


def bar_labels_fit(labels: Sequence[str], width: int = 680) -> bool:
    """Whether every label fits under its bar in :data:`BAR_LABEL_LINES` lines without being
    cut; where not, the document labels the bars with keys and explains them below."""
    room = bar_slot(len(labels), width) - 8
    return all(
        wrap_to_width(label, room, BAR_LABEL_SIZE, BAR_LABEL_LINES) is not None for label in labels
    )


def _label_lines(label: str, room: float) -> tuple[list[str], float]:
    """The lines of a label under a bar and their font size: wrapped at the usual size where
    it fits, else on one line at the size that fits (a key), else cut."""
    lines = wrap_to_width(label, room, BAR_LABEL_SIZE, BAR_LABEL_LINES)
    if lines is not None:
        return lines, BAR_LABEL_SIZE
    one = text_width(label, 1.0)
    wide = room + 6  # a key needs less air than words do
    if one > 0 and wide / one >= MIN_LABEL_SIZE:
        return [label], math.floor(min(BAR_LABEL_SIZE, wide / one) * 2) / 2
    return wrap(label, max(int(room / 6.4), 2), BAR_LABEL_LINES), BAR_LABEL_SIZE


def _totals_layout(bars: Sequence[Bar], slot: float, height: int) -> tuple[float, bool, float]:
    """The font size of the totals above the bars (0: left out), whether they stand upright,
    and the room above the plot they need: horizontal at the size that fits every slot, else
    upright, else left to the tables."""
    widest_total = max((text_width(b.total_label, 1.0, bold=True) for b in bars), default=0.0)
    total_size = min(TOTAL_SIZE, (slot - 6) / widest_total) if widest_total else TOTAL_SIZE
    total_size = math.floor(total_size * 2) / 2
    upright = total_size < MIN_TOTAL_SIZE
    top = 22.0
    if upright:
        total_size = min(9.0, max(slot - 4, 1.0))
        top = 10 + widest_total * total_size
        if top > 0.4 * height or total_size < 5:
            total_size, top = 0.0, 22.0
    return total_size, upright, top


def _bar_rects(
    bar: Bar, x0: float, bar_w: float, y: Callable[[float], float]
) -> tuple[list[str], float]:
    """The segments of one bar, positive parts up from 0 and credits down from 0; and the top
    of its positive parts."""
    out: list[str] = []
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
        out.append(
            f'<rect x="{_f(x0)}" y="{_f(y1)}" width="{_f(bar_w)}"'
            f' height="{_f(max(y2 - y1, 0.3))}"'
            f' fill="{seg.color}" stroke="#ffffff" stroke-width="0.6"/>'
        )
    return out, up


def _bar_total(label: str, cx: float, top_y: float, size: float, upright: bool) -> list[str]:
    """The total above a bar whose positive parts end at ``top_y`` (none where ``size`` is 0)."""
    if not size:
        return []
    if not upright:
        return [_text(cx, top_y - 5, label, size=size, font_weight="bold")]
    tx, ty = cx + (ASCENT - DESCENT) / 2 * size, top_y - 4
    return [
        _text(
            tx,
            ty,
            label,
            size=size,
            anchor="start",
            font_weight="bold",
            transform=f"rotate(-90 {_f(tx)} {_f(ty)})",
        )
    ]


def stacked_bars(
    bars: Sequence[Bar],
    *,
    title: str,
    tick_label: Callable[[float], str],
    width: int = 680,
    height: int = 200,
) -> Markup:
    """Vertical stacked bars, one per offer: positive parts up from 0, credits down from 0.

    Each bar has its slot of the width: its label (wrapped, at most three lines) and its total
    stay within the slot, so no two texts overlap. A total too wide for the slot is set smaller,
    down to :data:`MIN_TOTAL_SIZE`, then upright above its bar; where even that would take
    most of the chart, the totals are left to the tables."""
    slot = bar_slot(len(bars), width)
    labels = [_label_lines(b.label, slot - 8) for b in bars]
    label_lines = max((len(lines) for lines, _ in labels), default=1)
    bottom = 14.0 + 12.0 * label_lines
    ups = [sum(s.value for s in b.segments if s.value > 0) for b in bars]
    downs = [sum(s.value for s in b.segments if s.value < 0) for b in bars]
    total_size, upright, top = _totals_layout(bars, slot, height)
    plot_h = height - top - bottom
    lo, hi, ticks, left = _value_axis(
        min(downs, default=0.0), max(ups, default=0.0), plot_h, tick_label
    )
    slot = (width - left - RIGHT) / max(len(bars), 1)

    def y(v: float) -> float:
        return top + (hi - v) / (hi - lo) * plot_h

    body = _grid_lines(ticks, y, left, width - RIGHT, tick_label)
    bar_w = min(slot * 0.55, 90.0)
    for i, bar in enumerate(bars):
        cx = left + slot * (i + 0.5)
        rects, up = _bar_rects(bar, cx - bar_w / 2, bar_w, y)
        body += rects
        body += _bar_total(bar.total_label, cx, y(up), total_size, upright)
        lines, size = labels[i]
        for k, line in enumerate(lines):
            body.append(_text(cx, height - bottom + 16 + 12 * k, line, size=size))
    return _svg(width, height, title, body)


Scale = Callable[[float], float]
Seg = tuple[float, float, float, float]

#: The crossover label: font size, padding and height of its box.
MARKER_SIZE = 10
MARKER_PAD = 4.0
MARKER_H = 15.0
#: The radius of the circle around the crossover point.
MARKER_R = 6.0
#: Room kept between the crossover label and any curve (half a bold stroke and some air), and
#: between it and the edges of the plot.
CURVE_CLEARANCE = 3.5
EDGE_CLEARANCE = 4.0


def _label_spot(
    w: float,
    h: float,
    mx: float,
    my: float,
    area: Box,
    segments: Sequence[Seg],
) -> Box | None:
    """The box of ``w`` by ``h`` inside ``area`` nearest to the point (mx, my) that crosses no
    segment (with :data:`CURVE_CLEARANCE`) and leaves the circle around the point free.

    Candidates lie on a grid (6 units across, 4 down), nearest first (ties in grid order)."""
    spots: list[tuple[float, float, float]] = []  # distance to the point, x, y
    x = area.x0
    while x + w <= area.x1:
        dx = max(x - mx, 0.0, mx - (x + w))
        y = area.y0
        while y + h <= area.y1:
            d = math.hypot(dx, max(y - my, 0.0, my - (y + h)))  # Box.distance
            if d >= MARKER_R + 3:
                spots.append((d, x, y))
            y += 4
        x += 6
    spots.sort(key=lambda s: s[0])
    # each segment with its bounding box, to pass over the segments far from a candidate
    bounds = [
        (min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2), x1, y1, x2, y2)
        for x1, y1, x2, y2 in segments
    ]
    for _, x, y in spots:
        box = Box(x, y, x + w, y + h)
        clear = box.grown(CURVE_CLEARANCE)
        if not any(
            hx >= clear.x0
            and lx <= clear.x1
            and hy >= clear.y0
            and ly <= clear.y1
            and clear.hits_segment(x1, y1, x2, y2)
            for lx, hx, ly, hy, x1, y1, x2, y2 in bounds
        ):
            return box
    return None


@dataclass(frozen=True, slots=True)
class _Plot:
    """The frame of the cumulative chart: its grid (the value axis), the scales of years and
    values, its left edge and the curves' segments in chart coordinates."""

    body: list[str]
    x: Scale
    y: Scale
    left: float
    segments: list[Seg]


def _plot(
    series: Sequence[Series],
    years: int,
    tick_label: Callable[[float], str],
    width: int,
    height: int,
    top: float,
) -> _Plot:
    """The plot of the cumulative chart between ``top`` and the year axis."""
    values = [v for s in series for v in s.values]
    lo_v, hi_v = min(values, default=0.0), max(values, default=1.0)
    plot_h = height - top - _LINES_BOTTOM
    lo, hi, ticks, left = _value_axis(lo_v, hi_v, plot_h, tick_label)
    plot_w = width - left - RIGHT

    def x(t: float) -> float:
        return left + t / max(years, 1) * plot_w

    def y(v: float) -> float:
        return top + (hi - v) / (hi - lo) * plot_h

    segments = [
        (x(k), y(a), x(k + 1), y(b))
        for s in series
        for k, (a, b) in enumerate(zip(s.values, s.values[1:], strict=False))
    ]
    return _Plot(_grid_lines(ticks, y, left, width - RIGHT, tick_label), x, y, left, segments)


def _year_axis(plot: _Plot, years: int, year_label: str, width: int, height: int) -> list[str]:
    """The marked years under the plot (always 0 and N) and the axis title."""
    out: list[str] = []
    x, base = plot.x, height - _LINES_BOTTOM
    for k in year_ticks(years):
        out.append(
            f'<line x1="{_f(x(k))}" x2="{_f(x(k))}" y1="{_f(base)}"'
            f' y2="{_f(base + 4)}" stroke="{AXIS}"/>'
        )
        out.append(_text(x(k), base + 15, str(k), size=TICK_SIZE, fill=AXIS))
    middle = plot.left + (width - plot.left - RIGHT) / 2
    out.append(_text(middle, height - 6, year_label, size=10, fill=AXIS))
    return out


def _polylines(series: Sequence[Series], plot: _Plot) -> list[str]:
    """One curve per series: dashed, dotted or solid, bold for the recommended offer."""
    out: list[str] = []
    for s in series:
        points = " ".join(f"{_f(plot.x(k))},{_f(plot.y(v))}" for k, v in enumerate(s.values))
        dash = (
            ' stroke-dasharray="6 4"'
            if s.dashed
            else ' stroke-dasharray="1.5 3" stroke-linecap="round"'
            if s.dotted
            else ""
        )
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{s.color}"'
            f' stroke-width="{3 if s.bold else 1.8}"{dash} stroke-linejoin="round"/>'
        )
    return out


def _marker_shapes(marker: Marker, spot: Box, plot: _Plot) -> list[str]:
    """The circle around the crossover point, the label in its box and the leader line from
    the circle to the nearest point of the box."""
    mx, my = plot.x(marker.x), plot.y(marker.y)
    out = [
        f'<circle cx="{_f(mx)}" cy="{_f(my)}" r="{MARKER_R:g}" fill="none" stroke="#000000"'
        ' stroke-width="2"/>'
    ]
    nx = min(max(mx, spot.x0), spot.x1)
    ny = min(max(my, spot.y0), spot.y1)
    gap = math.hypot(nx - mx, ny - my)
    if gap > MARKER_R + 2:
        sx = mx + (nx - mx) * MARKER_R / gap
        sy = my + (ny - my) * MARKER_R / gap
        out.append(
            f'<line x1="{_f(sx)}" y1="{_f(sy)}" x2="{_f(nx)}" y2="{_f(ny)}"'
            ' stroke="#000000" stroke-width="0.8" class="leader"/>'
        )
    out.append(
        f'<rect x="{_f(spot.x0)}" y="{_f(spot.y0)}" width="{_f(spot.x1 - spot.x0)}"'
        f' height="{_f(MARKER_H)}" fill="#ffffff" stroke="#000000" stroke-width="0.5"'
        ' class="crossover-label"/>'
    )
    out.append(
        _text(
            spot.x0 + MARKER_PAD,
            spot.y0 + MARKER_H - 4,
            marker.label,
            size=MARKER_SIZE,
            anchor="start",
            font_weight="bold",
        )
    )
    return out


#: The room below the cumulative chart's plot (year marks and the axis title) and above it.
_LINES_BOTTOM = 38.0
_LINES_TOP = 16.0


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
    """Cumulative cost per offer over years 0..N, the crossover point marked with a circle.

    The crossover label goes in a box in the plot where it crosses no curve, as near to the
    point as there is room, tied to it by a thin leader line; where the plot has no such room,
    above the plot area."""
    plot = _plot(series, years, tick_label, width, height, _LINES_TOP)
    spot: Box | None = None
    if marker is not None:
        box_w = text_width(marker.label, MARKER_SIZE, bold=True) + 2 * MARKER_PAD
        mx, my = plot.x(marker.x), plot.y(marker.y)
        e = EDGE_CLEARANCE
        area = Box(plot.left + e, _LINES_TOP + 1, width - RIGHT - e, height - _LINES_BOTTOM - e)
        spot = _label_spot(box_w, MARKER_H, mx, my, area, plot.segments)
        if spot is None:  # no room in the plot: above it
            plot = _plot(series, years, tick_label, width, height, _LINES_TOP + MARKER_H + 8)
            mx = plot.x(marker.x)
            bx = min(max(mx - box_w / 2, plot.left), width - RIGHT - box_w)
            spot = Box(bx, 4, bx + box_w, 4 + MARKER_H)
    body = plot.body + _year_axis(plot, years, year_label, width, height)
    body += _polylines(series, plot)
    if marker is not None and spot is not None:
        body += _marker_shapes(marker, spot, plot)
    return _svg(width, height, title, body)
