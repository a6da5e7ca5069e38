// The people map: the viewer's regions and grids as the background, houses coloured by
// use, and the people due a visit ringed at their house. Each layer is read for the map's
// view (bbox) and up to a limit, again whenever the view moves.
(function () {
  "use strict";
  const opened = window.gongzhiLayeredMap && window.gongzhiLayeredMap("people");
  if (!opened) return;
  const { el, config, texts, form, counter, map, renderer } = opened;
  const text = window.gongzhiText;
  const layers = { houses: null, visits: null };
  const counts = {};
  function fill(fmt, n) {
    return fmt.replace("%(n)s", n);
  }
  function showCount() {
    if (!counter) return;
    const parts = [];
    for (const name of ["houses", "visits"]) {
      const c = counts[name];
      if (c) parts.push(fill(texts[name], c.count) + (c.truncated ? " " + texts.truncated : ""));
    }
    counter.textContent = parts.join(" · ");
    counter.dataset.layers = Object.keys(counts).sort().join(",");
  }
  function enabled(name) {
    const box = form && form.querySelector(`input[name="${name}"]`);
    return !!box && box.checked;
  }
  const STYLE = {
    houses: (p) => ({ radius: 4.5, color: "#ffffff", weight: 1, fillColor: config.colours[p.use] || "#6b7280", fillOpacity: 0.85 }),
    visits: (p) => ({ radius: 7, color: p.late ? config.late : config.due, weight: 2.5, fillColor: "#ffffff", fillOpacity: 0.6 }),
  };
  const POPUP = {
    houses: (p) => {
      const box = text("div", "");
      box.appendChild(text("strong", p.address));
      box.appendChild(text("div", p.use_label, "muted"));
      return box;
    },
    visits: (p) => {
      const box = text("div", "");
      box.appendChild(text("strong", p.label));
      box.appendChild(text("div", p.group, "muted"));
      const line = text("div", texts.due_on + " " + p.due_on);
      if (p.late) line.appendChild(text("span", " · " + texts.late, "late"));
      box.appendChild(line);
      return box;
    },
  };
  let fitted = false;
  function load(name) {
    const url = el.dataset[name + "Url"];
    if (layers[name]) { map.removeLayer(layers[name]); layers[name] = null; }
    delete counts[name];
    if (!url || !enabled(name)) { showCount(); return Promise.resolve(); }
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(",");
    return fetch(url + "?bbox=" + bbox, { credentials: "same-origin" })
      .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then((data) => {
        if (layers[name]) map.removeLayer(layers[name]);
        layers[name] = L.geoJSON(data, {
          pointToLayer: (f, latlng) => L.circleMarker(latlng, { renderer, ...STYLE[name](f.properties) }),
          onEachFeature: (f, layer) => layer.bindPopup(() => POPUP[name](f.properties)),
        }).addTo(map);
        if (layers.visits) layers.visits.bringToFront();
        counts[name] = data;
        showCount();
      })
      .catch(() => { if (counter) counter.textContent = texts.failed; });
  }
  function loadAll() {
    el.classList.add("loading");
    return Promise.all([load("houses"), load("visits")]).finally(() => {
      el.classList.remove("loading");
      el.dataset.ready = "1";
    });
  }
  fetch(el.dataset.layersUrl, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      let background = null;
      for (const layer of data.layers) {
        const gj = L.geoJSON(layer.features, {
          style: { color: layer.level === "grid" ? "#94a3b8" : "#1d4ed8", weight: layer.level === "grid" ? 0.5 : 1.2, fill: false },
          interactive: false,
          renderer,
        }).addTo(map);
        if ((layer.level !== "grid" || !background) && gj.getBounds().isValid()) {
          background = background ? background.extend(gj.getBounds()) : gj.getBounds();
        }
      }
      if (background && !fitted) { fitted = true; map.fitBounds(background); }
    })
    .catch(() => null)
    .finally(() => {
      loadAll();
      map.on("moveend", loadAll);
    });
  if (form) form.addEventListener("change", loadAll);
})();
