// Case maps without a tile server (government intranets are often offline):
// * the case page: the case's point over the outline of its grid;
// * the map of open cases: the viewer's regions and grids as the background, the cases as
//   canvas-drawn points coloured by state (overdue ringed in red), refiltered in place and
//   reloaded for the view's box whenever the map stops moving (the server sends the newest
//   few thousand in the box, however many cases there are).
(function () {
  "use strict";
  if (!window.L) return;
  // Leaflet renders a string tooltip as HTML: names typed in the admin go in as text.
  const plainTip = (value) =>
    Object.assign(document.createElement("span"), { textContent: String(value ?? "") });

  const BACKGROUND = {
    city: { color: "#1e3a8a", weight: 2, fill: false },
    county: { color: "#1d4ed8", weight: 1.4, fillColor: "#dbeafe", fillOpacity: 0.35 },
    township: { color: "#0f766e", weight: 0.7, fill: false, opacity: 0.7 },
    grid: { color: "#94a3b8", weight: 0.3, fill: false, opacity: 0.8 },
  };

  function json(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function text(tag, value, cls) {
    const el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }

  // -- the case page ------------------------------------------------------------------------
  function caseMap(el) {
    const data = json(el.dataset.caseMap);
    if (!data) return;
    const map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, attributionControl: false });
    if (window.gongzhiBaseMap) window.gongzhiBaseMap(map);
    // Build the layers first: a canvas map needs its view before anything is added.
    const layers = [];
    let bounds = null;
    if (data.grid) {
      const outline = L.geoJSON(data.grid, {
        style: { color: "#0f766e", weight: 2, fillColor: "#99f6e4", fillOpacity: 0.25 },
      });
      if (data.grid_name) outline.bindTooltip(() => plainTip(data.grid_name), { sticky: true });
      layers.push(outline);
      bounds = outline.getBounds();
    }
    if (data.point) {
      const latlng = L.latLng(data.point[1], data.point[0]);
      layers.push(
        L.circleMarker(latlng, {
          radius: 9, color: "#fff", weight: 3, fillColor: data.colour || "#dc2626", fillOpacity: 1,
        })
      );
      bounds = bounds ? bounds.extend(latlng) : L.latLngBounds(latlng, latlng);
    }
    if (bounds && bounds.isValid()) {
      map.fitBounds(bounds.pad(0.15), { maxZoom: 17 });
    } else {
      map.setView([36.5, 102.4], 9);
    }
    layers.forEach((layer) => layer.addTo(map));
    el.dataset.ready = "1";
  }

  // -- the map of open cases ----------------------------------------------------------------
  function casesMap(el) {
    const config = json(el.dataset.config) || { colours: {}, texts: {} };
    const map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, attributionControl: false });
    if (window.gongzhiBaseMap) window.gongzhiBaseMap(map);
    const renderer = L.canvas({ padding: 0.5 });
    const form = document.getElementById("map-filters");
    const counter = document.getElementById("map-count");
    let background = null;
    let points = null;
    let fitted = false;
    let loaded = false; // after the first answer, each load asks for the view's box
    let complete = null; // the bounds of the last answer when it held every case in them
    let popupOpen = false;
    let asked = 0; // the latest request: an older answer arriving late is dropped

    map.fitBounds(L.latLngBounds([[35.4, 100.9], [37.6, 103.1]]));

    fetch(el.dataset.layersUrl, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => {
        for (const layer of data.layers) {
          const gj = L.geoJSON(layer.features, {
            style: () => BACKGROUND[layer.level] || BACKGROUND.grid,
            interactive: false,
            renderer,
          }).addTo(map);
          // Grids come last and lie inside the regions above them: they set the view only for
          // someone who sees no region, such as a grid worker with a few grids.
          if ((layer.level !== "grid" || !background) && gj.getBounds().isValid()) {
            background = background ? background.extend(gj.getBounds()) : gj.getBounds();
          }
        }
        if (points) points.bringToFront();
        if (!fitted && background) map.fitBounds(background);
      });

    function popup(p) {
      const box = document.createElement("div");
      box.className = "case-popup";
      box.appendChild(text("div", p.number, "muted"));
      box.appendChild(text("strong", p.title));
      box.appendChild(text("div", p.category || "", "muted"));
      const line = text("div", p.state_label);
      if (p.overdue) line.appendChild(text("span", " · " + (config.texts.overdue || ""), "late"));
      if (p.urgent) line.appendChild(text("span", " · " + (config.texts.urgent || ""), "late"));
      box.appendChild(line);
      const link = text("a", config.texts.open || "→");
      link.href = p.url;
      box.appendChild(link);
      return box;
    }

    // The view as west,south,east,north, after the first load (which asks for all the
    // viewer's cases, to find where they are).
    function bbox() {
      if (!loaded) return null;
      const b = map.getBounds();
      const clamp = (v, limit) => Math.max(-limit, Math.min(limit, v)).toFixed(5);
      return [
        clamp(b.getWest(), 180), clamp(b.getSouth(), 90),
        clamp(b.getEast(), 180), clamp(b.getNorth(), 90),
      ].join(",");
    }

    function boundsOf(box) {
      const [w, s, e, n] = box.split(",").map(Number);
      return L.latLngBounds([s, w], [n, e]);
    }

    function load() {
      const params = form ? new URLSearchParams(new FormData(form)) : new URLSearchParams();
      const query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
      const box = bbox();
      if (box) params.set("bbox", box);
      const ask = ++asked;
      el.classList.add("loading");
      fetch(el.dataset.casesUrl + "?" + params.toString(), { credentials: "same-origin" })
        .then((r) => {
          if (!r.ok) throw new Error(r.status);
          return r.json();
        })
        .then((data) => {
          if (ask !== asked) return;
          if (points) map.removeLayer(points);
          points = L.geoJSON(data, {
            pointToLayer: (f, latlng) => {
              const p = f.properties;
              const fill = config.colours[p.state] || "#6b7280";
              return L.circleMarker(latlng, {
                renderer,
                radius: p.overdue ? 6.5 : 5.5,
                color: p.overdue ? config.overdue : "#ffffff",
                weight: p.overdue ? 2.5 : 1,
                fillColor: fill,
                fillOpacity: 0.9,
              });
            },
            onEachFeature: (f, layer) => layer.bindPopup(() => popup(f.properties)),
          }).addTo(map);
          if (counter) {
            counter.textContent =
              (config.texts.count || "%(n)s").replace("%(n)s", data.count) +
              (data.truncated ? " " + (config.texts.truncated || "") : "");
          }
          const b = points.getBounds();
          loaded = true;
          if (!fitted && b.isValid()) {
            fitted = true;
            map.fitBounds(b.pad(0.1), { maxZoom: 15 });
          }
          // All the viewer's cases (no box) or all the box's: a view inside it has no more.
          complete = data.truncated ? null : box ? boundsOf(box) : "all";
          el.dataset.ready = "1";
          el.dataset.bbox = box || "";
        })
        .catch(() => {
          if (counter) counter.textContent = config.texts.failed || "!";
        })
        .finally(() => {
          if (ask === asked) el.classList.remove("loading");
        });
    }

    // Panned or zoomed (by hand or by fitting): the cases of the new view, unless the last
    // answer already held them all, or a popup is open (its pan would close it).
    map.on("popupopen", () => (popupOpen = true));
    map.on("popupclose", () => (popupOpen = false));
    map.on("moveend", () => {
      if (!loaded || popupOpen) return;
      if (complete === "all" || (complete && complete.contains(map.getBounds()))) return;
      load();
    });

    if (form) {
      form.addEventListener("change", load);
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        load();
      });
    }
    load();
  }

  function init(root) {
    const scope = root || document;
    const all = [...scope.querySelectorAll("[data-case-map], [data-cases-map]")];
    if (scope.matches && scope.matches("[data-case-map], [data-cases-map]")) all.push(scope);
    for (const el of all) {
      if (el.dataset.ready || el._leaflet_id) continue;
      if (el.hasAttribute("data-cases-map")) casesMap(el);
      else caseMap(el);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => init(document));
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", (evt) => init(evt.target));
})();
