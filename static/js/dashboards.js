// The Outstanding Items charts: the aging split and the overdue total over time, drawn with the vendored Chart.js
// from the figures the page passes through json_script. Without JavaScript the page still shows them as tables.
// The words a chart writes (its series' names) come from the canvas's data-label-* attributes, translated on the
// server; numbers and dates follow <html lang>.
(function () {
  "use strict";

  // A date input marked data-autosubmit-change sends its form when a whole date has been picked.
  document.addEventListener("change", function (event) {
    var input = event.target.closest("input[data-autosubmit-change]");
    if (input && input.form && (!input.value || input.checkValidity())) input.form.requestSubmit();
  });

  // A statement too wide for its window (a phone) opens at the period's figures: the line names stay at the left
  // and the column marked data-open-here starts right beside them, whole; the months before scroll into view to the
  // left, the prior year and the change to the right.
  document.querySelectorAll(".table-scroll").forEach(function (box) {
    var here = box.querySelector("thead th[data-open-here]");
    var names = box.querySelector("thead th");
    if (here && names && box.scrollWidth > box.clientWidth) box.scrollLeft = here.offsetLeft - names.offsetWidth;
  });

  var BUCKET_COLOURS = ["#10b981", "#f2c94c", "#f59e0b", "#ea580c", "#dc2626", "#991b1b", "#6b1010"];
  // Numbers and dates in the page's language, as the server writes them: <html lang> is the active language.
  var locale = document.documentElement.lang || "en";
  var euro = new Intl.NumberFormat(locale, { style: "currency", currency: "EUR" });
  var euroShort = new Intl.NumberFormat(locale, { style: "currency", currency: "EUR", notation: "compact", maximumFractionDigits: 1 });
  var charts = [];

  function numbers(values) {
    return values.map(function (value) { return Number(value); });
  }

  function agingChart(canvas, data) {
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{
          data: numbers(data.amounts),
          backgroundColor: data.labels.map(function (_, i) { return BUCKET_COLOURS[Math.min(i, BUCKET_COLOURS.length - 1)]; }),
          borderRadius: 6,
          maxBarThickness: 48,
        }],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (ctx) { return euro.format(ctx.parsed.y); } } },
        },
        scales: {
          x: { grid: { display: false }, ticks: { color: "#6b7390", font: { size: 11 } } },
          y: { beginAtZero: true, grid: { color: "#eef0f6" }, border: { display: false },
               ticks: { color: "#6b7390", callback: function (value) { return euroShort.format(value); } } },
        },
      },
    });
  }

  function historyChart(canvas, data) {
    // By month end (from the books, with DSO or DPO on a right-hand axis) or by snapshot day.
    var format = data.monthly ? { month: "short", year: "2-digit" } : { day: "numeric", month: "short" };
    var dates = data.dates.map(function (iso) {
      return new Date(iso + "T00:00:00").toLocaleDateString(locale, format);
    });
    var datasets = [
      { label: canvas.dataset.labelTotal, data: numbers(data.total), borderColor: "#6366f1", backgroundColor: "rgba(99, 102, 241, .08)",
        fill: true, tension: .25, pointRadius: 0, borderWidth: 2 },
      { label: canvas.dataset.labelOverdue, data: numbers(data.overdue), borderColor: "#dc2626", backgroundColor: "rgba(220, 38, 38, .10)",
        fill: true, tension: .25, pointRadius: 0, borderWidth: 2 },
    ];
    if (data.monthly) {
      datasets.push({ label: canvas.dataset.labelDays, yAxisID: "days", borderColor: "#0f766e", borderDash: [4, 3],
        data: data.days.map(function (value) { return value === null ? null : Number(value); }),
        fill: false, tension: .25, pointRadius: 0, borderWidth: 2, spanGaps: true, isDays: true });
    }
    var days = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: dates,
        datasets: datasets,
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "top", align: "end", labels: { boxWidth: 10, boxHeight: 10, usePointStyle: true } },
          tooltip: { callbacks: { label: function (ctx) {
            return ctx.dataset.label + ": " + (ctx.dataset.isDays ? days.format(ctx.parsed.y) : euro.format(ctx.parsed.y));
          } } },
        },
        scales: {
          x: { grid: { display: false }, ticks: { color: "#6b7390", maxTicksLimit: 10, autoSkip: true } },
          y: { beginAtZero: true, grid: { color: "#eef0f6" }, border: { display: false },
               ticks: { color: "#6b7390", callback: function (value) { return euroShort.format(value); } } },
          days: { display: !!data.monthly, position: "right", beginAtZero: true, grid: { display: false }, border: { display: false },
                  ticks: { color: "#0f766e", callback: function (value) { return days.format(value); } } },
        },
      },
    });
  }

  function draw() {
    var source = document.getElementById("outstanding-chart-data");
    if (!source || !window.Chart) return;
    charts.forEach(function (chart) { chart.destroy(); });
    charts = [];
    var data = JSON.parse(source.textContent);
    var aging = document.getElementById("aging-chart");
    var history = document.getElementById("history-chart");
    if (aging) charts.push(agingChart(aging, data.buckets));
    if (history) charts.push(historyChart(history, data.history));
  }

  // The Overview: revenue per month as bars (this year, last year) and the operating result as lines.
  function overviewChart(canvas, data) {
    var words = canvas.dataset;
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.months,
        datasets: [
          { label: words.labelRevenue, data: numbers(data.series.revenue), backgroundColor: "#6366f1", borderRadius: 4, maxBarThickness: 28 },
          { label: words.labelRevenuePrior, data: numbers(data.prior.revenue), backgroundColor: "#c7c9f7", borderRadius: 4, maxBarThickness: 28 },
          { type: "line", label: words.labelResult, data: numbers(data.series.operating_result), borderColor: "#10b981",
            backgroundColor: "#10b981", tension: .25, pointRadius: 3, borderWidth: 2 },
          { type: "line", label: words.labelResultPrior, data: numbers(data.prior.operating_result), borderColor: "#9ca3af",
            backgroundColor: "#9ca3af", borderDash: [4, 4], tension: .25, pointRadius: 2, borderWidth: 2 },
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "top", align: "end", labels: { boxWidth: 10, boxHeight: 10, usePointStyle: true } },
          tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ": " + euro.format(ctx.parsed.y); } } },
        },
        scales: {
          x: { grid: { display: false }, ticks: { color: "#6b7390" } },
          y: { grid: { color: "#eef0f6" }, border: { display: false },
               ticks: { color: "#6b7390", callback: function (value) { return euroShort.format(value); } } },
        },
      },
    });
  }

  function drawOverview() {
    var source = document.getElementById("overview-chart-data");
    var canvas = document.getElementById("overview-chart");
    if (!source || !canvas || !window.Chart) return;
    overviewChart(canvas, JSON.parse(source.textContent));
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("DOMContentLoaded", drawOverview);
  // Back and forward through pages that htmx pushed: redraw on the restored page.
  document.addEventListener("htmx:historyRestore", draw);
})();
