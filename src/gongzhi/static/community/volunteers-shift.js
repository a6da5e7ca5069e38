(function () {
  if (!window.L) return;
  var el = document.getElementById("shift-map"), ll = [+el.dataset.lat, +el.dataset.lng];
  var map = L.map(el).setView(ll, 16);
  if (window.gongzhiBaseMap) window.gongzhiBaseMap(map);
  L.marker(ll).addTo(map);
})();
