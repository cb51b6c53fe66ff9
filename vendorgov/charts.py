"""Small charts rendered on the server as SVG: no JavaScript, nothing for the CSP to block,
and they print. Every chart carries a <title>/<desc> for screen readers; pages still show
the numbers in a table or text beside it (UX.md: charts with a text alternative).

Values may be None (missing data): the line breaks there instead of dropping to zero.
"""

import math
from dataclasses import dataclass
from html import escape

# Bootstrap 5 palette, so charts match the badges.
COLOURS = {"green": "#198754", "amber": "#ffc107", "red": "#dc3545", "grey": "#6c757d",
           "blue": "#0d6efd"}
SERIES_COLOURS = ["#0d6efd", "#6f42c1", "#d63384", "#fd7e14", "#20c997", "#0dcaf0",
                  "#6610f2", "#198754"]


@dataclass
class Series:
    label: str
    values: list[float | None]
    colour: str = ""


def ticks(low: float, high: float, most: int = 6) -> list[tuple[float, str]]:
    """Axis ticks for [low, high]: the most round values (multiples of 1, 2, 2.5 or 5 times a
    power of ten) that fit, at most `most` and at least two, each labelled with just enough
    decimals for the step, so no two labels read the same (99.96, 99.98, 100.00 where a
    fixed number of significant digits would write 100 three times)."""
    if not high > low:
        return [(low, _fixed(low, 0))]
    order = math.floor(math.log10(high - low))
    steps = sorted(m * 10.0 ** e for e in range(order - 2, order + 1) for m in (1, 2, 2.5, 5))

    def at(step):
        first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
        return [k * step for k in range(first, last + 1)]

    fitting = [step for step in steps if 2 <= len(at(step)) <= most]
    step = fitting[0] if fitting else steps[-1]
    decimals = next((d for d in range(12)
                     if abs(step * 10 ** d - round(step * 10 ** d)) < 1e-6 * step * 10 ** d),
                    12)
    return [(v, _fixed(v, decimals)) for v in at(step)]


def _fixed(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text  # no "-0.0"


def _scale(values, low, high, size, pad):
    span = (high - low) or 1.0
    return [None if v is None else pad + (size - 2 * pad) * (1 - (v - low) / span)
            for v in values]


def _paths(xs, ys):
    """One SVG path 'd' per unbroken run of points (a None breaks the line)."""
    runs, current = [], []
    for x, y in zip(xs, ys, strict=True):
        if y is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((x, y))
    if current:
        runs.append(current)
    return [" ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(run))
            for run in runs]


def sparkline(values: list[float | None], *, width: int = 96, height: int = 24,
              colour: str = "blue", label: str = "", low: float | None = None,
              high: float | None = None) -> str:
    """A tiny trend line; the last point is marked. `label` describes it for screen readers."""
    known = [v for v in values if v is not None]
    if not known:
        return (f'<svg class="vg-chart" role="img" width="{width}" height="{height}" '
                f'viewBox="0 0 {width} {height}"><title>{escape(label or "No data")}</title>'
                f'<line x1="2" y1="{height / 2}" x2="{width - 2}" y2="{height / 2}" '
                f'stroke="{COLOURS["grey"]}" stroke-dasharray="2 3"/></svg>')
    low = min(known) if low is None else low
    high = max(known) if high is None else high
    pad = 3
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    xs = [pad + i * step for i in range(len(values))]
    ys = _scale(values, low, high, height, pad)
    stroke = COLOURS.get(colour, colour)
    parts = [f'<path d="{d}" fill="none" stroke="{stroke}" stroke-width="1.5"/>'
             for d in _paths(xs, ys)]
    last = next(((x, y) for x, y in zip(reversed(xs), reversed(ys), strict=True)
                 if y is not None), None)
    if last:
        parts.append(f'<circle cx="{last[0]:.1f}" cy="{last[1]:.1f}" r="2.2" fill="{stroke}"/>')
    title = escape(label or "Trend: " + ", ".join("–" if v is None else f"{v:g}"
                                                  for v in values))
    return (f'<svg class="vg-chart" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><title>{title}</title>{"".join(parts)}</svg>')


@dataclass
class _Frame:
    """A line chart's geometry and background (bands, grid, tick and x labels)."""

    xs: list[float]
    y_of: object
    left: int
    plot_w: float
    background: list[str]


def _frame(labels, *, width, height, low, high, unit, bands) -> _Frame:
    y_ticks = ticks(low, high)
    # Room on the left for the longest tick label (about 6.5 px a character at 11 px).
    left = max(44, 10 + math.ceil(6.5 * max(len(t + unit) for _, t in y_ticks)))
    right, top, bottom = 12, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(labels), 1)
    step = plot_w / max(n - 1, 1)
    xs = [left + i * step for i in range(n)]

    def y_of(v):
        return top + plot_h * (1 - (v - low) / (high - low))

    out = []
    for b_low, b_high, colour in bands or []:
        y1, y2 = y_of(min(max(b_high, low), high)), y_of(max(min(b_low, high), low))
        out.append(f'<rect x="{left}" y="{y1:.1f}" width="{plot_w}" height="{y2 - y1:.1f}" '
                   f'fill="{COLOURS.get(colour, colour)}" fill-opacity="0.12"/>')
    for v, text in y_ticks:
        y = y_of(v)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                   f'stroke="#dee2e6"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
                   f'fill="#495057">{text}{escape(unit)}</text>')
    every = max(1, n // 8)
    for i, (x, label) in enumerate(zip(xs, labels, strict=False)):
        if i % every == 0 or i == n - 1:
            out.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" font-size="11" '
                       f'text-anchor="middle" fill="#495057">{escape(label)}</text>')
    return _Frame(xs, y_of, left, plot_w, out)


def _range(series, low, high):
    known = [v for s in series for v in s.values if v is not None]
    low = (min(known) if known else 0.0) if low is None else low
    high = (max(known) if known else 1.0) if high is None else high
    return low, (low + 1 if high == low else high)


def _series(frame: _Frame, s: Series, index: int, count: int, height: int, *,
            line: bool = True, legend: bool = True) -> list[str]:
    """Series number `index` of `count`: its line and points, and its legend entry."""
    colour = COLOURS.get(s.colour, s.colour) or SERIES_COLOURS[index % len(SERIES_COLOURS)]
    out = []
    if line:
        ys = [None if v is None else frame.y_of(v) for v in s.values]
        for d in _paths(frame.xs[:len(ys)], ys):
            out.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in zip(frame.xs, ys, strict=False):
            if y is not None:
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>')
    if legend:
        lx = frame.left + (index % 4) * (frame.plot_w / 4)
        ly = height - 8 - 14 * (index // 4) + (14 * ((count - 1) // 4))
        out.append(f'<rect x="{lx:.1f}" y="{ly - 9:.1f}" width="10" height="10" '
                   f'fill="{colour}"/><text x="{lx + 14:.1f}" y="{ly:.1f}" font-size="11" '
                   f'fill="#212529">{escape(s.label)}</text>')
    return out


def _open(width, height, title, labels, series, unit) -> str:
    return (f'<svg class="vg-chart w-100 h-auto" role="img" viewBox="0 0 {width} {height}" '
            f'preserveAspectRatio="xMidYMid meet"><title>{escape(title or "Chart")}</title>'
            f'<desc>{escape(_describe(labels, series, unit))}</desc>')


def line_chart(labels: list[str], series: list[Series], *, width: int = 640, height: int = 240,
               low: float | None = None, high: float | None = None, unit: str = "",
               title: str = "", bands: list[tuple[float, float, str]] | None = None) -> str:
    """A line chart with axes, x labels, a legend, and optional shaded bands
    (low, high, colour) such as a target zone."""
    low, high = _range(series, low, high)
    frame = _frame(labels, width=width, height=height, low=low, high=high, unit=unit,
                   bands=bands)
    return "".join([_open(width, height, title, labels, series, unit), *frame.background,
                    *(part for i, s in enumerate(series)
                      for part in _series(frame, s, i, len(series), height)), "</svg>"])


def small_multiples(labels: list[str], charts: list[tuple[str, Series]], *, symbol_id: str,
                    low: float, high: float, width: int = 640, height: int = 240,
                    unit: str = "", bands: list[tuple[float, float, str]] | None = None
                    ) -> tuple[str, list[str]]:
    """Line charts of one series each on the same axes, labels and bands (a page of
    vendors' trends): (the shared background, to put once in the page before the charts;
    each chart, which draws it with <use> and adds only its own line). They look like
    `line_chart`'s, at a fifth of the bytes each. `charts`: (title, series) per chart; every
    series has the same label (the legend is drawn once)."""
    frame = _frame(labels, width=width, height=height, low=low, high=high, unit=unit,
                   bands=bands)
    legend = _series(frame, charts[0][1], 0, 1, height, line=False) if charts else []
    defs = (f'<svg width="0" height="0" class="position-absolute" aria-hidden="true">'
            f'<symbol id="{symbol_id}" viewBox="0 0 {width} {height}">'
            f'{"".join(frame.background)}{"".join(legend)}</symbol></svg>')
    out = ["".join([_open(width, height, title, labels, [s], unit),
                    f'<use href="#{symbol_id}" width="{width}" height="{height}"/>',
                    *_series(frame, s, 0, 1, height, legend=False), "</svg>"])
           for title, s in charts]
    return defs, out


def _describe(labels, series, unit) -> str:
    parts = []
    for s in series:
        points = ", ".join(f"{label} {'no data' if v is None else f'{v:g}{unit}'}"
                           for label, v in zip(labels, s.values, strict=False))
        parts.append(f"{s.label}: {points}.")
    return " ".join(parts)


def bar_chart(labels: list[str], series: list[Series], *, low: float = 0.0, high: float = 1.0,
              width: int = 640, bar: int = 10, title: str = "", unit: str = "") -> str:
    """Horizontal grouped bars: one row per label, one bar per series (None: no bar, and
    the description says "not shown"). For scores on a fixed scale, e.g. 1–5."""
    left, right, top = 170, 40, 8
    row_h = bar * max(len(series), 1) + 10
    height = top + row_h * len(labels) + 22 + 14 * ((len(series) + 3) // 4)
    plot_w = width - left - right

    def x_of(v):
        return left + plot_w * (min(max(v, low), high) - low) / ((high - low) or 1)

    out = [f'<svg class="vg-chart w-100 h-auto" role="img" viewBox="0 0 {width} {height}" '
           f'preserveAspectRatio="xMidYMid meet"><title>{escape(title or "Chart")}</title>',
           f'<desc>{escape(_describe(labels, series, unit))}</desc>']
    for v, text in ticks(low, high):
        x = x_of(v)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + row_h * len(labels)}"'
                   f' stroke="#dee2e6"/><text x="{x:.1f}" y="{top + row_h * len(labels) + 14}" '
                   f'font-size="11" text-anchor="middle" fill="#495057">{text}{escape(unit)}'
                   f'</text>')
    for i, label in enumerate(labels):
        y0 = top + i * row_h
        out.append(f'<text x="{left - 8}" y="{y0 + row_h / 2 + 4:.1f}" font-size="11" '
                   f'text-anchor="end" fill="#212529">{escape(label)}</text>')
        for j, s in enumerate(series):
            v = s.values[i] if i < len(s.values) else None
            if v is None:
                continue
            colour = COLOURS.get(s.colour, s.colour) or SERIES_COLOURS[j % len(SERIES_COLOURS)]
            y = y0 + 5 + j * bar
            out.append(f'<rect x="{left}" y="{y}" width="{x_of(v) - left:.1f}" '
                       f'height="{bar - 2}" fill="{colour}"/>')
    legend_y = height - 8 - 14 * ((len(series) - 1) // 4)
    for j, s in enumerate(series):
        colour = COLOURS.get(s.colour, s.colour) or SERIES_COLOURS[j % len(SERIES_COLOURS)]
        lx, ly = left + (j % 4) * (plot_w / 4), legend_y + 14 * (j // 4)
        out.append(f'<rect x="{lx:.1f}" y="{ly - 9:.1f}" width="10" height="10" '
                   f'fill="{colour}"/><text x="{lx + 14:.1f}" y="{ly:.1f}" font-size="11" '
                   f'fill="#212529">{escape(s.label)}</text>')
    out.append("</svg>")
    return "".join(out)
