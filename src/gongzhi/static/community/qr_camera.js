// One camera QR reader for the community pages (the patrol's checkpoints, the points
// counter): the phone's camera (getUserMedia) read frame by frame by jsQR. Needs
// vendor/jsqr/jsQR.js first. Without a camera the button hides and typing remains.
(function () {
  "use strict";
  // button: starts the camera; video/canvas: where frames are shown and read;
  // found(text): called once with the code read; the camera stops first.
  // say(text): status line; the button's data-found / data-nocamera give the words.
  window.gongzhiQrCamera = function (button, video, canvas, found, say) {
    if (!button) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      button.hidden = true;
      return;
    }
    let stream = null;

    function stop() {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      video.hidden = true;
    }

    function readFrame() {
      if (!stream) return;
      if (video.readyState >= 2 && video.videoWidth) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        const ctx = canvas.getContext("2d", { willReadFrequently: true });
        ctx.drawImage(video, 0, 0);
        const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
        const code = window.jsQR && jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (code && code.data) {
          stop();
          say(button.dataset.found || "");
          found(code.data);
          return;
        }
      }
      requestAnimationFrame(readFrame);
    }

    button.addEventListener("click", async function () {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      } catch (error) {
        say(button.dataset.nocamera || String(error));
        return;
      }
      video.srcObject = stream;
      video.hidden = false;
      await video.play().catch(function () {});
      requestAnimationFrame(readFrame);
    });
  };
})();
