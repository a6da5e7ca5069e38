(function () {
  "use strict";
  if (!window.L) return;
  var lng = document.getElementById("id_lng"), lat = document.getElementById("id_lat");
  var map = L.map("shift-map").setView([36.48, 102.4], 13), pin = null;
  if (window.gongzhiBaseMap) window.gongzhiBaseMap(map);
  function put(ll) {
    lng.value = ll.lng.toFixed(6); lat.value = ll.lat.toFixed(6);
    if (pin) pin.setLatLng(ll); else pin = L.marker(ll).addTo(map);
  }
  if (lng.value && lat.value) { put(L.latLng(+lat.value, +lng.value)); map.setView([+lat.value, +lng.value], 16); }
  map.on("click", function (e) { put(e.latlng); });
})();
