(function () {
  // Only the buildings of the grid chosen are offered (all of them when none is chosen).
  const grid = document.querySelector("#id_grid");
  const building = document.querySelector("#id_building");
  if (!grid || !building) return;
  const narrow = () => {
    for (const option of building.options) {
      const other = option.dataset.grid && grid.value && option.dataset.grid !== grid.value;
      option.hidden = !!other;
      if (other && option.selected) building.value = "";
    }
  };
  grid.addEventListener("change", narrow);
  building.addEventListener("change", () => {
    const chosen = building.selectedOptions[0];
    if (chosen && chosen.dataset.grid) grid.value = chosen.dataset.grid;
  });
  narrow();
})();
(function () {
  const button = document.querySelector("[data-locate]");
  if (!button || !navigator.geolocation) return;
  button.addEventListener("click", () => navigator.geolocation.getCurrentPosition((p) => {
    document.querySelector("#id_lng").value = p.coords.longitude.toFixed(6);
    document.querySelector("#id_lat").value = p.coords.latitude.toFixed(6);
    document.querySelector("[data-located]").textContent = p.coords.longitude.toFixed(5) + ", " + p.coords.latitude.toFixed(5);
  }));
})();
