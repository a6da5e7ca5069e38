// The phone's outbox of 随手拍 reports, in IndexedDB (through idb-keyval), shared by the report
// page and its service worker. A kept report carries the idempotency key it was given when
// it was taken, so sending it twice, or again after an answer was lost, makes one case.
// No text is shown from here: records carry codes, and the page words them.
(function (root) {
  "use strict";
  const kv = root.idbKeyval;
  if (!kv) return;
  const reports = kv.createStore("gongzhi-outbox", "reports");
  const meta = kv.createStore("gongzhi-outbox-meta", "meta");
  const channel = "BroadcastChannel" in root ? new BroadcastChannel("gongzhi-outbox") : null;
  const SENT_KEPT = 20;

  const changed = () => channel && channel.postMessage("changed");

  function newKey() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    const bytes = root.crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function all() {
    const rows = (await kv.values(reports)).filter(Boolean);
    return rows.sort((a, b) => a.takenAt.localeCompare(b.takenAt));
  }

  async function update(id, patch) {
    const old = await kv.get(id, reports);
    if (!old) return null; // deleted by the reporter meanwhile
    const record = Object.assign({}, old, patch);
    await kv.set(id, record, reports);
    return record;
  }

  // The account whose page was last opened online: reports taken on the page kept for
  // nobody (offline) are that account's, and are sent only under it.
  const setOwner = (tag) => kv.set("owner", tag, meta);

  // entries: a form's [name, value] pairs; files are kept as they are (Blobs).
  async function keep({ url, entries }) {
    const owner = (await kv.get("owner", meta)) || "";
    const fields = [];
    const photos = [];
    let key = "";
    let description = "";
    for (const [name, value] of entries) {
      if (name === "csrfmiddlewaretoken") continue; // stale by the time it is sent
      if (typeof value !== "string") {
        if (value.size) photos.push({ field: name, name: value.name, blob: value });
        continue;
      }
      if (name === "idempotency_key") {
        key = value;
        continue;
      }
      if (name === "description") description = value;
      fields.push([name, value]);
    }
    key = key || newKey();
    const record = {
      id: key,
      owner: owner,
      url: url,
      takenAt: new Date().toISOString(),
      title: description.trim().slice(0, 30), // as the server titles a report
      fields: fields,
      photos: photos,
      status: "waiting",
      problem: null,
    };
    await kv.set(key, record, reports);
    changed();
    return record;
  }

  async function remove(id) {
    await kv.del(id, reports);
    changed();
  }

  // Send one report. Answers "sent", "refused", or why sending has to wait:
  // "offline", "unavailable" (5xx, busy), "signin".
  async function sendOne(record, csrf) {
    const body = new FormData();
    for (const [name, value] of record.fields) body.append(name, value);
    body.append("idempotency_key", record.id);
    for (const photo of record.photos) body.append(photo.field, photo.blob, photo.name);
    let response;
    try {
      response = await fetch(record.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual", // a redirect is to the login page: say so instead of following
        headers: { Accept: "application/json", "X-CSRFToken": csrf },
      });
    } catch (e) {
      return "offline";
    }
    if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
      return "signin";
    }
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      return "unavailable";
    }
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      // not the JSON answer: treated below
    }
    if (response.ok) {
      if (!data || !data.number) return "unavailable"; // something in between answered
      await update(record.id, {
        status: "sent",
        number: data.number,
        trackUrl: data.track_url,
        sentAt: new Date().toISOString(),
        fields: [],
        photos: [],
        problem: null,
        message: "",
      });
      return "sent";
    }
    // Refused with a reason (a 4xx): kept with the server's words, to be fixed or deleted.
    await update(record.id, {
      status: "refused",
      problem: null,
      message: (data && data.message) || "",
    });
    return "refused";
  }

  async function trimSent() {
    const sent = (await all()).filter((r) => r.status === "sent");
    for (const r of sent.slice(0, Math.max(0, sent.length - SENT_KEPT))) await kv.del(r.id, reports);
  }

  async function sendAll(sessionUrl) {
    const waiting = (await all()).filter((r) => r.status === "waiting");
    if (!waiting.length) return "idle";
    let session;
    try {
      const response = await fetch(sessionUrl, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return "unavailable";
      session = await response.json();
    } catch (e) {
      return "offline";
    }
    let outcome = "done";
    if (!session.signed_in || !session.may_report) {
      outcome = "signin";
      for (const r of waiting) await update(r.id, { problem: "signin" });
    } else {
      for (const r of waiting) {
        if (r.owner && r.owner !== session.reporter) {
          await update(r.id, { problem: "other_account" });
          continue;
        }
        const result = await sendOne(r, session.csrf);
        if (result === "signin") await update(r.id, { problem: "signin" });
        if (result === "offline" || result === "unavailable" || result === "signin") {
          outcome = result;
          break;
        }
      }
    }
    await trimSent();
    changed();
    return outcome;
  }

  // One sender at a time across the page, other tabs and the service worker.
  function flush(sessionUrl) {
    const locks = root.navigator && root.navigator.locks;
    if (locks) return locks.request("gongzhi-outbox", () => sendAll(sessionUrl));
    return sendAll(sessionUrl);
  }

  function onChange(callback) {
    if (channel) channel.addEventListener("message", callback);
  }

  root.gongzhiOutbox = { all, keep, remove, flush, setOwner, onChange, newKey };
})(self);
