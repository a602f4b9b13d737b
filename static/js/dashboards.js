// The Outstanding Items charts: the aging split, the overdue total over time and a relation's invoices against their
// payment dates, drawn with the vendored Chart.js from the figures the page passes through json_script. Without
// JavaScript the page still shows them as tables.
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

  // A relation's invoices page: each invoice at its due date, against the days after it that it was paid (filled) or
  // has been open so far (hollow: red once overdue), with the due date itself as a line at zero. Dates are days since
  // 1970 in UTC on a linear axis (Chart.js has no date axis without an adapter), ticked at the first of a month.
  var DAY = 86400000;

  function dayNumber(iso) {
    return Date.parse(iso + "T00:00:00Z") / DAY;
  }

  function monthTicks(scale) {
    var first = new Date(scale.min * DAY), months = [];
    for (var k = 1; ; k++) {
      var day = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + k, 1) / DAY;
      if (day > scale.max) break;
      months.push(day);
    }
    if (months.length < 2) return;  // not reached: a short span has Chart.js's own ticks, written as days
    var room = Math.max(2, Math.floor(scale.width / 70));  // a label ("Sep 25") and the space around it
    var every = function (step) {
      return months.filter(function (day) { return new Date(day * DAY).getUTCMonth() % step === 0; });
    };
    var step = [1, 2, 3, 4, 6].find(function (n) { return every(n).length <= room; }) || 12;
    scale.ticks = every(step).map(function (day) { return { value: day }; });
  }

  function paymentChart(canvas, data) {
    var words = canvas.dataset;
    var points = function (list) {
      return list.map(function (p) { return { x: dayNumber(p.x), y: Number(p.y), n: p.n }; });
    };
    var paid = points(data.paid), open = points(data.open);
    var days = paid.concat(open).map(function (p) { return p.x; });
    var first = Math.min.apply(null, days), last = Math.max.apply(null, days);
    var pad = Math.max(10, Math.round((last - first) * 0.04));
    var min = first - pad, max = last + pad;
    var short = max - min < 75;
    var tick = new Intl.DateTimeFormat(locale, short ? { day: "numeric", month: "short", timeZone: "UTC" } : { month: "short", year: "2-digit", timeZone: "UTC" });
    var whole = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
    var count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    var after = new Intl.NumberFormat(locale, { style: "unit", unit: "day", unitDisplay: "long", signDisplay: "exceptZero", maximumFractionDigits: 1 });
    var OVERDUE = "#dc2626", NOT_DUE = "#9ca3af";
    return new window.Chart(canvas, {
      type: "scatter",
      data: {
        datasets: [
          { label: words.labelPaid, data: paid, backgroundColor: "rgba(99, 102, 241, .75)", borderColor: "#4f46e5",
            borderWidth: 1, pointRadius: 4.5, pointHoverRadius: 6, order: 1 },
          { label: words.labelOpen, data: open, backgroundColor: "#ffffff", borderWidth: 2, pointRadius: 5, pointHoverRadius: 7, order: 0,
            borderColor: function (ctx) { return ctx.raw && ctx.raw.y <= 0 ? NOT_DUE : OVERDUE; } },
          { type: "line", label: words.labelZero, data: [{ x: min, y: 0 }, { x: max, y: 0 }], borderColor: "#6b7390",
            borderDash: [5, 4], borderWidth: 1.5, pointRadius: 0, pointHoverRadius: 0, pointHitRadius: 0, pointStyle: "line",
            order: 2, isZero: true },
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { position: "top", align: "end", labels: {
            boxWidth: 10, boxHeight: 10, usePointStyle: true,
            sort: function (a, b) { return a.datasetIndex - b.datasetIndex; },
            // The open series' mark as an overdue point's (else it takes its first point's colour).
            generateLabels: function (chart) {
              return window.Chart.defaults.plugins.legend.labels.generateLabels(chart).map(function (label) {
                if (label.datasetIndex === 1) label.strokeStyle = OVERDUE;
                return label;
              });
            },
          } },
          tooltip: {
            filter: function (item) { return !item.dataset.isZero; },
            callbacks: {
              title: function (items) { return items.length ? items[0].raw.n || "–" : ""; },
              label: function (ctx) { return ctx.dataset.label + ": " + after.format(ctx.parsed.y); },
              afterLabel: function (ctx) { return words.labelDue + ": " + whole.format(new Date(ctx.parsed.x * DAY)); },
            },
          },
        },
        scales: {
          x: { type: "linear", min: min, max: max, grid: { display: false }, afterBuildTicks: short ? undefined : monthTicks,
               ticks: { color: "#6b7390", maxRotation: 0, autoSkip: short, autoSkipPadding: 12,
                        callback: function (value) { return tick.format(new Date(value * DAY)); } } },
          y: { suggestedMin: 0, suggestedMax: 0, grace: "8%", border: { display: false },
               title: { display: true, text: words.labelAxis, color: "#6b7390", font: { size: 11 } },
               grid: { color: function (ctx) { return ctx.tick && ctx.tick.value === 0 ? "#c3c8d6" : "#eef0f6"; } },
               ticks: { color: "#6b7390", callback: function (value) { return count.format(value); } } },
        },
      },
    });
  }

  function drawPayments() {
    var source = document.getElementById("payment-chart-data");
    var canvas = document.getElementById("payment-chart");
    if (!source || !canvas || !window.Chart) return;
    paymentChart(canvas, JSON.parse(source.textContent));
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("DOMContentLoaded", drawOverview);
  document.addEventListener("DOMContentLoaded", drawPayments);
  // Back and forward through pages that htmx pushed: redraw on the restored page.
  document.addEventListener("htmx:historyRestore", draw);
})();
