// Draws the dashboards' charts from their JSON data blocks. Progressive enhancement: the table
// beside each chart holds the same numbers, so a page without scripts or plotly.js loses nothing.
//
// The page's Content-Security-Policy (style-src 'self') refuses the <style> elements plotly.js
// adds when it loads; charts.css carries plotly's rules instead. So load this file before
// plotly.js, both deferred: the markers below must exist when plotly.js runs.
(() => {
  "use strict";

  // plotly.js skips its own <style> when an element with this id has the class
  // "no-inline-styles" (its strict-CSP switch), and skips MapLibre's (map traces, which we do
  // not draw) when an element with the second id exists. tests/dashboards checks the ids.
  const STYLE_MARKERS = {
    "plotly.js-style-global": "no-inline-styles",
    "9f215cf04c5486422605d13261cb87401f4e7763b6296af81e98efbc0130da53": "",
  };
  const CONFIG = { displayModeBar: false, responsive: true, doubleClick: false, scrollZoom: false };
  // Below this width a smaller font leaves the plot more room beside long category labels.
  const NARROW = 480;
  // A4 less 15 mm margins is 680 px at 96 dpi; charts drawn wider than this are cut on paper.
  const PRINT_WIDTH = 660;
  const started = new Set();
  const resizedForPrint = new Set();

  for (const [id, className] of Object.entries(STYLE_MARKERS)) {
    if (document.getElementById(id)) continue;
    const marker = document.createElement("meta");
    marker.name = "plotly-style-marker";
    marker.content = "charts.css";
    marker.id = id;
    if (className) marker.className = className;
    document.head.append(marker);
  }

  // Plotly formats numbers in English unless told the page's separators ("nl": "3,5").
  function separators(language) {
    const parts = new Intl.NumberFormat(language || undefined).formatToParts(12345.6);
    const part = (type, fallback) => parts.find((p) => p.type === type)?.value ?? fallback;
    return part("decimal", ".") + part("group", ",");
  }

  // The container has role="img", a label and a table beside it: the SVG is decoration to
  // assistive technology, and its many unlabelled shapes would only be noise.
  function hideDrawing(container) {
    container.querySelectorAll("svg").forEach((svg) => svg.setAttribute("aria-hidden", "true"));
  }

  function draw(block) {
    const container = document.getElementById(block.dataset.chartFor);
    if (!container || started.has(container)) return;
    started.add(container);
    let figure;
    try {
      figure = JSON.parse(block.textContent);
    } catch (error) {
      console.warn("charts.js: unreadable chart data for #" + container.id, error);
      return;
    }
    const layout = { separators: separators(document.documentElement.lang), ...figure.layout };
    if (container.clientWidth < NARROW) layout.font = { ...layout.font, size: 12 };
    Plotly.newPlot(container, figure.data, layout, CONFIG).then(() => {
      hideDrawing(container);
      container.on("plotly_afterplot", () => hideDrawing(container));
      container.dataset.drawn = "true";
    });
  }

  function drawAll() {
    if (!window.Plotly) return;
    document
      .querySelectorAll('script[type="application/json"].chart-data[data-chart-for]')
      .forEach(draw);
  }

  function drawn() {
    return document.querySelectorAll('.js-plotly-plot[data-drawn="true"]');
  }

  // Deferred scripts all run before DOMContentLoaded, so plotly.js is there by then; "load"
  // covers a page that loads the scripts some other way.
  document.addEventListener("DOMContentLoaded", drawAll);
  window.addEventListener("load", drawAll);

  // A chart keeps the width it was drawn at: redraw to fit the paper, and back after printing.
  window.addEventListener("beforeprint", () => {
    drawn().forEach((chart) => {
      if (chart.clientWidth <= PRINT_WIDTH) return;
      resizedForPrint.add(chart);
      Plotly.relayout(chart, { width: PRINT_WIDTH });
    });
  });
  window.addEventListener("afterprint", () => {
    resizedForPrint.forEach((chart) => Plotly.relayout(chart, { width: null }));
    resizedForPrint.clear();
  });
})();
