"""The dashboards' figures: valid plotly, showing what the numbers say; plotly.js served from our
own origin and drawn under the strict Content-Security-Policy."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import plotly.graph_objects as go
import pytest
from flask import Flask
from plotly.offline import get_plotlyjs_version

from survey.dashboards import figures
from survey.dashboards.plotly_asset import BUNDLE, bp, plotly_script_url
from survey.security import CONTENT_SECURITY_POLICY

STATIC = Path(__file__).resolve().parents[2] / "static"
SCALE = (1, 5)
QUADRANTS = {
    "strengths": "Strengths",
    "priorities": "Priorities",
    "maintain": "Maintain",
    "less_important": "Less important",
}
OPTIONS = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]


def means():
    rows = [
        ("Reachability", 3.8, 3.6, 4.1),
        ("Expertise", 4.2, 4.0, 4.4),
        ("Price", 2.7, None, None),
    ]
    return figures.means_figure(rows, *SCALE, "Mean score")


def quadrant(points=None):
    points = points or [("Reachability", 0.4, 3.8), ("Expertise", 0.6, 4.2), ("Price", 0.2, 2.7)]
    return figures.quadrant_figure(points, 0.45, 3.5, "Importance", "Performance", QUADRANTS)


def trend():
    points = [
        ("Jan", 3.6, 3.3, 3.9, 41),
        ("Feb", None, None, None, 0),
        ("Mar", 3.9, 3.7, 4.1, 52),
    ]
    return figures.trend_figure(points, "Mean score", *SCALE)


def distribution():
    rows = [("Reachability", [0.05, 0.1, 0.2, 0.4, 0.25]), ("Price", [0.3, 0.3, 0.2, 0.1, 0.1])]
    return figures.distribution_figure(rows, OPTIONS, "Share of answers")


def comparison():
    series = [("Anna de Vries", [3.9, 4.2, None]), ("Bram Janssen", [3.5, 4.0, 2.9])]
    return figures.comparison_figure(
        series, ["Reachability", "Expertise", "Price"], "Mean score", *SCALE
    )


ALL_FIGURES = [means, quadrant, trend, distribution, comparison]


@pytest.mark.parametrize("build", ALL_FIGURES)
def test_each_figure_is_one_plotly_accepts(build):
    go.Figure(build())  # raises on any property plotly does not know or value it refuses


@pytest.mark.parametrize("build", ALL_FIGURES)
def test_each_figure_is_plain_json_without_a_title_on_a_transparent_background(build):
    figure = build()
    assert json.loads(json.dumps(figure, allow_nan=False)) == figure
    layout = figure["layout"]
    assert "title" not in layout
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == "rgba(0,0,0,0)"
    assert layout["font"]["family"] == "inherit"
    assert layout["autosize"] is True


def test_means_read_top_to_bottom_in_the_given_order():
    figure = means()
    yaxis = figure["layout"]["yaxis"]
    assert figure["data"][0]["y"] == ["Reachability", "Expertise", "Price"]
    assert yaxis["categoryarray"] == ["Reachability", "Expertise", "Price"]
    assert yaxis["autorange"] == "reversed"


def test_means_error_bars_reach_the_ends_of_the_interval():
    (trace,) = means()["data"]
    bars = trace["error_x"]
    assert bars["symmetric"] is False
    assert bars["array"][:2] == pytest.approx([0.3, 0.2])
    assert bars["arrayminus"][:2] == pytest.approx([0.2, 0.2])
    assert bars["array"][2] is None and bars["arrayminus"][2] is None  # no interval, no bar


def test_means_axis_shows_the_whole_answer_scale():
    xaxis = means()["layout"]["xaxis"]
    low, high = xaxis["range"]
    assert low < 1 < 5 < high and high - low < 4.5
    assert xaxis["tickvals"] == [1, 2, 3, 4, 5]
    assert xaxis["title"]["text"] == "Mean score"


def test_a_mean_that_is_not_a_number_becomes_a_gap():
    figure = figures.means_figure([("Price", math.nan, None, None)], *SCALE, "Mean")
    assert figure["data"][0]["x"] == [None]
    json.dumps(figure, allow_nan=False)


def test_quadrant_lines_cross_at_the_averages():
    vertical, horizontal = quadrant()["layout"]["shapes"]
    assert (vertical["xref"], vertical["x0"], vertical["x1"]) == ("x", 0.45, 0.45)
    assert (vertical["yref"], vertical["y0"], vertical["y1"]) == ("paper", 0, 1)
    assert (horizontal["yref"], horizontal["y0"], horizontal["y1"]) == ("y", 3.5, 3.5)
    assert (horizontal["xref"], horizontal["x0"], horizontal["x1"]) == ("paper", 0, 1)


def test_quadrant_ranges_hold_the_points_and_the_crossing():
    layout = quadrant([("Only", 0.9, 4.8)])["layout"]
    x_low, x_high = layout["xaxis"]["range"]
    y_low, y_high = layout["yaxis"]["range"]
    assert x_low < 0.45 < 0.9 < x_high and y_low < 3.5 < 4.8 < y_high


def test_quadrants_are_named_in_their_corners():
    corners = {note["text"]: (note["x"], note["y"]) for note in quadrant()["layout"]["annotations"]}
    assert corners == {
        "Strengths": (1, 1),  # important and performing well: top right
        "Priorities": (1, 0),  # important, performing poorly: bottom right
        "Maintain": (0, 1),
        "Less important": (0, 0),
    }


def test_quadrant_points_carry_their_labels_and_leave_out_incomplete_ones():
    (trace,) = quadrant([("Reachability", 0.4, 3.8), ("Unrated", None, 3.0)])["data"]
    assert (trace["x"], trace["y"], trace["text"]) == ([0.4], [3.8], ["Reachability"])
    assert trace["mode"] == "markers+text"


def test_a_trend_period_without_a_mean_is_a_gap_in_the_line():
    figure = trend()
    (trace,) = figure["data"]
    assert trace["y"] == [3.6, None, 3.9]
    assert trace["connectgaps"] is False
    assert figure["layout"]["xaxis"]["categoryarray"] == ["Jan", "Feb", "Mar"]
    assert trace["error_y"]["array"] == pytest.approx([0.3, None, 0.2])
    assert trace["customdata"] == [41, 0, 52]
    assert "%{customdata}" in trace["hovertemplate"]


def test_distribution_has_one_bar_per_option_in_order_adding_up_to_the_whole():
    figure = distribution()
    assert [trace["name"] for trace in figure["data"]] == OPTIONS
    assert figure["layout"]["barmode"] == "stack"
    for row in range(2):
        assert sum(trace["x"][row] for trace in figure["data"]) == pytest.approx(1)
    assert figure["layout"]["xaxis"]["range"] == [0, 1]
    assert figure["layout"]["xaxis"]["tickformat"] == ".0%"


def test_distribution_runs_from_red_for_low_answers_to_blue_for_high_ones():
    colours = [trace["marker"]["color"] for trace in distribution()["data"]]
    red, green, blue = (int(colours[0][i : i + 2], 16) for i in (1, 3, 5))
    assert red > blue
    red, green, blue = (int(colours[-1][i : i + 2], 16) for i in (1, 3, 5))
    assert blue > red
    assert len(set(colours)) == len(colours)


def test_distribution_percentages_are_readable_on_their_bars():
    for trace in distribution()["data"]:
        assert contrast(trace["textfont"]["color"], trace["marker"]["color"]) >= 4.5


def test_distribution_legend_sits_above_the_chart():
    layout = distribution()["layout"]
    assert layout["showlegend"] is True
    assert layout["legend"]["orientation"] == "h"
    assert layout["legend"]["y"] >= 1 and layout["legend"]["yanchor"] == "bottom"


def test_comparison_puts_the_series_side_by_side_per_category():
    figure = comparison()
    assert figure["layout"]["barmode"] == "group"
    assert [trace["name"] for trace in figure["data"]] == ["Anna de Vries", "Bram Janssen"]
    assert figure["data"][0]["x"] == [3.9, 4.2, None]
    assert figure["layout"]["yaxis"]["categoryarray"] == ["Reachability", "Expertise", "Price"]
    assert figure["layout"]["xaxis"]["tickvals"] == [1, 2, 3, 4, 5]
    colours = [trace["marker"]["color"] for trace in figure["data"]]
    assert len(set(colours)) == 2 and all(contrast(c, "#ffffff") >= 3 for c in colours)


def test_labels_show_plotly_markup_characters_as_typed():
    figure = figures.means_figure([("Service <b>& price", 3.0, None, None)], *SCALE, "A < B")
    assert figure["data"][0]["y"] == ["Service &lt;b&gt;&amp; price"]
    assert figure["layout"]["xaxis"]["title"]["text"] == "A &lt; B"


def test_long_labels_wrap_and_make_the_chart_taller():
    long = "How satisfied are you with the speed of answers to questions about invoices?"
    short = figures.means_figure([("Price", 3.0, None, None)] * 4, *SCALE, "Mean")
    wrapped = figures.means_figure([(long, 3.0, None, None)] * 4, *SCALE, "Mean")
    assert "<br>" in wrapped["data"][0]["y"][0]
    assert wrapped["data"][0]["y"][0].replace("<br>", " ") == long
    assert wrapped["layout"]["height"] > short["layout"]["height"]


def contrast(foreground: str, background: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# plotly.js from our own origin


@pytest.fixture
def asset_app():
    app = Flask(__name__, static_folder=str(STATIC))
    app.register_blueprint(bp)
    app.add_template_global(plotly_script_url)

    @app.after_request
    def strict_policy(response):
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response

    return app


def test_the_installed_plotly_js_is_served_to_be_cached_for_a_year(asset_app):
    version = get_plotlyjs_version()
    response = asset_app.test_client().get(f"/assets/plotly-{version}.min.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.cache_control.max_age == 365 * 24 * 60 * 60
    assert response.cache_control.immutable and response.cache_control.public
    assert f"plotly.js v{version}" in response.get_data(as_text=True)[:200]
    response.close()


def test_another_plotly_js_version_is_not_found(asset_app):
    response = asset_app.test_client().get("/assets/plotly-1.0.0.min.js")
    assert response.status_code == 404
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_templates_get_the_url_of_the_installed_version(asset_app):
    with asset_app.test_request_context():
        assert plotly_script_url() == f"/assets/plotly-{get_plotlyjs_version()}.min.js"


# plotly.js under the Content-Security-Policy: its <style> elements are refused (style-src
# 'self'), so charts.js sets the markers that make plotly.js skip them, and charts.css holds
# plotly's rules instead. On a plotly upgrade these tests say what to look at again.

# The mode bar is off; its tooltips and the cloud dialog come with it. Focus keeps its outline.
LEFT_OUT = ("modebar", "[data-title]", "plotly-cloud-dialog", ":focus")


def test_plotly_js_still_skips_its_styles_for_the_markers_charts_js_sets():
    bundle = BUNDLE.read_text(encoding="utf-8")
    charts_js = (STATIC / "js" / "charts.js").read_text(encoding="utf-8")
    skips_global_style = re.search(
        r'"plotly\.js-style-"\+\w+,\w+=document\.getElementById\(\w+\);'
        r'if\(!\(\w+&&\w+\.matches\("\.no-inline-styles"\)\)\)',
        bundle,
    )
    assert skips_global_style, "plotly.js changed how it is told not to add its <style>"
    injected = set(re.findall(r'getElementById\("([0-9a-f]{64})"\)\)\{var \w+=document', bundle))
    markers = set(re.findall(r'"([0-9a-f]{64})"', charts_js))
    assert injected == markers, "plotly.js adds another <style> at load: mark it in charts.js"
    assert '"plotly.js-style-global": "no-inline-styles"' in charts_js


def test_charts_css_carries_the_rules_plotly_js_would_inject():
    bundle = BUNDLE.read_text(encoding="utf-8")
    start = bundle.index('{"X,X div"')
    rules = bundle[start : bundle.index("};for(", start)]
    selectors = [
        key.strip('"').replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        for key, _rule in re.findall(r"""("[^"]*"|\w+):('[^']*'|"[^"]*")""", rules)
    ]
    assert ".js-plotly-plot .plotly .main-svg" in selectors
    charts_css = (STATIC / "css" / "charts.css").read_text(encoding="utf-8")
    styled = {
        selector.strip()
        for selectors_of_a_rule in re.findall(
            r"([^{}]+)\{", re.sub(r"/\*.*?\*/", "", charts_css, flags=re.S)
        )
        for selector in selectors_of_a_rule.split(",")
    }
    missing = [
        selector
        for selectors_of_a_rule in selectors
        for selector in selectors_of_a_rule.split(",")
        if not any(part in selector for part in LEFT_OUT) and selector.strip() not in styled
    ]
    assert not missing, "plotly.js has rules charts.css lacks"
    assert f"plotly.js {get_plotlyjs_version()}" in charts_css, "re-check charts.css on upgrade"
