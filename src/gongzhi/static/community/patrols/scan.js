// The patrol page's scanner: the camera (../qr_camera.js) or a typed code; each scan is
// sent with the phone's position (geolocation) and the server's answer (the progress, or
// why the code was refused) replaces the progress block.
(function () {
  "use strict";
  const form = document.getElementById("scan-form");
  if (!form) return;
  const status = document.getElementById("scan-status");
  const video = document.getElementById("camera");
  const canvas = document.getElementById("frame");
  const startButton = document.getElementById("camera-start");

  function say(text) { if (status) status.textContent = text || ""; }

  function position() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) return resolve(null);
      navigator.geolocation.getCurrentPosition(
        function (p) { resolve(p.coords); },
        function () { resolve(null); },
        { enableHighAccuracy: true, timeout: 8000, maximumAge: 10000 }
      );
    });
  }

  async function send() {
    const coords = await position();
    form.elements.lng.value = coords ? coords.longitude : "";
    form.elements.lat.value = coords ? coords.latitude : "";
    form.elements.accuracy.value = coords ? coords.accuracy : "";
    const response = await fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    });
    const html = await response.text();
    if (form.dataset.then) { window.location.href = form.dataset.then; return; }
    const progress = document.getElementById("progress");
    if (progress) progress.outerHTML = html;
    if (form.elements.code.type !== "hidden") form.elements.code.value = "";
    say("");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!form.elements.code.value.trim()) return;
    send();
  });

  window.gongzhiQrCamera(startButton, video, canvas, function (text) {
    form.elements.code.value = text;
    send();
  }, say);
})();
