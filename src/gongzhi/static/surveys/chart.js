(function () {
  const script = document.currentScript;
  const el = document.querySelector("[data-testid=survey-chart]");
  const node = document.getElementById("survey-data");
  if (!el || !node || !window.echarts) return;
  const data = JSON.parse(node.textContent);
  const names = data.areas.map(a => a.name);
  const series = ["safety", "satisfaction"].map(function (key, i) {
    return {
      name: key === "safety" ? script.dataset.safety : script.dataset.satisfaction,
      type: "bar",
      data: data.areas.map(a => a.measures[key] ? a.measures[key].mean : null),
    };
  });
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis"}, legend: {}, grid: {left: 40, right: 10, bottom: 60},
    xAxis: {type: "category", data: names, axisLabel: {rotate: 30}},
    yAxis: {type: "value", min: 0, max: 100}, series: series,
  });
  window.addEventListener("resize", () => chart.resize());
})();
