(function () {
  "use strict";
  if (!window.echarts) return;
  const data = JSON.parse(document.getElementById("sensing-chart-data").textContent);
  const options = {
    grids: {
      tooltip: { trigger: "axis" }, grid: { left: 48, right: 16, top: 24, bottom: 80 },
      xAxis: { type: "category", data: data.grids.labels, axisLabel: { rotate: 40 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{ type: "bar", data: data.grids.rates, itemStyle: { color: "#2563eb" },
        markLine: { symbol: "none", lineStyle: { color: "#dc2626", type: "dashed" }, data: [{ yAxis: data.target }] } }],
    },
    rules: {
      tooltip: { trigger: "axis" }, legend: {}, grid: { left: 48, right: 16, top: 36, bottom: 40 },
      xAxis: { type: "category", data: data.rules.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: data.rules.series.map((s, i) => ({ ...s, type: "bar", stack: "all", itemStyle: { color: ["#059669", "#6b7280", "#dc2626"][i] } })),
    },
    alarms: { tooltip: { trigger: "item" }, series: [{ type: "pie", radius: ["35%", "70%"], data: data.alarms }] },
  };
  for (const el of document.querySelectorAll("[data-sensing-chart]")) {
    const chart = echarts.init(el);
    chart.setOption(options[el.dataset.sensingChart]);
    el.dataset.ready = "1";
    window.addEventListener("resize", () => chart.resize());
  }
})();
