// The cash forecast's charts: the expected amount per week (stacked: by the relations' habits, by the collection
// curve) and the backtest's error per past day (this method against "paid on the due date"), drawn with the
// vendored Chart.js from the figures the page passes through json_script. Without JavaScript the page shows the
// same figures as tables. Series' names come from the canvas's data-label-* attributes, translated on the server.
(function () {
  "use strict";

  var locale = document.documentElement.lang || "en";
  var euro = new Intl.NumberFormat(locale, { style: "currency", currency: "EUR" });
  var euroShort = new Intl.NumberFormat(locale, { style: "currency", currency: "EUR", notation: "compact", maximumFractionDigits: 1 });

  function numbers(values) {
    return values.map(function (value) { return Number(value); });
  }

  function day(iso, format) {
    return new Date(iso + "T00:00:00").toLocaleDateString(locale, format);
  }

  var axisY = { beginAtZero: true, grid: { color: "#eef0f6" }, border: { display: false },
                ticks: { color: "#6b7390", callback: function (value) { return euroShort.format(value); } } };
  var legend = { position: "top", align: "end", labels: { boxWidth: 10, boxHeight: 10, usePointStyle: true } };
  var tooltip = { callbacks: { label: function (ctx) { return ctx.dataset.label + ": " + euro.format(ctx.parsed.y); } } };

  function weeksChart(canvas, data) {
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels.map(function (iso) { return day(iso, { day: "numeric", month: "short" }); }),
        datasets: [
          { label: canvas.dataset.labelHabit, data: numbers(data.by_habit), backgroundColor: "#6366f1", borderRadius: 4, maxBarThickness: 40 },
          { label: canvas.dataset.labelCurve, data: numbers(data.by_curve), backgroundColor: "#a5b4fc", borderRadius: 4, maxBarThickness: 40 },
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: legend, tooltip: tooltip },
        scales: {
          x: { stacked: true, grid: { display: false }, ticks: { color: "#6b7390", font: { size: 11 }, autoSkip: true, maxRotation: 0 } },
          y: Object.assign({ stacked: true }, axisY),
        },
      },
    });
  }

  function backtestChart(canvas, data) {
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.dates.map(function (iso) { return day(iso, { day: "numeric", month: "short", year: "2-digit" }); }),
        datasets: [
          { label: canvas.dataset.labelMethod, data: numbers(data.error), borderColor: "#6366f1", backgroundColor: "#6366f1",
            tension: .25, pointRadius: 3, borderWidth: 2 },
          { label: canvas.dataset.labelDue, data: numbers(data.due_date_error), borderColor: "#9ca3af", backgroundColor: "#9ca3af",
            borderDash: [4, 4], tension: .25, pointRadius: 2, borderWidth: 2 },
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: legend, tooltip: tooltip },
        scales: {
          x: { grid: { display: false }, ticks: { color: "#6b7390", font: { size: 11 }, autoSkip: true, maxRotation: 0 } },
          y: axisY,
        },
      },
    });
  }

  function draw() {
    var source = document.getElementById("forecast-chart-data");
    if (!source || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    var weeks = document.getElementById("forecast-chart");
    var backtest = document.getElementById("backtest-chart");
    if (weeks) weeksChart(weeks, data);
    if (backtest && data.backtest.dates.length) backtestChart(backtest, data.backtest);
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
