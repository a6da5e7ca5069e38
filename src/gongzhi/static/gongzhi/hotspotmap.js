// The hotspots page's map: a circle a hotspot at the mean of its cases' points, its area
// growing with the heat index; a click opens the hotspot's cases (a link to each case and
// to its card below). The viewer's counties and townships are drawn underneath, so the
// map reads without a tile server.
(function () {
  "use strict";
  if (!window.L) return;
  const el = document.querySelector("[data-hotspot-map]");
  if (!el) return;
  const data = JSON.parse(document.getElementById(el.dataset.config).textContent);
  const map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, attributionControl: false });
  if (window.gongzhiBaseMap) window.gongzhiBaseMap(map);

  const text = (tag, value, cls) => {
    const node = document.createElement(tag);
    node.textContent = value;
    if (cls) node.className = cls;
    return node;
  };
  const fill = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (_m, name) => String(values[name] ?? ""));

  function popup(spot) {
    const box = document.createElement("div");
    box.dataset.testid = "hotspot-popup";
    box.appendChild(text("b", spot.n + ". " + spot.label));
    box.appendChild(text("div", fill(data.texts.heat, spot), "muted"));
    const list = document.createElement("ul");
    for (const c of spot.cases) {
      const li = document.createElement("li");
      const a = text("a", c.number);
      a.href = c.url;
      li.append(a, " ", c.title);
      list.appendChild(li);
    }
    box.appendChild(list);
    const more = text("a", data.texts.more);
    more.href = "#hotspot-" + spot.n;
    box.appendChild(more);
    return box;
  }

  const hottest = Math.max(1, ...data.spots.map((s) => s.heat));
  const circles = data.spots.map((spot) => {
    const circle = L.circleMarker(L.latLng(spot.point[1], spot.point[0]), {
      // The circle's area, not its radius, is proportional to the heat.
      radius: 8 + 22 * Math.sqrt(Math.max(0, spot.heat) / hottest),
      color: "#b91c1c",
      weight: 1.5,
      fillColor: "#ef4444",
      fillOpacity: 0.45,
    });
    circle.bindTooltip(() => text("span", spot.n + ". " + spot.label));
    circle.bindPopup(() => popup(spot), { maxWidth: 360 });
    return circle;
  });
  const group = L.featureGroup(circles).addTo(map);
  el.dataset.spots = String(circles.length);
  if (circles.length) {
    map.fitBounds(group.getBounds().pad(0.3), { maxZoom: 15 });
  } else {
    map.setView([36.5, 102.4], 8);
  }
  if (el.dataset.layersUrl) {
    fetch(el.dataset.layersUrl, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : { layers: [] }))
      .then((layers) => {
        let bounds = null;
        for (const layer of layers.layers || []) {
          if (layer.level === "grid" || layer.level === "community") continue;
          const gj = L.geoJSON(layer.features, {
            style: { color: layer.level === "county" ? "#1d4ed8" : "#0f766e", weight: 0.8, fill: false },
            interactive: false,
          }).addTo(map);
          if (gj.getBounds().isValid()) bounds = bounds ? bounds.extend(gj.getBounds()) : gj.getBounds();
        }
        group.bringToFront();
        if (!circles.length && bounds) map.fitBounds(bounds);
      })
      .catch(() => {});
  }
})();
