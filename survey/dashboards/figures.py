"""The dashboards' plotly figures, as plain dicts that the page embeds as JSON for charts.js.

Plain dicts, not plotly's Figure objects: validating a go.Figure costs milliseconds per chart,
which a page of charts cannot afford; the tests validate these dicts with plotly instead.
Every text arrives translated; charts.js takes the decimal separator from the page's language.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

INK = "#1b1b1b"
MUTED = "#4a4a4a"
ACCENT = "#0b5394"
GRID = "#d4d4d4"
WHITE = "#ffffff"
# ColorBrewer's RdBu (colour-blind safe), from disagreeing red to agreeing blue; the neutral
# middle is grey rather than near-white, so it still shows against the white page.
DIVERGING = [
    "#67001f",
    "#b2182b",
    "#d6604d",
    "#f4a582",
    "#fddbc7",
    "#bdbdbd",
    "#d1e5f0",
    "#92c5de",
    "#4393c3",
    "#2166ac",
    "#053061",
]
# Okabe and Ito's colour-blind-safe set; those with 3:1 contrast against white come first.
SERIES = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#000000", "#e69f00", "#56b4e9"]
QUADRANT_CORNERS = {  # key: (x, y) corner of the plot area, importance on x, performance on y
    "strengths": (1, 1),
    "priorities": (1, 0),
    "maintain": (0, 1),
    "less_important": (0, 0),
}
LABEL_WIDTH = 28  # characters per line of a category label; longer ones wrap
POINT_LABEL_WIDTH = 24
MARKER_LABEL_WIDTH = 18
ROW_HEIGHT = 44  # pixels
LINE_HEIGHT = 18
MEAN = "%{x:.2f}"


def means_figure(
    rows: Sequence[tuple[str, float | None, float | None, float | None]],
    scale_min: int,
    scale_max: int,
    axis_title: str,
) -> dict:
    """Each row's mean as a point with its 95% interval, rows top to bottom in the given order."""
    labels = [_label(row[0]) for row in rows]
    means = [_number(row[1]) for row in rows]
    trace = {
        "type": "scatter",
        "mode": "markers",
        "x": means,
        "y": labels,
        "marker": {"color": ACCENT, "size": 11},
        "error_x": _interval_bars(means, [r[2] for r in rows], [r[3] for r in rows], marker=11),
        "hovertemplate": f"%{{y}}<br>{_text(axis_title)}: {MEAN}<extra></extra>",
    }
    layout = _layout(
        _rows_height(labels),
        xaxis=_scale_axis(axis_title, scale_min, scale_max),
        yaxis=_category_axis(labels),
    )
    return {"data": [trace], "layout": layout}


def quadrant_figure(
    points: Sequence[tuple[str, float | None, float | None]],
    cross_importance: float,
    cross_performance: float,
    x_title: str,
    y_title: str,
    quadrant_labels: Mapping[str, str],
) -> dict:
    """Importance (x) against performance (y), split into four quadrants at the two averages.

    `quadrant_labels` names them: "strengths" (important, performing well), "priorities"
    (important, performing poorly), "maintain" (less important, performing well) and
    "less_important" (less important, performing poorly). Points missing a value are left out.
    """
    placed = [p for p in points if _number(p[1]) is not None and _number(p[2]) is not None]
    importance = [float(p[1]) for p in placed]
    performance = [float(p[2]) for p in placed]
    trace = {
        "type": "scatter",
        "mode": "markers+text",
        "x": importance,
        "y": performance,
        "text": [_label(p[0], POINT_LABEL_WIDTH) for p in placed],
        "textposition": "top center",
        "textfont": {"size": 12, "color": INK},
        "cliponaxis": False,
        "marker": {"color": ACCENT, "size": 10},
        "hovertemplate": (
            f"%{{text}}<br>{_text(x_title)}: %{{x:.2f}}<br>{_text(y_title)}: %{{y:.2f}}"
            "<extra></extra>"
        ),
    }
    layout = _layout(
        440,
        xaxis=_value_axis(x_title, importance + [cross_importance]),
        yaxis=_value_axis(y_title, performance + [cross_performance], room_above=True),
    )
    layout["shapes"] = [_cross_line("x", cross_importance), _cross_line("y", cross_performance)]
    layout["annotations"] = [
        _corner_note(quadrant_labels[key], x, y) for key, (x, y) in QUADRANT_CORNERS.items()
    ]
    return {"data": [trace], "layout": layout}


def trend_figure(
    points: Sequence[tuple[str, float | None, float | None, float | None, int]],
    axis_title: str,
    scale_min: int,
    scale_max: int,
    markers: Sequence[tuple[str, str]] = (),
) -> dict:
    """The mean per period with its interval; a period without a mean leaves a gap in the line.

    `markers` (period, title) draw a dotted vertical line at a period, say where an improvement
    action started, with its title above the plot area so that it never covers the data.
    """
    periods = [_text(point[0]) for point in points]
    means = [_number(point[1]) for point in points]
    trace = {
        "type": "scatter",
        "mode": "lines+markers",
        "x": periods,
        "y": means,
        "connectgaps": False,
        "line": {"color": ACCENT, "width": 2},
        "marker": {"color": ACCENT, "size": 9},
        "error_y": _interval_bars(means, [p[2] for p in points], [p[3] for p in points], marker=9),
        "customdata": [point[4] for point in points],
        "hovertemplate": (
            f"%{{x}}<br>{_text(axis_title)}: %{{y:.2f}}<br>n = %{{customdata}}<extra></extra>"
        ),
    }
    xaxis = {"type": "category", "categoryorder": "array", "categoryarray": periods}
    layout = _layout(
        320,
        xaxis={**xaxis, "automargin": True, "fixedrange": True, "showgrid": False},
        yaxis=_scale_axis(axis_title, scale_min, scale_max),
    )
    if markers:
        _add_markers(layout, markers)
    return {"data": [trace], "layout": layout}


def _add_markers(layout: dict, markers: Sequence[tuple[str, str]]) -> None:
    """A line per marked period and its titles above the plot, in room made for the tallest."""
    titles: dict[str, list[str]] = {}
    for period, title in markers:
        titles.setdefault(_text(period), []).append(_label(title, MARKER_LABEL_WIDTH))
    layout["shapes"] = [
        {
            "type": "line",
            "xref": "x",
            "x0": period,
            "x1": period,
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "line": {"color": MUTED, "width": 1.5, "dash": "dot"},
            "layer": "below",
        }
        for period in titles
    ]
    layout["annotations"] = [
        {
            "text": "<br>".join(texts),
            "xref": "x",
            "x": period,
            "yref": "paper",
            "y": 1,
            "yanchor": "bottom",
            "showarrow": False,
            "align": "center",
            "font": {"size": 12, "color": INK},
            "bgcolor": "rgba(255,255,255,0.9)",
        }
        for period, texts in titles.items()
    ]
    lines = max(sum(text.count("<br>") + 1 for text in texts) for texts in titles.values())
    top = 12 + LINE_HEIGHT * lines
    layout["margin"] = {**layout["margin"], "t": top}
    layout["height"] += top


def distribution_figure(
    rows: Sequence[tuple[str, Sequence[float]]],
    option_labels: Sequence[str],
    axis_title: str,
) -> dict:
    """Each question's answers as one 100% bar, split by option from low (red) to high (blue)."""
    labels = [_label(row[0]) for row in rows]
    colours = _diverging(len(option_labels))
    traces = [
        _share_bars(option, colour, labels, [shares[index] for _, shares in rows])
        for index, (option, colour) in enumerate(zip(option_labels, colours, strict=True))
    ]
    xaxis = {"title": {"text": _text(axis_title)}, "range": [0, 1], "tickformat": ".0%"}
    layout = _layout(
        _rows_height(labels) + 40,
        xaxis={**xaxis, "gridcolor": GRID, "zeroline": False, "fixedrange": True},
        yaxis=_category_axis(labels),
        barmode="stack",
        bargap=0.3,
        uniformtext={"mode": "hide", "minsize": 11},
    )
    layout["xaxis"]["automargin"] = True
    return {"data": traces, "layout": _with_legend(layout)}


def comparison_figure(
    series: Sequence[tuple[str, Sequence[float | None]]],
    categories: Sequence[str],
    axis_title: str,
    scale_min: int,
    scale_max: int,
) -> dict:
    """Grouped bars: each series (say, an account manager) side by side per category."""
    labels = [_label(category) for category in categories]
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "name": _text(name),
            "x": [_number(mean) for mean in means],
            "y": labels,
            "marker": {"color": SERIES[index % len(SERIES)]},
            "hovertemplate": f"{_text(name)}<br>%{{y}}<br>{_text(axis_title)}: {MEAN}"
            "<extra></extra>",
        }
        for index, (name, means) in enumerate(series)
    ]
    layout = _layout(
        _rows_height(labels, per_row=16 + 20 * max(len(series), 1)) + 40,
        xaxis=_scale_axis(axis_title, scale_min, scale_max),
        yaxis=_category_axis(labels),
        barmode="group",
        bargap=0.25,
        bargroupgap=0.05,
    )
    return {"data": traces, "layout": _with_legend(layout)}


def _share_bars(option: str, colour: str, labels: list[str], shares: list[float]) -> dict:
    """One option's part of every question's bar, its percentage written inside where it fits."""
    return {
        "type": "bar",
        "orientation": "h",
        "name": _text(option),
        "x": [_number(share) for share in shares],
        "y": labels,
        "marker": {"color": colour, "line": {"color": WHITE, "width": 1}},
        "texttemplate": "%{x:.0%}",
        "textposition": "inside",
        "insidetextanchor": "middle",
        "textangle": 0,
        "textfont": {"color": _readable_on(colour), "size": 12},
        "hovertemplate": f"%{{y}}<br>{_text(option)}: %{{x:.0%}}<extra></extra>",
    }


def _layout(height: int, **more) -> dict:
    return {
        "autosize": True,
        "height": height,
        "margin": {"l": 8, "r": 24, "t": 8, "b": 8, "pad": 4},
        "font": {"family": "inherit", "size": 14, "color": INK},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hoverlabel": {"bgcolor": WHITE, "bordercolor": INK, "font": {"color": INK}},
        "dragmode": False,
        "showlegend": False,
        **more,
    }


def _with_legend(layout: dict) -> dict:
    """The legend in a row above the chart, read left to right in the traces' order."""
    legend = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom"}
    return {**layout, "showlegend": True, "legend": {**legend, "traceorder": "normal"}}


def _scale_axis(title: str, scale_min: int, scale_max: int) -> dict:
    """The answer scale, whole, whatever the data: a 3.2 on 1-5 must not look like a top score."""
    pad = (scale_max - scale_min) * 0.03
    axis = {
        "title": {"text": _text(title)},
        "range": [scale_min - pad, scale_max + pad],
        "zeroline": False,
        "gridcolor": GRID,
        "fixedrange": True,
        "automargin": True,
    }
    if scale_max - scale_min <= 10:
        axis["tickvals"] = list(range(scale_min, scale_max + 1))
    return axis


def _value_axis(title: str, values: list[float], room_above: bool = False) -> dict:
    """An axis around the values, with room for the points' labels."""
    low, high = min(values), max(values)
    pad = max((high - low) * 0.1, 0.05)
    return {
        "title": {"text": _text(title)},
        "range": [low - pad, high + pad * (2.5 if room_above else 1)],
        "zeroline": False,
        "gridcolor": GRID,
        "fixedrange": True,
        "automargin": True,
    }


def _category_axis(labels: list[str]) -> dict:
    """Categories top to bottom in the given order."""
    return {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": labels,
        "autorange": "reversed",
        "automargin": True,
        "fixedrange": True,
        "showgrid": False,
    }


def _interval_bars(means: list, lows: Sequence, highs: Sequence, marker: int) -> dict:
    """Asymmetric error bars from the interval ends; none where a value is missing.

    Plotly draws a missing bar as one of length 0, so its caps are kept narrower than the
    `marker` they would cross, which hides them.
    """

    def distance(mean, end, sign):
        end = _number(end)
        return None if mean is None or end is None else sign * (end - mean)

    return {
        "type": "data",
        "symmetric": False,
        "array": [distance(mean, high, 1) for mean, high in zip(means, highs, strict=True)],
        "arrayminus": [distance(mean, low, -1) for mean, low in zip(means, lows, strict=True)],
        "color": MUTED,
        "thickness": 1.5,
        "width": (marker - 2) // 2,
    }


def _cross_line(axis: str, at: float) -> dict:
    across = "y" if axis == "x" else "x"
    return {
        "type": "line",
        f"{axis}ref": axis,
        f"{axis}0": at,
        f"{axis}1": at,
        f"{across}ref": "paper",
        f"{across}0": 0,
        f"{across}1": 1,
        "line": {"color": MUTED, "width": 1.5, "dash": "dash"},
        "layer": "below",
    }


def _corner_note(text: str, x: int, y: int) -> dict:
    return {
        "text": _text(text),
        "xref": "paper",
        "yref": "paper",
        "x": x,
        "y": y,
        "xanchor": "right" if x else "left",
        "yanchor": "top" if y else "bottom",
        "showarrow": False,
        "font": {"size": 13, "color": MUTED},
        "bgcolor": "rgba(255,255,255,0.85)",
    }


def _rows_height(labels: list[str], per_row: int = ROW_HEIGHT) -> int:
    """Room for each row's bar or point and for every line of its wrapped label."""
    rows = sum(max(per_row, LINE_HEIGHT * (label.count("<br>") + 1) + 12) for label in labels)
    return max(160, 90 + rows)


def _diverging(count: int) -> list[str]:
    """`count` colours spread evenly over the diverging palette, symmetric around its middle."""
    last = len(DIVERGING) - 1
    return [DIVERGING[round(i * last / max(count - 1, 1))] for i in range(count)]


def _readable_on(background: str) -> str:
    """Ink or white, whichever contrasts more with `background` (WCAG relative luminance)."""
    on_white = (1.05) / (_luminance(background) + 0.05)
    on_ink = (_luminance(background) + 0.05) / (_luminance(INK) + 0.05)
    return WHITE if on_white >= on_ink else INK


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _number(value: float | None) -> float | None:
    """A value for the JSON: None (a gap) for a missing or not-a-number value."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _text(text: str) -> str:
    """Plotly reads a little HTML in every text (<b>, <br>, <a>): show these characters as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _label(text: str, width: int = LABEL_WIDTH) -> str:
    """A category label wrapped over lines, so a long question does not squeeze the chart."""
    lines = textwrap.wrap(_text(text), width, break_long_words=False, break_on_hyphens=False)
    return "<br>".join(lines)
