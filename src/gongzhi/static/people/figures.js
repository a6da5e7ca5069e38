// The people figures' charts (ECharts): stacked counts by place, the two rates by place,
// and the rates month by month. The tables above say the same without this script.
(function () {
  "use strict";
  if (!window.echarts) return;
  const src = document.getElementById("people-chart-data");
  if (!src) return;
  const data = JSON.parse(src.textContent);
  const pct = (v) => (v == null ? "—" : v + "%");
  function axis(labels) {
    return {
      type: "category",
      data: labels,
      axisLabel: { interval: 0, rotate: labels.length > 6 ? 40 : 0, width: 110, overflow: "truncate" },
    };
  }
  function grid(labels) {
    return { left: 48, right: 16, top: 48, bottom: labels.length > 6 ? 96 : 40 };
  }
  function stacked(series) {
    return {
      color: series.map((s) => s.colour).filter(Boolean).length === series.length
        ? series.map((s) => s.colour) : undefined,
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: grid(data.labels),
      xAxis: axis(data.labels),
      yAxis: { type: "value", minInterval: 1 },
      series: series.map((s) => ({ name: s.name, type: "bar", stack: "all", data: s.data, barMaxWidth: 32 })),
    };
  }
  function rates(labels, series, kind) {
    return {
      color: ["#059669", "#2563eb"],
      tooltip: { trigger: "axis", valueFormatter: pct },
      legend: { top: 0 },
      grid: grid(labels),
      xAxis: axis(labels),
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: series.map((s) => ({ name: s.name, type: kind, data: s.data, barMaxWidth: 28, connectNulls: true })),
    };
  }
  const options = {
    population: () => ({ ...stacked(data.population), color: ["#059669", "#f59e0b"] }),
    houses: () => stacked(data.houses),
    groups: () => stacked(data.groups),
    rates: () => rates(data.labels, data.rates, "bar"),
    months: () => rates(data.months.labels, data.months.series, "line"),
  };
  document.querySelectorAll("[data-people-chart]").forEach((el) => {
    const make = options[el.dataset.peopleChart];
    if (!make) return;
    const chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(make());
    window.addEventListener("resize", () => chart.resize());
    el.dataset.ready = "1";
  });
})();
