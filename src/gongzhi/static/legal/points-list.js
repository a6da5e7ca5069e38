(function () {
  "use strict";
  const link = document.getElementById("use-position");
  if (link && navigator.geolocation) {
    link.addEventListener("click", function (ev) {
      ev.preventDefault();
      navigator.geolocation.getCurrentPosition(function (pos) {
        const form = document.getElementById("point-filters");
        form.lng.value = pos.coords.longitude.toFixed(5);
        form.lat.value = pos.coords.latitude.toFixed(5);
        form.submit();
      });
    });
  }
  const el = document.getElementById("points-map");
  if (!window.L || !el) return;
  const points = JSON.parse(document.getElementById("points-data").textContent);
  const first = new Set(JSON.parse(document.getElementById("points-first").textContent));
  const map = L.map(el, { attributionControl: false });
  if (window.gongzhiBaseMap) window.gongzhiBaseMap(map);
  const colour = { centre: "#b91c1c", station: "#d97706", room: "#2563eb" };
  const marks = [];
  function line(tag, value) { const n = document.createElement(tag); n.textContent = value; return n; }
  for (const p of points) {
    if (p.lat == null || p.lng == null) continue;
    const m = L.circleMarker([p.lat, p.lng], {
      radius: first.has(p.id) ? 9 : (p.level === "centre" ? 8 : p.level === "station" ? 6 : 4),
      color: first.has(p.id) ? "#111827" : "#ffffff", weight: first.has(p.id) ? 2.5 : 1,
      fillColor: colour[p.level] || "#6b7280", fillOpacity: 0.9,
    }).addTo(map);
    m.bindPopup(() => {
      const box = document.createElement("div");
      box.appendChild(line("strong", p.name));
      box.appendChild(line("div", p.level_label));
      for (const v of [p.address, p.hours, p.phone, p.adviser]) if (v) box.appendChild(line("div", v));
      return box;
    });
    marks.push([p.lat, p.lng]);
  }
  const focus = points.filter((p) => first.has(p.id) && p.lat != null).map((p) => [p.lat, p.lng]);
  const target = focus.length ? focus : marks;
  if (target.length) map.fitBounds(L.latLngBounds(target).pad(0.3), { maxZoom: 14 });
  else map.fitBounds(L.latLngBounds([[35.4, 100.9], [37.6, 103.1]]));
  el.dataset.markers = String(marks.length);
})();
