(function () {
  const button = document.querySelector("[data-locate]");
  if (!button || !navigator.geolocation) return;
  button.addEventListener("click", () => navigator.geolocation.getCurrentPosition((p) => {
    document.querySelector("#id_lng").value = p.coords.longitude.toFixed(6);
    document.querySelector("#id_lat").value = p.coords.latitude.toFixed(6);
    document.querySelector("[data-located]").textContent = p.coords.longitude.toFixed(5) + ", " + p.coords.latitude.toFixed(5);
  }));
})();
