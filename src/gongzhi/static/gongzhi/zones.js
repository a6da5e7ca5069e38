// 画规则: click the camera's picture to add a zone's corners. The polygon is kept as
// [[x, y], ...] in 0..1 of the picture (the watcher's unit) and written as JSON into the
// form's hidden "zone" input; the camera's other rules are drawn in their colours.
(function () {
  "use strict";
  const svg = document.getElementById("zone-svg");
  const input = document.getElementById("id_zone");
  const configEl = document.getElementById("zones-config");
  if (!svg || !input || !configEl) return;
  const config = JSON.parse(configEl.textContent);
  const NS = "http://www.w3.org/2000/svg";
  const MAX_POINTS = 20;
  const count = document.getElementById("zone-count");
  let points = [];
  try {
    const start = JSON.parse(input.value || "[]");
    if (Array.isArray(start)) points = start.filter((p) => Array.isArray(p) && p.length === 2).map((p) => [Number(p[0]), Number(p[1])]);
  } catch (e) {
    points = [];
  }

  function el(name, attrs) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  function shape(zone, colour, extra) {
    const list = zone.map((p) => p.join(",")).join(" ");
    const attrs = Object.assign({ points: list, fill: colour, "fill-opacity": "0.25", stroke: colour, "stroke-width": "0.004", "vector-effect": "non-scaling-stroke" }, extra || {});
    return el(zone.length > 2 ? "polygon" : "polyline", attrs);
  }

  function draw() {
    svg.replaceChildren();
    for (const rule of config.rules) {
      if (rule.pk === config.editing || !rule.zone || rule.zone.length < 3) continue;
      const poly = shape(rule.zone, rule.colour, { "data-rule": rule.code, "pointer-events": "none" });
      poly.style.strokeWidth = "2px";
      svg.appendChild(poly);
    }
    if (points.length) {
      const current = shape(points, "#facc15", { "data-testid": "zone-drawing", "pointer-events": "none" });
      current.style.strokeWidth = "3px";
      current.setAttribute("fill-opacity", "0.35");
      svg.appendChild(current);
    }
    // The corners as small marks (the viewBox is stretched, so ellipses keep them round-ish).
    const box = svg.getBoundingClientRect();
    const ry = 0.012;
    const rx = box.width ? (ry * box.height) / box.width : ry;
    for (const [x, y] of points) {
      svg.appendChild(el("ellipse", { cx: x, cy: y, rx: rx, ry: ry, fill: "#facc15", stroke: "#111827", "stroke-width": "1", "vector-effect": "non-scaling-stroke", "pointer-events": "none", "data-testid": "zone-point" }));
    }
    input.value = JSON.stringify(points);
    if (count) count.textContent = points.length ? points.length + " / " + MAX_POINTS : "";
  }

  svg.addEventListener("click", (e) => {
    if (points.length >= MAX_POINTS) return;
    const box = svg.getBoundingClientRect();
    const clamp = (v) => Math.min(1, Math.max(0, v));
    const x = clamp((e.clientX - box.left) / box.width);
    const y = clamp((e.clientY - box.top) / box.height);
    points.push([Math.round(x * 10000) / 10000, Math.round(y * 10000) / 10000]);
    draw();
  });
  document.getElementById("zone-undo").addEventListener("click", () => {
    points.pop();
    draw();
  });
  document.getElementById("zone-clear").addEventListener("click", () => {
    points = [];
    draw();
  });
  window.addEventListener("resize", draw);
  draw();
})();
