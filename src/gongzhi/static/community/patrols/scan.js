// The patrol page's scanner: the phone's camera (getUserMedia) read frame by frame by jsQR,
// or a typed code; each scan is sent with the phone's position (geolocation) and the
// server's answer (the progress, or why the code was refused) replaces the progress block.
(function () {
  "use strict";
  const form = document.getElementById("scan-form");
  if (!form) return;
  const status = document.getElementById("scan-status");
  const video = document.getElementById("camera");
  const canvas = document.getElementById("frame");
  const startButton = document.getElementById("camera-start");
  let stream = null;

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

  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    if (video) video.hidden = true;
  }

  function readFrame() {
    if (!stream) return;
    if (video.readyState >= 2 && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(video, 0, 0);
      const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const found = window.jsQR && jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (found && found.data) {
        stop();
        form.elements.code.value = found.data;
        say(startButton.dataset.found || "");
        send();
        return;
      }
    }
    requestAnimationFrame(readFrame);
  }

  if (startButton) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      startButton.hidden = true; // no camera here: the typed code remains
    }
    startButton.addEventListener("click", async function () {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      } catch (error) {
        say(startButton.dataset.nocamera || String(error));
        return;
      }
      video.srcObject = stream;
      video.hidden = false;
      await video.play().catch(function () {});
      requestAnimationFrame(readFrame);
    });
  }
})();
