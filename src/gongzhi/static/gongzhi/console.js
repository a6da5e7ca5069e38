// The case consoles: live deadline countdowns, the case page's action forms under htmx,
// and the rates chart. Everything works without this file; it only makes it nicer.
(function () {
  "use strict";

  // -- countdowns: "3 h 20 min left" / "overdue by 2 h", in the server's own words ---------
  function words() {
    const t = document.getElementById("countdown-i18n");
    return t ? t.dataset : null;
  }
  function fill(fmt, values) {
    return fmt.replace(/%\((\w+)\)[ds]/g, (m, k) => (k in values ? values[k] : m));
  }
  function human(ms, w) {
    const minutes = Math.floor(Math.abs(ms) / 60000);
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const mins = minutes % 60;
    if (days) return fill(w.days, { days, hours });
    if (hours) return fill(w.hours, { hours, minutes: mins });
    if (!mins && w.under) return w.under;
    return fill(w.minutes, { minutes: mins });
  }
  function tick() {
    const w = words();
    if (!w) return;
    const now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach((el) => {
      const due = Date.parse(el.dataset.due);
      if (Number.isNaN(due)) return;
      const left = due - now;
      el.textContent = fill(left < 0 ? w.overdue : w.left, { time: human(left, w) });
      const box = el.closest(".due, .deadline") || el;
      const late = left < 0 || box.dataset.late === "1"; // marked overdue stays overdue
      const soonFrom = Date.parse(el.dataset.soonFrom || "");
      box.classList.toggle("late", late);
      box.classList.toggle("soon", !late && !Number.isNaN(soonFrom) && now >= soonFrom);
      el.classList.toggle("late", late);
    });
  }

  // -- an export link takes the filters as they are now (htmx changes them in place) -------
  document.addEventListener("click", (evt) => {
    const link = evt.target.closest && evt.target.closest("a[data-export-form]");
    const form = link && document.getElementById(link.dataset.exportForm);
    if (!form) return;
    const query = new URLSearchParams(new FormData(form)).toString();
    link.href = link.href.split("?")[0] + (query ? "?" + query : "");
  });

  // -- the case page: show an action's error in place instead of ignoring a 4xx -----------
  document.addEventListener("htmx:beforeSwap", (evt) => {
    const status = evt.detail.xhr.status;
    // detail.elt is the swap target here; the form that asked is requestConfig.elt.
    const elt = (evt.detail.requestConfig && evt.detail.requestConfig.elt) || evt.detail.elt;
    if ([400, 403, 404, 409].includes(status) && elt && elt.closest && elt.closest("[data-case-actions]")) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });

  // -- the rates chart ---------------------------------------------------------------------
  function charts(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-chart]").forEach((el) => {
      if (el.dataset.ready) return;
      const src = document.getElementById(el.dataset.chart);
      if (!src) return;
      const data = JSON.parse(src.textContent);
      const chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption({
        color: ["#2563eb", "#059669", "#d97706"],
        tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : v + "%") },
        legend: { top: 0 },
        grid: { left: 48, right: 16, top: 36, bottom: data.labels.length > 8 ? 96 : 48 },
        xAxis: {
          type: "category",
          data: data.labels,
          axisLabel: { interval: 0, rotate: data.labels.length > 8 ? 40 : 0, width: 120, overflow: "truncate" },
        },
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        series: data.series.map((s) => ({ name: s.name, type: "bar", data: s.data, barMaxWidth: 28 })),
      });
      window.addEventListener("resize", () => chart.resize());
      el.dataset.ready = "1";
    });
  }

  function init(root) {
    tick();
    charts(root || document);
  }
  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:load", (evt) => init(evt.target));
  setInterval(tick, 30000);
})();
