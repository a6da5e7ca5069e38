// The patrols maps: a route's checkpoints in order (tapping the map places a new one for the
// route's keeper), and the leader's board with today's scans, redrawn after each htmx swap (board.js).
(function () {
  "use strict";
  if (!window.L) return;
  // Leaflet renders a string tooltip as HTML: checkpoint and route names go in as text.
  const plainTip = (value) =>
    Object.assign(document.createElement("span"), { textContent: String(value ?? "") });
  function data(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  const routeEl = document.getElementById("route-map");
  if (routeEl) {
    const points = data("route-points") || [];
    const map = L.map(routeEl).setView(points.length ? [points[0].lat, points[0].lng] : [36.5, 102.1], 16);
    window.gongzhiBaseMap && gongzhiBaseMap(map);
    const line = points.map(function (p) { return [p.lat, p.lng]; });
    points.forEach(function (p) {
      L.marker([p.lat, p.lng]).addTo(map).bindTooltip(() => plainTip(p.order + ". " + p.name), { permanent: true });
    });
    if (line.length > 1) { L.polyline(line, { color: "#2563eb" }).addTo(map); map.fitBounds(line, { padding: [20, 20] }); }
    const lng = document.getElementById("id_lng"), lat = document.getElementById("id_lat");
    if (lng && lat) {
      let pin = null;
      map.on("click", function (e) {
        lng.value = e.latlng.lng.toFixed(6);
        lat.value = e.latlng.lat.toFixed(6);
        if (pin) pin.setLatLng(e.latlng); else pin = L.circleMarker(e.latlng, { color: "#dc2626" }).addTo(map);
      });
    }
  }

  const boardEl = document.getElementById("board-map");
  if (boardEl) {
    const map = L.map(boardEl).setView([36.5, 102.1], 12);
    window.gongzhiBaseMap && gongzhiBaseMap(map);
    const layer = L.layerGroup().addTo(map);
    function draw() {
      layer.clearLayers();
      const all = [];
      (data("board-points") || []).forEach(function (p) {
        p.scans.forEach(function (s) {
          all.push([s.lat, s.lng]);
          L.circleMarker([s.lat, s.lng], { radius: 6, color: s.flag ? "#dc2626" : "#059669" })
            .bindTooltip(() => plainTip(p.route + " · " + s.name)).addTo(layer);
        });
      });
      if (all.length) map.fitBounds(all, { padding: [20, 20], maxZoom: 17 });
    }
    draw();
    document.body.addEventListener("htmx:afterSwap", draw);
  }
})();
