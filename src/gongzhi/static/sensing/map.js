// The sensing map: grids with no camera shaded, camera views as wedges, sensors as points;
// each layer read for the map's view (bbox), again whenever the view moves.
(function () {
  "use strict";
  const opened = window.gongzhiLayeredMap && window.gongzhiLayeredMap("sensing");
  if (!opened) return;
  const { el, config, texts, form, counter, map, renderer } = opened;
  const text = window.gongzhiText;
  const layers = {};
  const counts = {};
  function popup(p) {
    const box = text("div", "");
    box.appendChild(text("strong", p.name));
    box.appendChild(text("div", p.code + " · " + p.status_label, "muted"));
    if (p.value !== undefined && p.value !== null) box.appendChild(text("div", p.value + " " + (p.unit || "")));
    const link = text("a", texts.open);
    link.href = p.url;
    box.appendChild(link);
    return box;
  }
  function enabled(name) {
    const box = form.querySelector(`input[name="${name}"]`);
    return !!box && box.checked;
  }
  function showCount() {
    const parts = [];
    if (counts.cameras) parts.push(texts.cameras.replace("%(n)s", counts.cameras.count) + (counts.cameras.truncated ? " " + texts.truncated : ""));
    if (counts.devices) parts.push(texts.devices.replace("%(n)s", counts.devices.count) + (counts.devices.truncated ? " " + texts.truncated : ""));
    if (counts.grids) parts.push(texts.uncovered.replace("%(n)s", counts.grids.uncovered));
    counter.textContent = parts.join(" · ");
    counter.dataset.layers = Object.keys(counts).sort().join(",");
  }
  const BUILD = {
    grids: (data) => L.geoJSON(data, {
      filter: (f) => f.properties.cameras === 0,
      style: { color: "#b45309", weight: 0.6, fillColor: "#f59e0b", fillOpacity: 0.25 },
      onEachFeature: (f, layer) => layer.bindTooltip(() => text("span", f.properties.name)),
      renderer,
    }),
    cameras: (data) => L.geoJSON(data, {
      style: (f) => ({ color: f.properties.colour, weight: 1, fillColor: f.properties.colour, fillOpacity: 0.3 }),
      onEachFeature: (f, layer) => layer.bindPopup(() => popup(f.properties)),
      renderer,
    }),
    devices: (data) => L.geoJSON(data, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, {
        renderer, radius: f.properties.alarm ? 7 : 5,
        color: f.properties.alarm ? config.alarm : "#ffffff", weight: f.properties.alarm ? 3 : 1,
        fillColor: f.properties.colour, fillOpacity: 0.9,
      }),
      onEachFeature: (f, layer) => layer.bindPopup(() => popup(f.properties)),
    }),
  };
  function load(name) {
    if (layers[name]) { map.removeLayer(layers[name]); layers[name] = null; }
    delete counts[name];
    if (!enabled(name)) return Promise.resolve();
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(",");
    return fetch(el.dataset[name + "Url"] + "?bbox=" + bbox, { credentials: "same-origin" })
      .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then((data) => {
        if (layers[name]) map.removeLayer(layers[name]);
        layers[name] = BUILD[name](data).addTo(map);
        if (name === "grids") data.uncovered = data.features.filter((f) => f.properties.cameras === 0).length;
        counts[name] = data;
      });
  }
  let fitted = false;
  function loadAll() {
    el.classList.add("loading");
    return load("grids")
      .then(() => Promise.all([load("cameras"), load("devices")]))
      .then(() => {
        if (layers.devices) layers.devices.bringToFront();
        showCount();
        if (!fitted && layers.cameras && layers.cameras.getBounds().isValid()) {
          fitted = true;
          map.fitBounds(layers.cameras.getBounds(), { maxZoom: 16 });
        }
      })
      .catch(() => { counter.textContent = texts.failed; })
      .finally(() => { el.classList.remove("loading"); el.dataset.ready = "1"; });
  }
  // The first load reads everything in the viewer's scope, so the map can fit it.
  fetch(el.dataset.camerasUrl, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      const bounds = L.geoJSON(data).getBounds();
      if (bounds.isValid()) { fitted = true; map.fitBounds(bounds, { maxZoom: 16 }); }
    })
    .catch(() => null)
    .finally(() => { loadAll(); map.on("moveend", loadAll); });
  form.addEventListener("change", loadAll);
})();
