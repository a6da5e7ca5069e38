// The base map under every Leaflet map: the tile layers named in the settings
// (GONGZHI_MAP_TILES), or none. Each map script calls gongzhiBaseMap(map) once it has a map.
// It also points Leaflet's default pin at the collected image files. gongzhiLayeredMap(name)
// opens the layered maps (people, sensing): their element, config, layer form and counter by
// one naming rule, a canvas map over 海东 with the base map under it.
(function () {
  "use strict";
  let pinned = false;
  function pinIcon(conf) {
    if (pinned || !conf.marker) return;
    L.Icon.Default.imagePath = ""; // a string: Leaflet then stops guessing from leaflet.css
    L.Icon.Default.mergeOptions(conf.marker);
    pinned = true;
  }
  window.gongzhiBaseMap = function (map) {
    const src = document.getElementById("base-map");
    if (!src || !window.L) return;
    const conf = JSON.parse(src.textContent);
    pinIcon(conf);
    if (!conf.tiles || !conf.tiles.length) return;
    conf.tiles.forEach((url, i) => {
      const options = { maxZoom: conf.maxZoom || 18, attribution: i === 0 ? conf.attribution : "" };
      if (conf.subdomains) options.subdomains = conf.subdomains;
      L.tileLayer(url, options).addTo(map);
    });
    if (conf.attribution && !map.attributionControl) {
      L.control.attribution({ prefix: false }).addTo(map); // collects the layers' attribution
    }
    map.getContainer().dataset.baseMap = "1";
  };
  window.gongzhiLayeredMap = function (name) {
    const el = document.getElementById(name + "-map");
    if (!window.L || !el) return null;
    const config = JSON.parse(document.getElementById(name + "-map-config").textContent);
    const map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, attributionControl: false });
    window.gongzhiBaseMap(map);
    map.fitBounds(L.latLngBounds([[35.4, 100.9], [37.6, 103.1]]));
    return {
      el: el,
      config: config,
      texts: config.texts,
      form: document.getElementById(name + "-map-layers"),
      counter: document.getElementById(name + "-map-count"),
      map: map,
      renderer: L.canvas({ padding: 0.5 }),
    };
  };
  // A DOM node holding text only (never HTML): names typed by users go in as they are.
  window.gongzhiText = function (tag, value, cls) {
    const node = document.createElement(tag);
    node.textContent = value;
    if (cls) node.className = cls;
    return node;
  };
})();
