// The analytics page: its charts (ECharts, from the figures the page printed) and the grid
// choropleth (Leaflet, grids coloured by reports in the period; no tile server needed).
(function () {
  "use strict";
  const PALETTE = ["#2563eb", "#059669", "#d97706", "#7c3aed", "#dc2626", "#0891b2", "#65a30d"];
  const source = document.getElementById("analytics-charts");
  const charts = source ? JSON.parse(source.textContent) : {};

  function option(kind, data) {
    const names = Object.keys(data.series);
    if (kind === "pie") {
      return {
        color: PALETTE,
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["35%", "65%"],
          data: data.labels.map((l, i) => ({ name: l, value: data.series[names[0]][i] })) }],
      };
    }
    const many = data.labels.length > 8;
    const category = { type: "category", data: data.labels,
      axisLabel: { interval: kind === "line" ? "auto" : 0, rotate: kind === "bar" && many ? 40 : 0, width: 110, overflow: "truncate" } };
    const value = { type: "value", min: 0 };
    if (kind === "hbar") { category.inverse = true; value.max = 100; }
    return {
      color: PALETTE,
      tooltip: { trigger: "axis" },
      legend: names.length > 1 ? { top: 0 } : undefined,
      grid: { left: kind === "hbar" ? 150 : 48, right: 24, top: 32, bottom: kind === "bar" && many ? 96 : 40 },
      xAxis: kind === "hbar" ? value : category,
      yAxis: kind === "hbar" ? category : value,
      series: names.map((n) => ({ name: n, type: kind === "line" ? "line" : "bar", data: data.series[n], barMaxWidth: 28 })),
    };
  }

  if (window.echarts) {
    document.querySelectorAll("[data-analytics-chart]").forEach((el) => {
      const data = charts[el.dataset.analyticsChart];
      if (!data || !data.labels.length) return;
      const chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(el.dataset.kind, data));
      window.addEventListener("resize", () => chart.resize());
      el.dataset.ready = "1";
    });
  }

  // -- the grid choropleth ---------------------------------------------------------------
  const el = document.getElementById("grid-map");
  if (!el || !window.L) return;
  const map = L.map(el, { zoomSnap: 0.25, preferCanvas: true });
  if (window.gongzhiBaseMap) window.gongzhiBaseMap(map);
  const STEPS = ["#eff6ff", "#bfdbfe", "#60a5fa", "#2563eb", "#1e3a8a"];
  function text(tag, value) {
    const node = document.createElement(tag);
    node.textContent = value;
    return node;
  }
  function drawLegend(most, classes, shade) {
    const legend = document.getElementById("grid-legend");
    if (!legend || !most) return;
    for (let k = 0; k <= classes; k += 1) {
      const low = k ? Math.floor((most * (k - 1)) / classes) + 1 : 0;
      const high = k ? Math.floor((most * k) / classes) : 0;
      const swatch = document.createElement("span");
      swatch.style.background = shade(k);
      legend.appendChild(swatch);
      legend.appendChild(document.createTextNode(` ${low === high ? low : low + "–" + high}  `));
    }
  }
  fetch(el.dataset.url, { credentials: "same-origin" })
    .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then((data) => {
      const most = Math.max(0, ...data.features.map((f) => f.properties.reported));
      // As many classes as there are counts to tell apart (at most four), spread over the ramp.
      const classes = Math.min(STEPS.length - 1, most);
      const shade = (k) => STEPS[k ? Math.round((k * (STEPS.length - 1)) / classes) : 0];
      const step = (n) => (n <= 0 || !most ? 0 : Math.ceil((n / most) * classes));
      const layer = L.geoJSON(data, {
        style: (f) => ({ color: "#475569", weight: 0.5, fillColor: shade(step(f.properties.reported)), fillOpacity: 0.75 }),
        onEachFeature: (f, l) => {
          const p = f.properties;
          l.bindTooltip(() => text("span", `${p.name}: ${p.reported}`), { sticky: true });
          l.bindPopup(() => {
            const box = document.createElement("div");
            box.appendChild(text("strong", p.name));
            box.appendChild(text("div", `${el.dataset.labelReported} ${p.reported} · ${el.dataset.labelOpen} ${p.open} · ${el.dataset.labelOverdue} ${p.overdue}`));
            if (p.url) {
              const a = text("a", el.dataset.labelRecords);
              a.href = p.url;
              box.appendChild(a);
            }
            return box;
          });
        },
      }).addTo(map);
      const bounds = layer.getBounds();
      map.fitBounds(bounds.isValid() ? bounds : L.latLngBounds([[35.4, 100.9], [37.6, 103.1]]));
      drawLegend(most, classes, shade);
      el.dataset.ready = "1";
    })
    .catch(() => { el.dataset.ready = "error"; });
})();
