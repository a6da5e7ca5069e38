// Tap the map to fill in the longitude and latitude; the grids are drawn to aim by.
(function () {
  "use strict";
  const el = document.getElementById("sensing-picker");
  if (!window.L || !el) return;
  const lng = document.getElementById("id_lng");
  const lat = document.getElementById("id_lat");
  const map = L.map(el, { attributionControl: false });
  if (window.gongzhiBaseMap) window.gongzhiBaseMap(map);
  let marker = null;
  function place(latlng) {
    if (marker) marker.setLatLng(latlng); else marker = L.circleMarker(latlng, { radius: 7, color: "#1d4ed8" }).addTo(map);
  }
  const start = parseFloat(lat.value) && parseFloat(lng.value) ? L.latLng(parseFloat(lat.value), parseFloat(lng.value)) : null;
  map.setView(start || [36.48, 102.41], start ? 16 : 11);
  if (start) place(start);
  fetch(el.dataset.layersUrl, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      for (const layer of data.layers) {
        const gj = L.geoJSON(layer.features, { style: { color: layer.level === "grid" ? "#94a3b8" : "#1d4ed8", weight: 1, fill: false }, interactive: false }).addTo(map);
        if (!start && layer.level === "grid" && gj.getBounds().isValid()) map.fitBounds(gj.getBounds());
      }
    })
    .catch(() => null);
  map.on("click", (e) => {
    lng.value = e.latlng.lng.toFixed(6);
    lat.value = e.latlng.lat.toFixed(6);
    place(e.latlng);
  });
})();
