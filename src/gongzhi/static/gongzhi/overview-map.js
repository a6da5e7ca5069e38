// The overview map: the viewer's counties and grids drawn from our own GeoJSON, with no
// tile server (government intranets are often offline). Clicking a point asks the server
// which grid it falls in.
(function () {
  const el = document.getElementById("map");
  if (!el || !window.L) return;
  // Leaflet renders a string tooltip as HTML: names typed in the admin go in as text.
  const plainTip = (value) =>
    Object.assign(document.createElement("span"), { textContent: String(value ?? "") });
  const map = L.map(el, { zoomSnap: 0.25, preferCanvas: true });
  if (window.gongzhiBaseMap) window.gongzhiBaseMap(map);
  const styles = {
    city: { color: "#1e3a8a", weight: 2.5, fill: false },
    county: { color: "#1d4ed8", weight: 1.6, fillColor: "#bfdbfe", fillOpacity: 0.25 },
    township: { color: "#0f766e", weight: 0.8, fill: false },
    grid: { color: "#64748b", weight: 0.3, fillColor: "#93c5fd", fillOpacity: 0.08 },
  };
  fetch(el.dataset.layersUrl, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      let bounds = null;
      for (const layer of data.layers) {
        const gj = L.geoJSON(layer.features, {
          style: () => styles[layer.level] || styles.grid,
          onEachFeature: (f, l) => l.bindTooltip(() => plainTip(f.properties.name), { sticky: true }),
        }).addTo(map);
        // Grids come last and lie inside the regions above them: they set the view only for
        // someone who sees no region, such as a grid worker with a few grids.
        if ((layer.level !== "grid" || !bounds) && gj.getBounds().isValid()) {
          bounds = bounds ? bounds.extend(gj.getBounds()) : gj.getBounds();
        }
      }
      map.fitBounds(bounds || L.latLngBounds([[35.4, 100.9], [37.6, 103.1]]));
      el.dataset.ready = "1";
    });
  map.on("click", (e) => {
    const url = `${el.dataset.locateUrl}?lng=${e.latlng.lng.toFixed(6)}&lat=${e.latlng.lat.toFixed(6)}`;
    fetch(url, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((hit) => {
        const text = hit.grid
          ? `${hit.grid.name}<br>${(hit.regions || []).map((r) => r.name).join(" · ")}`
          : (hit.message || "—");
        L.popup().setLatLng(e.latlng).setContent(text).openOn(map);
      });
  });
})();
