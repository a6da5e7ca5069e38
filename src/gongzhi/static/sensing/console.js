// The duty console: a push message names a row; the row's fragment is fetched (scoped)
// and put at the top of its list, or in place of the row it updates.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("sensing-console-config").textContent);
  const lists = { event: document.getElementById("sns-events"), alarm: document.getElementById("sns-alarms") };

  function row(kind, id, fresh) {
    if (!id) return;
    const current = document.getElementById(kind + "-" + id);
    if (fresh && current) return; // already listed (the page was drawn after it)
    if (!fresh && !current) return; // a decision on a row this page does not show
    const url = config[kind + "_url"].replace("/0/", "/" + encodeURIComponent(id) + "/");
    const target = current || lists[kind];
    htmx.ajax("GET", url, { target: target, swap: current ? "outerHTML" : "afterbegin" });
  }

  document.addEventListener("gongzhi:push", function (e) {
    const m = e.detail;
    const d = m.data || {};
    if (m.kind === "event.new") row("event", d.id || d.event, true);
    else if (m.kind === "event.decided") row("event", d.id || d.event, false);
    else if (m.kind === "alarm.raised") row("alarm", d.alarm, true);
    else if (m.kind === "alarm.cleared") row("alarm", d.alarm, false);
    if (m.kind.endsWith(".offline") || m.kind.startsWith("alarm.")) loadMap();
  });

  // A refused decision (taken by someone else, no reason given) is shown in its row.
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    const status = e.detail.xhr.status;
    if ((status === 400 || status === 403 || status === 409) && e.detail.target.closest(".sns-row")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  // The camera wall: the newest analysed frame of each camera, every few seconds while
  // the page is in view.
  const frames = Array.from(document.querySelectorAll("img[data-frame]"));
  frames.forEach(function (img) {
    img.addEventListener("error", function () { img.parentElement.classList.add("none"); });
    img.addEventListener("load", function () { img.parentElement.classList.remove("none"); });
    // A first frame that failed before this script ran has fired its error already.
    if (img.complete && img.naturalWidth === 0) img.parentElement.classList.add("none");
  });
  setInterval(function () {
    if (document.hidden) return;
    frames.forEach(function (img) { img.src = img.dataset.frame + "?t=" + Date.now(); });
  }, config.frame_refresh);

  // The small map: cameras (their view) and sensors by status, from the map's own layers.
  const el = document.getElementById("sns-console-map");
  let map = null;
  const layers = {};
  function loadMap() {
    if (!map) return;
    ["cameras", "devices"].forEach(function (name) {
      fetch(el.dataset[name + "Url"], { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) {
          if (layers[name]) map.removeLayer(layers[name]);
          layers[name] = L.geoJSON(data, {
            style: function (f) { return { color: f.properties.colour, weight: 1, fillColor: f.properties.colour, fillOpacity: 0.3 }; },
            pointToLayer: function (f, latlng) {
              return L.circleMarker(latlng, { radius: f.properties.alarm ? 7 : 5, color: f.properties.alarm ? "#dc2626" : "#fff", weight: f.properties.alarm ? 3 : 1, fillColor: f.properties.colour, fillOpacity: 0.9 });
            },
            onEachFeature: function (f, layer) {
              const box = document.createElement("div");
              const name = document.createElement("strong");
              name.textContent = f.properties.name;
              const status = document.createElement("div");
              status.textContent = f.properties.status_label;
              box.append(name, status);
              layer.bindPopup(box);
            },
          }).addTo(map);
          if (name === "cameras" && !el.dataset.fitted && layers.cameras.getBounds().isValid()) {
            el.dataset.fitted = "1";
            map.fitBounds(layers.cameras.getBounds(), { maxZoom: 16 });
          }
          el.dataset.ready = "1";
        })
        .catch(function () { el.title = config.texts.failed; });
    });
  }
  if (window.L && el) {
    map = L.map(el, { preferCanvas: true, attributionControl: false });
    if (window.gongzhiBaseMap) window.gongzhiBaseMap(map);
    map.fitBounds(L.latLngBounds([[35.4, 100.9], [37.6, 103.1]]));
    loadMap();
  }
})();
