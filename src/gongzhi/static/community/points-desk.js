// The counter reads the resident's code with the camera into the code field; the staff
// then pick the goods and redeem. Without a camera, type the code.
(function () {
  "use strict";
  const field = document.querySelector("#counter-form [name=code]");
  const status = document.getElementById("counter-status");
  window.gongzhiQrCamera(
    document.getElementById("counter-camera"), document.getElementById("counter-video"),
    document.getElementById("counter-frame"),
    function (text) { field.value = text; field.dataset.scanned = "1"; },
    function (text) { status.textContent = text; });
})();
