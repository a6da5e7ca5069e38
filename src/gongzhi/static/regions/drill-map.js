// The 区划与网格 drill-down's map: one region of the viewer's area and its children's
// outlines, from our own GeoJSON (regions:layers?within=CODE), with no tile server needed.
// Clicking a child region opens its page; clicking a grid scrolls to its row.
(function () {
  "use strict";
  const el = document.getElementById("drill-map");
  if (!el || !window.L) return;
  // Leaflet renders a string tooltip as HTML: names typed in the admin go in as text.
  const plainTip = (value) =>
    Object.assign(document.createElement("span"), { textContent: String(value ?? "") });
  const map = L.map(el, { zoomSnap: 0.25, preferCanvas: true });
  if (window.gongzhiBaseMap) window.gongzhiBaseMap(map);
  const current = { color: "#1e3a8a", weight: 2.5, fill: false };
  const child = { color: "#0f766e", weight: 1.2, fillColor: "#93c5fd", fillOpacity: 0.2 };
  const open = (props) => {
    if (props.level === "grid") {
      const row = document.getElementById(`grid-${props.code}`);
      if (row) row.scrollIntoView({ behavior: "smooth", block: "center" });
    } else {
      window.location.href = el.dataset.drillUrl.replace("CODE", encodeURIComponent(props.code));
    }
  };
  fetch(el.dataset.layersUrl, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      let bounds = null;
      (data.layers || []).forEach((layer, i) => {
        const gj = L.geoJSON(layer.features, {
          style: () => (i === 0 ? current : child),
          interactive: i > 0,
          onEachFeature: (f, l) => {
            if (i === 0) return;
            l.bindTooltip(() => plainTip(f.properties.name), { sticky: true });
            l.on("click", () => open(f.properties));
          },
        }).addTo(map);
        if (gj.getBounds().isValid()) {
          bounds = bounds ? bounds.extend(gj.getBounds()) : gj.getBounds();
        }
        el.dataset[i === 0 ? "current" : "children"] = String(layer.features.length);
      });
      map.fitBounds(bounds || L.latLngBounds([[35.4, 100.9], [37.6, 103.1]]));
      el.dataset.ready = "1";
    });
})();
