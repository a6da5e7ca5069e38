(function () {
  const el = document.getElementById("warning-chart");
  if (!window.echarts || !el) return;
  const d = JSON.parse(document.getElementById("warning-chart-data").textContent);
  const chart = echarts.init(el, null, { renderer: "canvas" });
  const last = d.counts.length - 1;
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 32 },
    xAxis: { type: "category", data: d.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: d.names.band, type: "line", data: d.labels.map(() => d.low), stack: "band", symbol: "none", lineStyle: { opacity: 0 }, itemStyle: { color: "#059669" } },
      { name: d.names.band, type: "line", data: d.labels.map(() => d.high - d.low), stack: "band", symbol: "none", lineStyle: { opacity: 0 }, areaStyle: { color: "rgba(5,150,105,0.18)" }, itemStyle: { color: "#059669" }, tooltip: { show: false } },
      { name: d.names.threshold, type: "line", data: d.labels.map(() => d.threshold), symbol: "none", lineStyle: { type: "dashed", color: "#d97706" }, itemStyle: { color: "#d97706" } },
      { name: d.names.count, type: "bar", barMaxWidth: 28, itemStyle: { color: "#2563eb" },
        data: d.counts.map((v, i) => ({ value: v, itemStyle: { color: i === last || d.flagged[i] ? "#dc2626" : "#2563eb" } })) },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
