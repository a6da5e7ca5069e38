(function () {
  "use strict";
  const el = document.querySelector("[data-safety-chart]");
  if (!window.echarts || !el) return;
  const data = JSON.parse(document.getElementById("safety-chart-data").textContent);
  const series = [
    { name: data.names.criminal, type: "line", data: data.criminal, connectNulls: false, itemStyle: { color: "#dc2626" } },
    { name: data.names.public_order, type: "line", data: data.public_order, connectNulls: false, itemStyle: { color: "#d97706" } },
  ];
  const yAxis = [{ type: "value", minInterval: 1 }];
  if (data.platform) {
    // The platform's reports are counted in the hundreds: their own axis on the right.
    yAxis.push({ type: "value", minInterval: 1, splitLine: { show: false } });
    series.push({ name: data.names.platform, type: "bar", yAxisIndex: 1, data: data.platform, itemStyle: { color: "#93c5fd" }, z: 1 });
  }
  const chart = echarts.init(el);
  chart.setOption({ tooltip: { trigger: "axis" }, legend: {}, grid: { left: 48, right: 56, top: 40, bottom: 32 },
    xAxis: { type: "category", data: data.months }, yAxis, series });
  el.dataset.ready = "1";
  window.addEventListener("resize", () => chart.resize());
})();
