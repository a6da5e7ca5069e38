(function () {
  "use strict";
  if (!window.L) return;
  var lng = document.getElementById("id_lng"), lat = document.getElementById("id_lat");
  var note = document.getElementById("topic-where");
  var map = L.map("topic-map").setView([36.5, 102.1], 11), pin = null;
  if (window.gongzhiBaseMap) window.gongzhiBaseMap(map);
  function put(ll, zoom) {
    lng.value = ll.lng.toFixed(6); lat.value = ll.lat.toFixed(6);
    if (pin) pin.setLatLng(ll); else pin = L.marker(ll).addTo(map);
    if (zoom) map.setView(ll, 16);
  }
  if (lng.value && lat.value) put(L.latLng(+lat.value, +lng.value), true);
  map.on("click", function (e) { put(e.latlng, false); note.textContent = note.dataset.found; });
  if (!lng.value && navigator.geolocation) {
    note.textContent = note.dataset.locating;
    navigator.geolocation.getCurrentPosition(function (p) {
      put(L.latLng(p.coords.latitude, p.coords.longitude), true);
      note.textContent = note.dataset.found;
    }, function () { note.textContent = note.dataset.none; }, { timeout: 8000, maximumAge: 60000 });
  }
})();
