/* The big screen (command/screen.html): draws every panel from the data the page carries
 * (gongzhi.command.screen.gather), then keeps it live:
 *
 * - push.js opens one stream per topic (cases, sensing) and dispatches "gongzhi:push";
 *   a new report of this place shows in the ticker, on the map and in today's count at
 *   once, and every message re-reads the panels from the API (debounced);
 * - the panels are re-read every minute anyway (a missed message is caught up);
 * - a click on a place (map or ranking) drills down: city → county → township → grid.
 *
 * The page is laid out in a 1920×1080 box, scaled to the window (a wall, a 4K wall, a laptop).
 */
(function () {
  "use strict";

  const WIDTH = 1920;
  const HEIGHT = 1080;
  const TICKER = 20;
  const DEBOUNCE_MS = 1200;
  const MIN_GAP_MS = 5000;
  const POLL_MS = 60000;

  const config = JSON.parse(document.getElementById("screen-config").textContent);
  const texts = config.texts;
  const labels = {};
  document
    .getElementById("screen-labels")
    .content.querySelectorAll("[data-k]")
    .forEach((el) => { labels[el.dataset.k] = el.textContent.trim(); });
  const box = document.getElementById("screen");
  let data = JSON.parse(document.getElementById("screen-data").textContent);
  let scale = 1;

  // -- small helpers -------------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === null || v === undefined || v === false) return;
      if (k === "class") el.className = v;
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (k === "style") el.style.cssText = v;
      else el.setAttribute(k, v);
    });
    children.flat().forEach((c) => {
      if (c === null || c === undefined) return;
      el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    });
    return el;
  }
  function fill(el, ...children) {
    el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  }
  function rate(r) {
    return r === null || r === undefined ? "—" : (r * 100).toFixed(1) + "%";
  }
  function change(r) {
    if (r === null || r === undefined) return "—";
    return (r > 0 ? "+" : "") + (r * 100).toFixed(0) + "%";
  }
  function link(url, content, attrs) {
    return url ? h("a", Object.assign({ href: url }, attrs || {}), content) : h("span", attrs || {}, content);
  }
  function drillUrl(kind, code) {
    return config.screen + "?" + kind + "=" + encodeURIComponent(code);
  }
  function clock(iso) {
    const d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleTimeString("zh-CN", { hour12: false });
  }

  // -- fitting the 1920×1080 box to the window ------------------------------------------------

  const charts = [];
  let map = null;
  function fit() {
    const w = window.innerWidth;
    const hgt = window.innerHeight;
    scale = Math.min(w / WIDTH, hgt / HEIGHT);
    box.style.setProperty("--scale", scale);
    box.style.setProperty("--dx", (w - WIDTH * scale) / 2 + "px");
    box.style.setProperty("--dy", (hgt - HEIGHT * scale) / 2 + "px");
    if (map) map.invalidateSize();
  }
  fit();
  window.addEventListener("resize", fit);

  // -- figures -------------------------------------------------------------------------------

  // What a live report added to the counts before the rollups have it: a count of the day's
  // reports never goes down, so the screen shows the larger of the two.
  const shown = { today: 0, month: 0 };
  let shownDay = null;

  function kpi(prefix, key, value, url, cls) {
    return link(
      url,
      [h("b", String(value).length > 6 ? { class: "long" } : {}, value), h("span", {}, labels[key] || key)],
      { class: "kpi " + (cls || ""), "data-testid": prefix + "-" + key }
    );
  }

  function renderPeriod(prefix, period) {
    const el = document.getElementById("kpi-" + prefix);
    shown[prefix] = Math.max(shown[prefix], period.reported);
    const links = period.links || {};
    fill(
      el,
      kpi(prefix, "reported", shown[prefix], links.reported),
      kpi(prefix, "closed", period.closed, links.closed),
      kpi(prefix, "open", period.open, links.open),
      kpi(prefix, "overdue", period.overdue, links.overdue, period.overdue ? "bad" : ""),
      kpi(prefix, "response_rate", rate(period.response_rate), null, "rate"),
      kpi(prefix, "resolution_rate", rate(period.resolution_rate), null, "rate"),
      kpi(prefix, "satisfaction_rate", rate(period.satisfaction_rate), null, "rate"),
      kpi(prefix, "accept_rate", rate(period.accept_rate), null, "rate"),
      kpi(prefix, "dispatch_rate", rate(period.dispatch_rate), null, "rate"),
      kpi(prefix, "answered", period.answered || 0, null)
    );
  }

  function bump(prefix) {
    shown[prefix] += 1;
    const cell = document.querySelector(`[data-testid="${prefix}-reported"]`);
    if (!cell) return;
    cell.querySelector("b").textContent = shown[prefix];
    cell.classList.remove("bump");
    void cell.offsetWidth; // restart the animation
    cell.classList.add("bump");
  }

  function table(el, head, rows, cells, drill) {
    if (!rows.length) {
      fill(el, h("tr", {}, h("td", { class: "none", colspan: head.length }, texts.none)));
      return;
    }
    fill(
      el,
      h("tr", {}, head.map((t) => h("th", {}, t))),
      rows.map((row) => {
        const target = drill ? drill(row) : null;
        const tr = h("tr", { class: target ? "drill" : "", "data-testid": "row", "data-code": row.code || null },
          cells(row).map((c) => (c instanceof Node && c.tagName === "TD" ? c : h("td", {}, c))));
        if (target) {
          tr.addEventListener("click", (e) => {
            if (e.target.closest("a")) return; // a figure's own link opens its records
            window.location.href = target;
          });
        }
        return tr;
      })
    );
  }

  function renderUnits() {
    table(
      document.getElementById("units-rates"),
      [labels.unit, labels.response_rate, labels.resolution_rate, labels.satisfaction_rate],
      data.units.by_rates,
      (r) => [r.label, rate(r.response_rate), rate(r.resolution_rate), rate(r.satisfaction_rate)]
    );
    table(
      document.getElementById("units-overdue"),
      [labels.unit, labels.overdue, labels.reported],
      data.units.by_overdue,
      (r) => [r.label, h("td", { class: "bad" }, link(r.overdue_url, r.overdue)), r.reported]
    );
  }

  function renderRegions() {
    const grids = data.regions.some((r) => r.drill === "grid");
    table(
      document.getElementById("regions"),
      [grids ? labels.grid : labels.place, labels.reported, labels.overdue, labels.score],
      data.regions,
      (r) => [r.label, r.reported, h("td", { class: r.overdue ? "bad" : "" }, r.overdue), rate(r.score)],
      (r) => (r.drill ? drillUrl(r.drill, r.code) : null)
    );
  }

  function renderHotspots() {
    table(
      document.getElementById("hotspots"),
      [labels.grid, labels.reported, labels.open, labels.overdue],
      data.hotspots,
      (r) => [r.name, link(r.url, r.reported), r.open, h("td", { class: r.overdue ? "bad" : "" }, r.overdue)],
      (r) => (data.grid ? null : drillUrl("grid", r.code))
    );
  }

  let categoryChart = null;
  function renderCategories() {
    const el = document.getElementById("chart-categories");
    if (!window.echarts) return;
    if (!categoryChart) {
      categoryChart = echarts.init(el, null, { devicePixelRatio: (window.devicePixelRatio || 1) * Math.max(scale, 1) });
      charts.push(categoryChart);
      categoryChart.on("click", (p) => {
        const row = data.categories[p.dataIndex];
        if (row && row.url && p.seriesIndex === 0) window.location.href = row.url;
      });
    }
    const rows = data.categories.slice().reverse(); // the largest on top
    el.dataset.count = rows.length;
    const axis = { color: "#8aa4cf", fontSize: 12 };
    categoryChart.setOption(
      {
        animation: false,
        grid: { left: 8, right: 16, top: 26, bottom: 4, containLabel: true },
        legend: { top: 0, textStyle: { color: "#dbe7ff", fontSize: 12 }, itemWidth: 12, itemHeight: 8 },
        tooltip: {
          trigger: "axis",
          axisPointer: { type: "shadow" },
          formatter: (items) => {
            const row = rows[items[0].dataIndex];
            const safe = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
            return `${safe(row.label)}<br>${safe(texts.this_period)}: ${row.reported}<br>` +
              `${safe(labels.change_previous)}: ${change(row.change_previous)} · ${safe(labels.change_last_year)}: ${change(row.change_last_year)}`;
          },
        },
        xAxis: { type: "value", minInterval: 1, axisLabel: axis, splitLine: { lineStyle: { color: "#1e3a66" } } },
        yAxis: { type: "category", data: rows.map((r) => r.label), axisLabel: Object.assign({ width: 110, overflow: "truncate" }, axis) },
        series: [
          { name: texts.this_period, type: "bar", data: rows.map((r) => r.reported), itemStyle: { color: "#38bdf8" }, barGap: "10%" },
          { name: texts.previous, type: "bar", data: rows.map((r) => r.previous), itemStyle: { color: "#6366f1" } },
          { name: texts.last_year, type: "bar", data: rows.map((r) => r.last_year), itemStyle: { color: "#64748b" } },
        ],
      },
      true
    );
  }

  function renderDomains() {
    const most = Math.max(1, ...data.disputes.map((r) => r.count));
    fill(
      document.getElementById("disputes"),
      h("div", { class: "muted" }, labels.disputes),
      data.disputes.map((r) =>
        h("div", { class: "risk", style: "color:" + r.colour, "data-testid": "risk-" + r.risk },
          h("span", { class: "bar", style: `width:${Math.round((r.count / most) * 60) + 4}px` }),
          h("span", { style: "color:var(--text)" }, r.label),
          h("b", {}, r.count))
      )
    );
    const cells = [kpi("domain", "visits_late", data.visits_late, null, data.visits_late ? "bad" : "")];
    const s = data.sensing;
    if (s) {
      const online = (rows) => {
        const on = rows.find((r) => r.status === "online");
        const total = rows.filter((r) => r.status !== "disabled").reduce((n, r) => n + r.count, 0);
        return (on ? on.count : 0) + "/" + total;
      };
      cells.push(
        kpi("domain", "alarms_open", s.alarms_open, null, s.alarms_open ? "bad" : ""),
        kpi("domain", "events_new", s.events_new, null, s.events_new ? "bad" : ""),
        kpi("domain", "cameras_online", online(s.cameras)),
        kpi("domain", "devices_online", online(s.devices))
      );
    }
    const l = data.legal;
    if (l) {
      cells.push(
        kpi("domain", "aid_pending", l.aid_pending, null, l.aid_overdue ? "bad" : ""),
        kpi("domain", "questions_waiting", l.questions_waiting, null, l.questions_overdue ? "bad" : "")
      );
    }
    const d = data.deliberation;
    if (d) {
      cells.push(
        kpi("domain", "topics_late", d.topics_late, null, d.topics_late ? "bad" : ""),
        kpi("domain", "tasks_overdue", d.tasks_overdue, null, d.tasks_overdue ? "bad" : "")
      );
    }
    const c = data.community;
    if (c) {
      const pct = (v) => (v === null || v === undefined ? "—" : Math.round(v * 1000) / 10 + "%");
      cells.push(
        kpi("domain", "repairs_overdue", c.repairs_overdue, null, c.repairs_overdue ? "bad" : ""),
        kpi("domain", "repairs_escalated", c.repairs_escalated, null, c.repairs_escalated ? "bad" : ""),
        kpi("domain", "patrol_completion", pct(c.patrol_completion)),
        kpi("domain", "notices_read", pct(c.notices_read))
      );
    }
    fill(document.getElementById("domain-kpis"), cells);
  }

  // -- the survey and the public-safety figures ------------------------------------------------

  function num(v) {
    return v === null || v === undefined ? "—" : Number(v).toFixed(1);
  }

  function renderSurvey() {
    const el = document.getElementById("survey");
    const s = data.survey;
    const a = document.getElementById("survey-link");
    if (s && s.url) a.setAttribute("href", s.url); else a.removeAttribute("href");
    const wave = document.getElementById("survey-wave");
    if (!s) {
      wave.textContent = "";
      fill(el, h("div", { class: "none", "data-testid": "survey-none" }, labels.survey_none));
      return;
    }
    wave.textContent = `${s.wave.name} · ${s.wave.start} – ${s.wave.end}`;
    const head = (key) => {
      const m = s.measures[key];
      return h("div", { class: "kpi rate", "data-testid": "survey-" + key },
        h("b", {}, num(m && m.mean)),
        h("span", {}, labels["survey_" + key]),
        h("em", {}, m ? `${labels.survey_interval} ${num(m.low)}–${num(m.high)}` : "—"),
        h("em", {}, m ? `n=${m.n} · ${labels.survey_positive} ${num(m.positive)}%` : ""));
    };
    const areas = s.areas.map((r) => {
      const m = r.measures.safety;
      return h("div", { class: "area", "data-testid": "survey-area", "data-code": r.code },
        h("span", {}, r.name),
        h("span", { class: "track" }, h("i", { style: `width:${m ? Math.max(0, Math.min(100, m.mean)) : 0}%` })),
        h("b", {}, num(m && m.mean)));
    });
    const answered = s.response.rate === null || s.response.rate === undefined ? "—" : s.response.rate + "%";
    fill(el,
      h("div", { class: "heads" }, head("safety"), head("satisfaction")),
      h("div", { class: "muted", style: "font-size:12px" }, `${labels.survey_rate} ${answered}`),
      areas.length ? h("div", { class: "areas" }, areas) : null);
  }

  let safetyChart = null;
  function renderSafety() {
    const el = document.getElementById("chart-safety");
    const s = data.safety;
    const a = document.getElementById("safety-link");
    if (s && s.url) a.setAttribute("href", s.url); else a.removeAttribute("href");
    const given = s && s.months.some((m) => m.criminal !== null || m.public_order !== null);
    el.dataset.months = s ? s.months.length : 0;
    if (!given || !window.echarts) {
      if (safetyChart) { safetyChart.dispose(); charts.splice(charts.indexOf(safetyChart), 1); safetyChart = null; }
      fill(el, h("div", { class: "none", "data-testid": "safety-none" }, labels.safety_none));
      return;
    }
    if (!safetyChart) {
      fill(el);
      safetyChart = echarts.init(el, null, { devicePixelRatio: (window.devicePixelRatio || 1) * Math.max(scale, 1) });
      charts.push(safetyChart);
    }
    const axis = { color: "#8aa4cf", fontSize: 11 };
    const line = (key, colour) => ({
      name: labels[key], type: "line", symbolSize: 5, connectNulls: false,
      data: s.months.map((m) => m[key]), itemStyle: { color: colour }, lineStyle: { width: 2 },
    });
    safetyChart.setOption(
      {
        animation: false,
        grid: { left: 4, right: 12, top: 26, bottom: 2, containLabel: true },
        legend: { top: 0, textStyle: { color: "#dbe7ff", fontSize: 11 }, itemWidth: 12, itemHeight: 8 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: s.months.map((m) => m.month.slice(2)), axisLabel: axis },
        yAxis: { type: "value", minInterval: 1, axisLabel: axis, splitLine: { lineStyle: { color: "#1e3a66" } } },
        series: [line("criminal", "#f87171"), line("public_order", "#fbbf24"), line("platform_reported", "#38bdf8")],
      },
      true
    );
  }

  function renderHead() {
    const crumbs = [];
    if (data.region || data.grid) crumbs.push(h("a", { href: config.screen }, labels.all));
    data.crumbs.forEach((c, i) => {
      const last = i === data.crumbs.length - 1 && !data.grid;
      crumbs.push(last ? h("span", {}, c.name) : h("a", { href: drillUrl("region", c.code) }, c.name));
    });
    if (data.grid) crumbs.push(h("span", {}, data.grid.name));
    fill(document.getElementById("screen-crumbs"), crumbs);
    const place = data.grid ? data.grid.name : data.region ? data.region.name : labels.all;
    document.getElementById("screen-place").textContent = place;
    const month = document.getElementById("month-change");
    month.textContent = "";
  }

  // -- the ticker ----------------------------------------------------------------------------

  const tickerItems = new Map(); // message id → message

  function describe(m) {
    const d = m.data || {};
    if (m.topic === "cases") {
      const kind = m.kind === "case.new" ? texts.kinds["case.new"] : texts.states[d.state] || texts.kinds["case.step"];
      return [kind, [d.number, d.title, d.region].filter(Boolean).join(" · ")];
    }
    const kind = texts.kinds[m.kind] || m.kind;
    const what = [d.name || d.camera_name || d.code, d.type || d.rule, d.value !== undefined && d.value !== null ? d.value + " " + (d.unit || "") : null, d.case_number];
    return [kind, what.filter(Boolean).join(" · ")];
  }

  function renderTicker(freshId) {
    const items = [...tickerItems.values()].sort((a, b) => b.id - a.id).slice(0, TICKER);
    tickerItems.clear();
    items.forEach((m) => tickerItems.set(m.id, m));
    const list = document.getElementById("ticker");
    if (!items.length) {
      fill(list, h("li", { class: "muted" }, texts.none));
      return;
    }
    fill(
      list,
      items.map((m) => {
        const [kind, what] = describe(m);
        return h("li", { class: m.id === freshId ? "fresh" : "", "data-testid": "ticker-item", "data-kind": m.kind, "data-number": (m.data || {}).number || null },
          h("time", {}, clock(m.at)), h("span", { class: "kind" }, kind), h("span", { class: "what" }, what));
      })
    );
  }

  // -- the map -------------------------------------------------------------------------------

  const CHILD = { province: "city", city: "county", county: "township", township: "grid", community: "grid" };
  const STYLE = {
    city: { color: "#60a5fa", weight: 2.5, fillOpacity: 0 },
    county: { color: "#38bdf8", weight: 1.8, fillColor: "#0c4a6e", fillOpacity: 0.12 },
    township: { color: "#22d3ee", weight: 1.2, dashArray: "4 3", fillColor: "#155e75", fillOpacity: 0.08 },
    grid: { color: "#1d4ed8", weight: 0.6, fillColor: "#1e3a8a", fillOpacity: 0.06 },
  };
  let outlines = null;
  let pointLayer = null;
  const renderer = window.L ? L.canvas({ padding: 0.5 }) : null;

  function clickLevel(levels) {
    if (data.grid) return null;
    if (data.region) return CHILD[data.region.level] || null;
    // The places the ranking lists (a county leader's townships), else the coarsest outline.
    const row = data.regions.find((r) => r.level);
    return (row && row.level) || levels[0] || null;
  }

  function drawOutlines(layers) {
    if (outlines) map.removeLayer(outlines);
    outlines = L.layerGroup().addTo(map);
    const target = clickLevel(layers.map((l) => l.level));
    const current = data.grid ? data.grid.code : data.region ? data.region.code : null;
    const el = document.getElementById("screen-map");
    el.dataset.clickLevel = target || "";
    layers.forEach((layer) => {
      const clickable = layer.level === target;
      L.geoJSON(layer, {
        interactive: clickable,
        style: (f) => Object.assign({}, STYLE[layer.level] || STYLE.grid, f.properties.code === current ? { color: "#fbbf24", weight: 3 } : {}),
        onEachFeature: (f, shape) => {
          if (!clickable) return;
          shape.bindTooltip(() => h("span", {}, f.properties.name), { sticky: true });
          shape.on("mouseover", () => shape.setStyle({ fillOpacity: 0.3 }));
          shape.on("mouseout", () => shape.setStyle({ fillOpacity: (STYLE[layer.level] || STYLE.grid).fillOpacity }));
          shape.on("click", () => {
            window.location.href = drillUrl(layer.level === "grid" ? "grid" : "region", f.properties.code);
          });
        },
      }).addTo(outlines);
    });
    el.dataset.outlines = layers.map((l) => l.level + ":" + l.features.length).join(",");
  }

  function caseTip(p) {
    const node = h("div", {}, h("b", {}, p.number), " ", p.title);
    node.appendChild(h("div", { class: "muted" }, [texts.states[p.state] || p.state, p.is_overdue ? texts.overdue : null, p.is_urgent ? texts.urgent : null].filter(Boolean).join(" · ")));
    return node;
  }

  function casePoint(p) {
    const colour = p.is_overdue ? "#ef4444" : p.is_urgent ? "#fb923c" : "#22d3ee";
    return L.circleMarker([p.lat, p.lng], { renderer, radius: 5, color: colour, weight: 1, fillColor: colour, fillOpacity: 0.85 })
      .bindTooltip(() => caseTip(p));
  }

  function drawPoints() {
    if (!map) return;
    if (pointLayer) map.removeLayer(pointLayer);
    pointLayer = L.layerGroup().addTo(map);
    const sensing = data.sensing ? data.sensing.points : [];
    sensing.forEach((d) => {
      L.circleMarker([d.lat, d.lng], {
        renderer, radius: d.alarm ? 7 : 5, color: d.alarm ? "#ef4444" : "#ffffff", weight: d.alarm ? 3 : 1,
        fillColor: d.colour, fillOpacity: 0.9,
      }).bindTooltip(() => h("span", {}, d.name)).addTo(pointLayer);
    });
    data.map.cases.forEach((p) => casePoint(p).addTo(pointLayer));
    const el = document.getElementById("screen-map");
    el.dataset.cases = data.map.cases.length;
    el.dataset.devices = sensing.length;
    document.getElementById("map-note").textContent = data.map.truncated
      ? texts.truncated.replace("%(n)s", data.map.cases.length)
      : "";
  }

  let fittedTo = null;
  function fitMap() {
    const b = data.map.bounds;
    const key = b ? b.join(",") : "";
    if (!b || fittedTo === key) return;
    fittedTo = key;
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [12, 12], maxZoom: 17 });
  }

  function startMap() {
    if (!window.L) return;
    map = L.map("screen-map", { preferCanvas: true, zoomSnap: 0.25, attributionControl: false, zoomControl: false });
    if (window.gongzhiBaseMap) window.gongzhiBaseMap(map);
    map.setView([36.5, 102.4], 8);
    fitMap();
    drawPoints();
    fetch(config.layers, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((body) => drawOutlines(body.layers || []))
      .catch(() => null)
      .finally(() => { document.getElementById("screen-map").dataset.ready = "1"; });
  }

  // -- drawing and refreshing ----------------------------------------------------------------

  function render() {
    renderHead();
    if (shownDay !== data.today.start) {
      shown.today = 0; // a new day (or month): the server's counts start again
      shown.month = 0;
      shownDay = data.today.start;
    }
    renderPeriod("today", data.today);
    renderPeriod("month", data.month);
    renderUnits();
    renderRegions();
    renderHotspots();
    renderCategories();
    renderDomains();
    renderSurvey();
    renderSafety();
    (data.ticker || []).forEach((m) => tickerItems.set(m.id, m));
    renderTicker(null);
    if (map) { fitMap(); drawPoints(); }
    box.dataset.generated = data.generated_at;
  }

  let timer = null;
  let busy = false;
  function refresh() {
    clearTimeout(timer);
    timer = null;
    if (busy) { schedule(); return; }
    busy = true;
    lastRefresh = Date.now();
    const params = new URLSearchParams();
    if (config.region) params.set("region", config.region);
    if (config.grid) params.set("grid", config.grid);
    fetch(config.api + (params.toString() ? "?" + params : ""), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((body) => { data = body; render(); document.getElementById("map-note").classList.remove("bad"); })
      .catch(() => { document.getElementById("map-note").textContent = texts.failed; })
      .finally(() => { busy = false; });
  }
  // A busy city sends a message a second: each screen re-reads at most every few seconds
  // (the ticker and today's count show a new report at once anyway).
  let lastRefresh = 0;
  function schedule() {
    if (timer) return;
    const wait = Math.max(DEBOUNCE_MS, lastRefresh + MIN_GAP_MS - Date.now());
    timer = setTimeout(refresh, wait);
  }

  function inPlace(d) {
    if (data.grid) return d.grid === data.grid.id;
    return !data.region || String(d.region_path || "").startsWith(data.region.path);
  }

  document.addEventListener("gongzhi:push", (e) => {
    const m = e.detail;
    if (m.topic === "cases") {
      const d = m.data || {};
      if (!inPlace(d)) return; // another place of the viewer's area: not on this screen
      tickerItems.set(m.id, m);
      renderTicker(m.id);
      if (m.kind === "case.new") {
        bump("today");
        bump("month");
        if (map && d.lat !== null && d.lng !== null && pointLayer) {
          casePoint({ number: d.number, title: d.title, state: d.state, lat: d.lat, lng: d.lng, is_urgent: d.urgent, is_overdue: false }).addTo(pointLayer);
        }
      }
    }
    // Sensing messages carry no place: the refresh reads this place's own.
    schedule();
  });

  setInterval(refresh, POLL_MS);
  setInterval(() => {
    document.getElementById("screen-clock").textContent = new Date().toLocaleString("zh-CN", { hour12: false });
  }, 1000);

  startMap();
  render();
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
