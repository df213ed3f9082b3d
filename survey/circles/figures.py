"""The benchmark's funnel plots: as plotly figures for the page (drawn by charts.js), and as
inline SVG drawn here for the printed report, where plotly cannot be relied on.

Every point is a member whose figure may be shown; a withheld member is in no chart.
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from survey.analysis.benchmark import Funnel, Standing
from survey.dashboards.figures import ACCENT, GRID, INK, MUTED, _layout, _text

GRID_POINTS = 60


def _constant(funnel: Funnel) -> float:
    """se * sqrt(n), the same for every member: limits for any n follow from it."""
    point = funnel.points[0]
    return point.se * math.sqrt(point.n)


def _n_range(funnel: Funnel) -> tuple[float, float]:
    ns = [p.n for p in funnel.points]
    return max(1.0, min(ns) * 0.8), max(ns) * 1.15


def limit_lines(funnel: Funnel) -> list[tuple[float, object]]:
    """(n, limits) along the funnel, from the smallest member to past the largest."""
    low, high = _n_range(funnel)
    step = (math.log(high) - math.log(low)) / (GRID_POINTS - 1)
    constant = _constant(funnel)
    ns = [math.exp(math.log(low) + i * step) for i in range(GRID_POINTS)]
    return [(n, funnel.limits(constant / math.sqrt(n))) for n in ns]


def funnel_figure(
    funnel: Funnel,
    names: dict,
    own_key,
    value_title: str,
    n_title: str,
    limit_names: tuple[str, str, str],
    percent: bool = False,
) -> dict:
    """Members' values against their n, the circle value, and the 95% and 99.8% limits."""
    lines = limit_lines(funnel)
    ns = [n for n, _ in lines]
    target_name, alert_name, alarm_name = (_text(name) for name in limit_names)
    traces = [
        _line(ns, [funnel.target] * len(ns), target_name, INK, "solid"),
        _line(ns, [lim.low_alert for _, lim in lines], alert_name, MUTED, "dash"),
        _line(ns, [lim.high_alert for _, lim in lines], alert_name, MUTED, "dash", legend=False),
        _line(ns, [lim.low_alarm for _, lim in lines], alarm_name, MUTED, "dot"),
        _line(ns, [lim.high_alarm for _, lim in lines], alarm_name, MUTED, "dot", legend=False),
    ]
    value_format = ".0%" if percent else ".2f"
    points = funnel.points
    traces.append(
        {
            "type": "scatter",
            "mode": "markers",
            "name": _text(value_title),
            "x": [p.n for p in points],
            "y": [p.value for p in points],
            "text": [_text(names.get(p.key, "")) for p in points],
            "marker": {
                "color": [ACCENT if p.key == own_key else MUTED for p in points],
                "size": [14 if p.key == own_key else 9 for p in points],
                "line": {"color": INK, "width": 1},
            },
            "hovertemplate": f"%{{text}}<br>n = %{{x:.0f}}<br>%{{y:{value_format}}}<extra></extra>",
        }
    )
    layout = _layout(
        360,
        xaxis={
            "title": {"text": _text(n_title)},
            "type": "log",
            "gridcolor": GRID,
            "fixedrange": True,
            "automargin": True,
        },
        yaxis={
            "title": {"text": _text(value_title)},
            "gridcolor": GRID,
            "fixedrange": True,
            "automargin": True,
            **({"tickformat": ".0%"} if percent else {}),
        },
        showlegend=True,
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom"},
    )
    return {"data": traces, "layout": layout}


def _line(x, y, name, colour, dash, legend=True) -> dict:
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": x,
        "y": y,
        "line": {"color": colour, "width": 1.5, "dash": dash},
        "hoverinfo": "skip",
        "showlegend": legend,
    }


# --- static SVG for print --------------------------------------------------------------------

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 12, 40


def funnel_svg(funnel: Funnel, own_key, label: str, percent: bool = False) -> Markup:
    """The funnel as a small SVG: limits as lines, members as dots, the own one larger."""
    return FunnelDrawing(funnel, percent).svg(own_key, label)


class FunnelDrawing:
    """One funnel drawn for print: the axes, limits and scale once, then an SVG per member
    (the report draws the same funnel on every member's page, only the own dot differs)."""

    def __init__(self, funnel: Funnel, percent: bool = False):
        self.funnel = funnel
        lines = limit_lines(funnel)
        values = [p.value for p in funnel.points]
        values += [lim.low_alarm for _, lim in lines[-1:]]
        values += [lim.high_alarm for _, lim in lines[-1:]]
        low, high = min(values), max(values)
        pad = (high - low) * 0.08 or 0.1
        self.low, self.high = low - pad, high + pad
        self.n_low, self.n_high = lines[0][0], lines[-1][0]
        self.frame = self._frame(lines, pad, percent)
        # Every dot but its colour and size is the same on each page.
        self.dots = [(p, f"{self.x(p.n):.1f}", f"{self.y(p.value):.1f}") for p in funnel.points]

    def x(self, n: float) -> float:
        span = math.log(self.n_high) - math.log(self.n_low) or 1
        share = (math.log(n) - math.log(self.n_low)) / span
        return LEFT + share * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        return TOP + (self.high - value) / (self.high - self.low) * (HEIGHT - TOP - BOTTOM)

    def _frame(self, lines, pad: float, percent: bool) -> str:
        x, y, funnel = self.x, self.y, self.funnel

        def path(pick, dash: str) -> str:
            points = " ".join(f"{x(n):.1f},{y(pick(lim)):.1f}" for n, lim in lines)
            return (
                f'<polyline points="{points}" fill="none" stroke="{MUTED}" '
                f'stroke-width="1.2" stroke-dasharray="{dash}"/>'
            )

        parts = [
            f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" '
            f'y2="{HEIGHT - BOTTOM}" stroke="{INK}"/>',
            f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="{INK}"/>',
            f'<line x1="{LEFT}" y1="{y(funnel.target):.1f}" x2="{WIDTH - RIGHT}" '
            f'y2="{y(funnel.target):.1f}" stroke="{INK}" stroke-width="1.5"/>',
            path(lambda lim: lim.low_alert, "6 4"),
            path(lambda lim: lim.high_alert, "6 4"),
            path(lambda lim: lim.low_alarm, "2 3"),
            path(lambda lim: lim.high_alarm, "2 3"),
        ]
        for value in (self.low + pad, funnel.target, self.high - pad):
            text = f"{value:.0%}" if percent else f"{value:.1f}"
            parts.append(
                f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11" '
                f'fill="{INK}">{escape(text)}</text>'
            )
        for n in (self.n_low, self.n_high):
            parts.append(
                f'<text x="{x(n):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                f'font-size="11" fill="{INK}">n = {n:.0f}</text>'
            )
        return "".join(parts)

    def svg(self, own_key, label: str) -> Markup:
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'role="img" aria-label="{escape(label)}" class="funnel-svg">',
            self.frame,
        ]
        for p, cx, cy in sorted(self.dots, key=lambda dot: dot[0].key == own_key):
            own = p.key == own_key
            colour = ACCENT if own else (INK if p.standing is not Standing.WITHIN else MUTED)
            parts.append(
                f'<circle cx="{cx}" cy="{cy}" r="{7 if own else 4}" '
                f'fill="{colour}" stroke="{INK}" stroke-width="0.8"/>'
            )
        parts.append("</svg>")
        return Markup("".join(parts))
