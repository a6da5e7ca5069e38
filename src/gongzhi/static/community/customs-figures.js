// Within the caps and over a cap, month by month, stacked; the table says the same.
(function () {
  "use strict";
  const src = document.getElementById("customs-chart-data");
  const el = document.getElementById("customs-chart");
  if (!window.echarts || !src || !el) return;
  const data = JSON.parse(src.textContent);
  const chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    color: data.series.map((s) => s.colour),
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 36, right: 12, top: 36, bottom: 40 },
    xAxis: { type: "category", data: data.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: data.series.map((s) => ({ name: s.name, type: "bar", stack: "all", data: s.data, barMaxWidth: 28 })),
  });
  window.addEventListener("resize", () => chart.resize());
})();
