// The phone's position, from the browser's geolocation, into the hidden fields; a refusal
// says in plain words how to allow it.
(function () {
  const form = document.querySelector("[data-visit-form]");
  if (form) {
    const box = form.querySelector("[data-position]");
    const lng = form.querySelector("input[name=lng]");
    const lat = form.querySelector("input[name=lat]");
    const show = (text, cls) => { box.textContent = text; box.className = "position " + (cls || ""); };
    const locate = () => {
      if (!navigator.geolocation) { show(box.dataset.msgUnsupported, "refused"); return; }
      show(box.dataset.msgLocating);
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          lng.value = pos.coords.longitude.toFixed(6);
          lat.value = pos.coords.latitude.toFixed(6);
          show(box.dataset.msgLocated.replace("%s", Math.round(pos.coords.accuracy)), "ok");
        },
        (err) => {
          lng.value = ""; lat.value = "";
          show(err.code === err.PERMISSION_DENIED ? box.dataset.msgRefused : box.dataset.msgFailed, "refused");
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    };
    form.querySelector("[data-locate]").addEventListener("click", locate);
    locate();
    form.addEventListener("submit", (evt) => {
      if (!lng.value || !lat.value) { evt.preventDefault(); locate(); return; }
      form.querySelector("[data-testid=record]").disabled = true;
    });
  }
  // One case or dispute per tap.
  document.querySelectorAll("[data-raise-form]").forEach((f) =>
    f.addEventListener("submit", () => { f.querySelector("button[type=submit]").disabled = true; }));
})();
