/* Live push (gongzhi.core.push): one EventSource per element carrying data-push-topic.
 *
 *   <div data-push-topic="sensing" data-push-url="/push/sensing" data-push-after="123">
 *   <span data-push-indicator data-state="connecting">…</span>
 *
 * Every message is dispatched on document as
 *   new CustomEvent("gongzhi:push", {detail: {id, topic, kind, data, at}})
 * so a page reacts with document.addEventListener("gongzhi:push", …).
 * The browser's EventSource reconnects by itself after a dropped connection (sending
 * Last-Event-ID); when the server refused or broke the stream for good (a restart, a
 * 502 from a proxy), it is reopened here after a growing pause, from the last id seen.
 * Indicators show data-state="connecting" | "live" | "offline".
 */
(function () {
  "use strict";

  function setState(state) {
    document.querySelectorAll("[data-push-indicator]").forEach(function (el) {
      el.dataset.state = state;
    });
  }

  function open(el) {
    var topic = el.dataset.pushTopic;
    var base = el.dataset.pushUrl || "/push/" + encodeURIComponent(topic);
    var last = el.dataset.pushAfter || "";
    var pause = 1000;
    var source = null;
    var dispatched = Number(last) || 0;
    var slow = null;

    function connect() {
      var url = last ? base + (base.indexOf("?") < 0 ? "?" : "&") + "after=" + last : base;
      setState("connecting");
      source = new EventSource(url, { withCredentials: true });
      source.onopen = function () {
        pause = 1000;
        clearTimeout(slow);
        slow = null;
        setState("live");
      };
      source.onmessage = function (e) {
        if (e.lastEventId) last = e.lastEventId;
        var message;
        try {
          message = JSON.parse(e.data);
        } catch (err) {
          return;
        }
        if (message.id <= dispatched) return; // a reconnect raced a message: once is enough
        dispatched = message.id;
        setState("live");
        document.dispatchEvent(new CustomEvent("gongzhi:push", { detail: message }));
      };
      source.onerror = function () {
        if (source.readyState === EventSource.CLOSED) {
          // Refused for good (not an event stream, 403, 5xx): reopen ourselves, later.
          clearTimeout(slow);
          slow = null;
          setState("offline");
          source.close();
          setTimeout(connect, pause);
          pause = Math.min(pause * 2, 30000);
        } else {
          // The browser is reconnecting: a long-polling server (runserver) ends every
          // window, so only a reconnect that takes a while is shown.
          // The pause runs from the first failure: a reconnect failing again and again
          // (the network is down) must not restart it for ever.
          if (!slow) {
            slow = setTimeout(function () {
              slow = null;
              setState(navigator.onLine === false ? "offline" : "connecting");
            }, 3000);
          }
        }
      };
    }

    connect();
    window.addEventListener("online", function () {
      if (source && source.readyState === EventSource.CLOSED) connect();
    });
  }

  function start() {
    document.querySelectorAll("[data-push-topic]").forEach(open);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
