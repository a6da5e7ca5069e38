(function () {
  "use strict";
  const el = document.getElementById("sensing-readings-chart");
  if (!window.echarts || !el) return;
  const data = JSON.parse(document.getElementById("sensing-readings").textContent);
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 48, right: 24, top: 24, bottom: 40 },
    xAxis: { type: "time" },
    yAxis: { type: "value", name: data.unit },
    series: [{
      name: data.name, type: "line", showSymbol: false, data: data.points,
      markLine: { symbol: "none", lineStyle: { color: "#dc2626", type: "dashed" }, data: [{ yAxis: data.limit }] },
    }],
  });
  el.dataset.ready = "1";
  window.addEventListener("resize", () => chart.resize());
})();
