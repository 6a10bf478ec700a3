"""Inline SVG charts for the quote document, drawn on the server (no JavaScript).

Two charts: stacked bars of lifetime cost by category per offer (credits below the zero line;
where the result has an uncertainty block, each offer's P10-P90 range over the bar with its P50
marked), and the cumulative discounted cost per offer over the years with the crossover point
marked; with an uncertainty block also a tornado (:func:`tornado`): what each uncertain input,
alone at its P10 and at its P90, does to the net savings. The functions take values and
already formatted labels; every text is escaped here.

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


@dataclass(frozen=True, slots=True)
class Range:
    """A spread drawn over a bar: a line from ``low`` (P10) to ``high`` (P90) with caps, and a
    circle at ``mid`` (P50). ``key`` names it in the chart (``data-key``)."""

    low: float
    mid: float
    high: float
    key: str = ""


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


#: The range over a bar: its colour, the width of its line and of the white halo under it (so
#: it reads over every category colour), the half-width of its caps and the P50 circle.
RANGE_COLOR = "#1a1a1a"
RANGE_LINE = 1.6
RANGE_HALO = 4.5
RANGE_CAP = 9.0
RANGE_MID_R = 3.2


def _whisker(spread: Range, cx: float, bar_w: float, y: Callable[[float], float]) -> list[str]:
    """The P10-P90 line over a bar at ``cx`` with its caps, on a white halo, and the P50
    circle; the line from P10 to P90 is the element of class ``p10-p90``."""
    cap = min(bar_w * 0.3, RANGE_CAP)
    y10, y90 = y(spread.low), y(spread.high)
    strokes = (
        ("p10-p90", cx, y10, cx, y90),
        ("p10", cx - cap, y10, cx + cap, y10),
        ("p90", cx - cap, y90, cx + cap, y90),
    )
    out = [f'<g class="range" data-key="{escape(spread.key)}">']
    for width, color, classed in ((RANGE_HALO, "#ffffff", False), (RANGE_LINE, RANGE_COLOR, True)):
        for name, x1, y1, x2, y2 in strokes:
            attr = f' class="{name}"' if classed else ""
            out.append(
                f'<line{attr} x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}"'
                f' stroke="{color}" stroke-width="{width:g}" stroke-linecap="butt"/>'
            )
    out.append(
        f'<circle class="p50" cx="{_f(cx)}" cy="{_f(y(spread.mid))}" r="{RANGE_MID_R:g}"'
        f' fill="#ffffff" stroke="{RANGE_COLOR}" stroke-width="1.4"/>'
    )
    out.append("</g>")
    return out


def range_glyph() -> Markup:
    """The range over a bar in small, for the legend that explains it."""
    return Markup(
        '<svg class="glyph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 12 14" width="12"'
        ' height="14" aria-hidden="true">'
        f'<line x1="6" y1="1" x2="6" y2="13" stroke="{RANGE_COLOR}" stroke-width="1.4"/>'
        f'<line x1="2.5" y1="1" x2="9.5" y2="1" stroke="{RANGE_COLOR}" stroke-width="1.4"/>'
        f'<line x1="2.5" y1="13" x2="9.5" y2="13" stroke="{RANGE_COLOR}" stroke-width="1.4"/>'
        f'<circle cx="6" cy="7" r="2.6" fill="#ffffff" stroke="{RANGE_COLOR}"'
        ' stroke-width="1.2"/></svg>'
    )


def stacked_bars(
    bars: Sequence[Bar],
    *,
    title: str,
    tick_label: Callable[[float], str],
    width: int = 680,
    height: int = 200,
    ranges: Sequence[Range | None] = (),
) -> Markup:
    """Vertical stacked bars, one per offer: positive parts up from 0, credits down from 0.

    Each bar has its slot of the width: its label (wrapped, at most three lines) and its total
    stay within the slot, so no two texts overlap. A total too wide for the slot is set smaller,
    down to :data:`MIN_TOTAL_SIZE`, then upright above its bar; where even that would take
    most of the chart, the totals are left to the tables. ``ranges`` (one per bar, or none)
    are drawn over their bars, on the same value axis; a bar's total then stands above its
    range where the range reaches higher than the bar."""
    slot = bar_slot(len(bars), width)
    labels = [_label_lines(b.label, slot - 8) for b in bars]
    label_lines = max((len(lines) for lines, _ in labels), default=1)
    bottom = 14.0 + 12.0 * label_lines
    ups = [sum(s.value for s in b.segments if s.value > 0) for b in bars]
    downs = [sum(s.value for s in b.segments if s.value < 0) for b in bars]
    spans = [r for r in ranges if r is not None]
    total_size, upright, top = _totals_layout(bars, slot, height)
    plot_h = height - top - bottom
    lo, hi, ticks, left = _value_axis(
        min([*downs, *(r.low for r in spans)], default=0.0),
        max([*ups, *(r.high for r in spans)], default=0.0),
        plot_h,
        tick_label,
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
        top_y = y(up)
        spread = ranges[i] if i < len(ranges) else None
        if spread is not None:
            body += _whisker(spread, cx, bar_w, y)
            top_y = min(top_y, y(spread.high) - RANGE_HALO / 2 - 0.5)
        body += _bar_total(bar.total_label, cx, top_y, total_size, upright)
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


# --------------------------------------------------------------------------------------------
# The tornado: what each uncertain input, alone at its P10 and at its P90, does to an outcome


@dataclass(frozen=True, slots=True)
class TornadoRow:
    """One input of a tornado: its name, the labels of its two values (``P10 ×0.86``), and
    the outcome with the input at its P10 (``low``) and at its P90 (``high``)."""

    name: str
    low_label: str
    high_label: str
    low: float
    high: float


#: The tornado's colours: the bar from the base case to the outcome at the input's P10 and at
#: its P90, and the (darker) colours of the labels of those values.
TORNADO_LOW = "#5b9bd5"
TORNADO_HIGH = "#f4a460"
TORNADO_LOW_TEXT = "#1f4e79"
TORNADO_HIGH_TEXT = "#a0500f"
#: Font sizes of an input's name and of its values, the most lines of a name (a longer one is
#: cut, with "…"; the document's table gives it in full), the least and most width of the
#: label column, a line's height, the bar's height and the room above and below the rows.
TORNADO_NAME_SIZE = 9.0
TORNADO_VALUE_SIZE = 8.0
TORNADO_NAME_LINES = 2
TORNADO_MIN_LABELS = 130.0
TORNADO_MAX_LABELS = 240.0
TORNADO_LINE = 11.0
TORNADO_BAR = 13.0
TORNADO_TOP = 24.0
TORNADO_BOTTOM = 24.0


def _measure(text: str, size: float) -> float:
    """The width of ``text`` (no-break spaces measured as spaces: values in their unit)."""
    return text_width(text.replace("\u00a0", " "), size)


def clip_to_width(text: str, width: float, size: float) -> str:
    """``text`` cut (with "…") to be no wider than ``width`` at ``size``."""
    if _measure(text, size) <= width:
        return text
    while text and _measure(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def fit_lines(text: str, width: float, size: float, max_lines: int) -> list[str]:
    """``text`` word-wrapped into at most ``max_lines`` lines no wider than ``width``: a word
    too long for a line is broken, and what does not fit is cut with "…"."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if _measure(candidate, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while _measure(current, size) > width:  # break a word longer than the line
            cut = len(current)
            while cut > 1 and _measure(current[:cut], size) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], clip_to_width(rest, width, size)]
    return lines or [""]


def _tornado_values(row: TornadoRow, width: float) -> list[tuple[str, str, float]]:
    """The labels of a row's two values as (text, colour, x offset) on one line where they fit
    side by side, else one below the other (x offset -1: the next line)."""
    size = TORNADO_VALUE_SIZE
    gap = _measure("   ", size)
    low_w = _measure(row.low_label, size)
    if low_w + gap + _measure(row.high_label, size) <= width:
        return [
            (row.low_label, TORNADO_LOW_TEXT, 0.0),
            (row.high_label, TORNADO_HIGH_TEXT, low_w + gap),
        ]
    return [
        (clip_to_width(row.low_label, width, size), TORNADO_LOW_TEXT, 0.0),
        (clip_to_width(row.high_label, width, size), TORNADO_HIGH_TEXT, -1.0),
    ]


def span_ticks(lo: float, hi: float, count: int = 5) -> tuple[float, float, list[float]]:
    """Round ticks covering lo..hi (0 not forced in), and the range from the first to the last."""
    if hi - lo <= 0:
        pad = max(abs(hi) * 0.05, 1.0)
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    ticks = [k * step for k in range(first, last + 1)]
    return ticks[0], ticks[-1], ticks


@dataclass(frozen=True, slots=True)
class _Axis:
    """The tornado's value axis: its ticks and their labels, the values ``lo``..``hi`` it
    spans, drawn from x ``left`` to x ``right``."""

    ticks: list[float]
    labels: list[str]
    lo: float
    hi: float
    left: float
    right: float

    def x(self, v: float) -> float:
        return self.left + (v - self.lo) / (self.hi - self.lo) * (self.right - self.left)


def _tornado_axis(
    values: Sequence[float], zero: bool, tick_label: Callable[[float], str], x0: float, x1: float
) -> _Axis:
    """The value axis between ``x0`` and ``x1`` with as many ticks (up to 5) as leave their
    labels apart; the first and last labels stay within x0..x1."""
    lo, hi = min(values), max(values)
    axis: _Axis | None = None
    for count in (5, 4, 3, 2):
        bottom, top, ticks = nice_ticks(lo, hi, count) if zero else span_ticks(lo, hi, count)
        bottom, top = min(bottom, ticks[0]), max(top, ticks[-1])
        labels = [tick_label(t) for t in ticks]
        widths = [_measure(t, TICK_SIZE) for t in labels]
        axis = _Axis(ticks, labels, bottom, top, x0 + widths[0] / 2, x1 - widths[-1] / 2)
        gaps = [
            axis.x(b) - axis.x(a) - (wa + wb) / 2
            for a, b, wa, wb in zip(ticks, ticks[1:], widths, widths[1:], strict=False)
        ]
        if all(g >= 8 for g in gaps):
            break
    assert axis is not None
    return axis


def _tornado_bars(row: TornadoRow, base: float, axis: _Axis, y0: float) -> list[str]:
    """The two bars of a row from the base case: to the outcome at P10 and at P90. Where both
    lie on one side, the shorter is drawn narrower over the longer."""
    bars = [("at-p10", row.low, TORNADO_LOW), ("at-p90", row.high, TORNADO_HIGH)]
    bars.sort(key=lambda b: -abs(b[1] - base))
    same_side = (row.low - base) * (row.high - base) > 0
    out = []
    for k, (name, value, color) in enumerate(bars):
        h = TORNADO_BAR * (0.55 if same_side and k == 1 else 1.0)
        a, b = sorted((axis.x(base), axis.x(value)))
        out.append(
            f'<rect class="{name}" x="{_f(a)}" y="{_f(y0 + (TORNADO_BAR - h) / 2)}"'
            f' width="{_f(max(b - a, 0.6))}" height="{_f(h)}" fill="{color}"'
            ' stroke="#ffffff" stroke-width="0.5"/>'
        )
    return out


def _tornado_row(
    row: TornadoRow, base: float, axis: _Axis, y0: float, label_w: float, width: int
) -> tuple[list[str], float]:
    """One input's name, values and bars from ``y0`` down; and the row's height."""
    names = fit_lines(row.name, label_w - 8, TORNADO_NAME_SIZE, TORNADO_NAME_LINES)
    values = _tornado_values(row, label_w - 8)
    value_lines = 1 + sum(1 for _, _, dx in values if dx < 0)
    height = TORNADO_LINE * (len(names) + value_lines) + 8
    out = [f'<g class="tornado-row" data-input="{escape(row.name)}">']
    out.append(
        f'<line x1="0" x2="{width}" y1="{_f(y0 + height)}" y2="{_f(y0 + height)}"'
        f' stroke="{GRID}" stroke-width="0.6"/>'
    )
    y = y0 + 4 + ASCENT * TORNADO_NAME_SIZE
    for line in names:
        out.append(_text(4, y, line, size=TORNADO_NAME_SIZE, anchor="start"))
        y += TORNADO_LINE
    for text, color, dx in values:
        if dx < 0:
            y, dx = y + TORNADO_LINE, 0.0
        out.append(_text(4 + dx, y, text, size=TORNADO_VALUE_SIZE, anchor="start", fill=color))
    out += _tornado_bars(row, base, axis, y0 + (height - TORNADO_BAR) / 2)
    out.append("</g>")
    return out, height


def tornado(
    rows: Sequence[TornadoRow],
    *,
    base: float,
    base_label: str,
    title: str,
    tick_label: Callable[[float], str],
    zero: bool = True,
    width: int = 680,
) -> Markup:
    """A tornado: a row per input, in the order given (largest swing first), with its name
    (wrapped, at most two lines, cut with "…" beyond) and its two values on the left, and
    bars from the base case to the outcome with the input at its P10 and at its P90. A dashed
    line marks the base case, labelled above the rows; the value axis (including 0 where
    ``zero``) is below them. Its height follows from the rows."""
    widest = max(
        (
            max(
                _measure(r.name, TORNADO_NAME_SIZE),
                _measure(f"{r.low_label}   {r.high_label}", TORNADO_VALUE_SIZE),
            )
            for r in rows
        ),
        default=0.0,
    )
    label_w = min(max(widest + 12, TORNADO_MIN_LABELS), TORNADO_MAX_LABELS)
    values = [base, *(r.low for r in rows), *(r.high for r in rows)]
    axis = _tornado_axis(values, zero, tick_label, label_w + 6, width - 4)
    body: list[str] = []
    y = TORNADO_TOP
    for row in rows:
        shapes, h = _tornado_row(row, base, axis, y, label_w, width)
        body += shapes
        y += h
    bottom = y
    height = math.ceil(bottom + TORNADO_BOTTOM)
    grid: list[str] = []
    for t, label in zip(axis.ticks, axis.labels, strict=True):
        grid.append(
            f'<line x1="{_f(axis.x(t))}" x2="{_f(axis.x(t))}" y1="{_f(TORNADO_TOP)}"'
            f' y2="{_f(bottom)}" stroke="{GRID if t else AXIS}" stroke-width="{1 if t else 1.2}"/>'
        )
        grid.append(_text(axis.x(t), bottom + 14, label, size=TICK_SIZE, fill=AXIS))
    bx = axis.x(base)
    grid.append(
        f'<line class="base" x1="{_f(bx)}" x2="{_f(bx)}" y1="{_f(TORNADO_TOP - 4)}"'
        f' y2="{_f(bottom)}" stroke="#000000" stroke-width="1.2" stroke-dasharray="4 3"/>'
    )
    half = text_width(base_label.replace("\u00a0", " "), TICK_SIZE, bold=True) / 2
    lx = min(max(bx, label_w + half), width - 2 - half)
    grid.append(_text(lx, TORNADO_TOP - 9, base_label, size=TICK_SIZE, font_weight="bold"))
    return _svg(width, height, title, grid + body)
