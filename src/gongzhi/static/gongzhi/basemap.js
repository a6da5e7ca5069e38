// The base map under every Leaflet map: the tile layers named in the settings
// (GONGZHI_MAP_TILES), or none. Each map script calls gongzhiBaseMap(map) once it has a map.
// It also points Leaflet's default pin at the collected image files.
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
})();
