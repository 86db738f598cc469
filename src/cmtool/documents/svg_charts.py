"""Small inline SVG charts for the A4 HTML documents: bars, a line, a scatter.

Text stays text (`<text>` elements, no glyph outlines), so Chinese renders with the reader's own
fonts, prints sharp and needs no network; every string is XML-escaped. Sizes are in SVG user
units laid out for a 170 mm wide column (the page width inside 20 mm margins).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 680, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 36, 48
COLOURS = ("#2f5597", "#c55a11", "#548235", "#7f6000", "#7030a0", "#404040")
Formatter = Callable[[float], str]


def _text(x: float, y: float, text: str, *, anchor: str = "middle", size: int = 12, bold: bool = False,
          rotate: float | None = None) -> str:
    weight = ' font-weight="bold"' if bold else ""
    turn = f' transform="rotate({rotate:g} {x:.1f} {y:.1f})"' if rotate is not None else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}"{weight}{turn}>'
            f"{escape(text)}</text>")


def _nice_max(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 2.5, 5 × 10^k)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def _svg(body: list[str], title: str, height: int = HEIGHT) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img"'
        f' font-family="SimSun, \'Songti SC\', \'Noto Serif CJK SC\', serif">'
        f"<title>{escape(title)}</title>{_text(WIDTH / 2, 20, title, size=14, bold=True)}{''.join(body)}</svg>"
    )


def _y_axis(top: float, scale: Callable[[float], float], fmt: Formatter, ticks: int = 5) -> list[str]:
    out = []
    for i in range(ticks + 1):
        value = top * i / ticks
        y = scale(value)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#d9d9d9"/>')
        out.append(_text(LEFT - 6, y + 4, fmt(value), anchor="end", size=11))
    out.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#000"/>')
    return out


def bar_chart(title: str, categories: Sequence[str], series: dict[str, Sequence[float]], fmt: Formatter,
              reference: tuple[float, str] | None = None) -> Markup:
    """Grouped vertical bars, one group per category, one bar per series, with value labels;
    `reference` draws a dashed horizontal line with its label (e.g. a limit)."""
    values = [v for vs in series.values() for v in vs if v is not None and math.isfinite(v)]
    top = _nice_max(max(values + [reference[0] if reference else 0.0], default=0.0))
    plot_h = HEIGHT - TOP - BOTTOM

    def y_of(v: float) -> float:
        return HEIGHT - BOTTOM - plot_h * v / top

    body = _y_axis(top, y_of, fmt)
    slot = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    bar_w = slot * 0.7 / max(len(series), 1)
    for c, category in enumerate(categories):
        x0 = LEFT + slot * c + slot * 0.15
        for s, (name, vs) in enumerate(series.items()):
            v = vs[c]
            if v is None or not math.isfinite(v):
                continue
            x, y = x0 + bar_w * s, y_of(v)
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{HEIGHT - BOTTOM - y:.1f}"'
                        f' fill="{COLOURS[s % len(COLOURS)]}"/>')
            body.append(_text(x + bar_w / 2, y - 3, fmt(v), size=10))
        body.append(_text(LEFT + slot * (c + 0.5), HEIGHT - BOTTOM + 16, category))
    if reference:
        y = y_of(reference[0])
        body.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#c00000"'
                    ' stroke-dasharray="6 4"/>')
        body.append(_text(WIDTH - RIGHT, y - 4, reference[1], anchor="end", size=11))
    body += _legend(list(series))
    return _svg(body, title)


def _legend(names: Sequence[str]) -> list[str]:
    if len(names) < 2:
        return []
    out, x = [], LEFT
    for i, name in enumerate(names):
        out.append(f'<rect x="{x}" y="{HEIGHT - 18}" width="12" height="12" fill="{COLOURS[i % len(COLOURS)]}"/>')
        out.append(_text(x + 16, HEIGHT - 8, name, anchor="start", size=11))
        x += 30 + 13 * len(name)
    return out


def line_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[float]], fmt: Formatter) -> Markup:
    """Lines over `labels` (months), one per series on a shared axis from 0 (the figures themselves
    go in a table next to the chart: labels at every point would collide)."""
    values = [v for vs in series.values() for v in vs if v is not None and math.isfinite(v)]
    top = _nice_max(max(values, default=0.0))
    plot_h = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)

    def y_of(v: float) -> float:
        return HEIGHT - BOTTOM - plot_h * v / top

    body = _y_axis(top, y_of, fmt)
    for i, label in enumerate(labels):
        body.append(_text(LEFT + step * (i + 0.5), HEIGHT - BOTTOM + 16, label, size=11))
    for s, (name, vs) in enumerate(series.items()):
        colour = COLOURS[s % len(COLOURS)]
        points = [(LEFT + step * (i + 0.5), y_of(v)) for i, v in enumerate(vs) if v is not None and math.isfinite(v)]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        body.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points)
    body += _legend(list(series))
    return _svg(body, title)


def scatter_chart(title: str, points: dict[str, tuple[Sequence[float], Sequence[float]]], x_label: str,
                  y_label: str, limits: tuple[float, float], cross: tuple[float, float] = (1.0, 1.0)) -> Markup:
    """A scatter of named point sets (e.g. the four quadrants) on [0, x limit] × [0, y limit]
    (ticks every 0.5) with the dividing lines at `cross`; points beyond a limit sit on its edge."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    x_limit, y_limit = limits

    def x_of(v: float) -> float:
        return LEFT + plot_w * min(max(v, 0.0), x_limit) / x_limit

    def y_of(v: float) -> float:
        return HEIGHT - BOTTOM - plot_h * min(max(v, 0.0), y_limit) / y_limit

    body = _y_axis(y_limit, y_of, lambda v: f"{v:g}", ticks=round(y_limit * 2))
    for i in range(round(x_limit * 2) + 1):
        body.append(_text(x_of(i / 2), HEIGHT - BOTTOM + 14, f"{i / 2:g}", size=11))
    body.append(f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" stroke="#000"/>')
    for s, (name, (xs, ys)) in enumerate(points.items()):
        colour = COLOURS[s % len(COLOURS)]
        body.append("".join(f'<circle cx="{x_of(x):.1f}" cy="{y_of(y):.1f}" r="2" fill="{colour}" fill-opacity="0.6"/>'
                            for x, y in zip(xs, ys)))
    cx, cy = x_of(cross[0]), y_of(cross[1])
    body.append(f'<line x1="{cx:.1f}" y1="{TOP}" x2="{cx:.1f}" y2="{HEIGHT - BOTTOM}" stroke="#c00000" stroke-dasharray="6 4"/>')
    body.append(f'<line x1="{LEFT}" y1="{cy:.1f}" x2="{WIDTH - RIGHT}" y2="{cy:.1f}" stroke="#c00000" stroke-dasharray="6 4"/>')
    body.append(_text(LEFT + plot_w / 2, HEIGHT - BOTTOM + 30, x_label, size=12))
    body.append(_text(16, TOP + plot_h / 2, y_label, size=12, rotate=-90))
    height = HEIGHT + 10
    out, x = [], LEFT
    for i, name in enumerate(points):
        out.append(f'<circle cx="{x + 6}" cy="{height - 12}" r="5" fill="{COLOURS[i % len(COLOURS)]}"/>')
        out.append(_text(x + 16, height - 8, name, anchor="start", size=11))
        x += 40 + 13 * len(name)
    return _svg(body + out, title, height)
