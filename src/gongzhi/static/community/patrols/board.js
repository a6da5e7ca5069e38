// The leader's board: redrawn when the live push (gongzhi/push.js, topic "patrols") says a
// patrol of the viewer's routes started, was scanned or closed. Only while the push is down
// (offline, or not yet connected) does the board ask by itself, every POLL_MS.
(function () {
  "use strict";
  const box = document.getElementById("board-live");
  if (!box) return;
  const POLL_MS = 10000;
  let pending = null;

  function refresh() {
    pending = null;
    if (window.htmx) htmx.ajax("GET", box.dataset.liveUrl, { target: box, swap: "innerHTML" });
  }

  document.addEventListener("gongzhi:push", function (e) {
    // A walk's scans come in bursts: one redraw for the messages of a moment.
    if (e.detail && e.detail.topic === "patrols" && !pending) pending = setTimeout(refresh, 300);
  });

  setInterval(function () {
    if (document.hidden) return;
    const light = document.querySelector("[data-push-indicator]");
    if (!light || light.dataset.state !== "live") refresh();
  }, POLL_MS);
})();
