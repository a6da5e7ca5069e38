// 随手拍 with no signal: registers the service worker, keeps a report sent while offline in
// the phone's outbox (outbox.js), lists what is kept (waiting, sent, not accepted), sends
// what waits when the network is back, and searches the categories on the phone. Every text
// shown comes from the page (data-msg-* on the outbox section), so it is translated there.
(function () {
  "use strict";
  const form = document.querySelector("form[data-intake=report]");
  const box = document.querySelector("[data-outbox]");
  const configEl = document.getElementById("offline-config");
  const outbox = window.gongzhiOutbox;
  if (!form || !box || !configEl || !outbox) return;

  const config = JSON.parse(configEl.textContent);
  const shell = !!box.dataset.shell;
  const msg = (name) => box.dataset["msg" + name] || "";
  const list = box.querySelector("[data-outbox-list]");
  const note = box.querySelector("[data-outbox-note]");
  const banner = document.querySelector("[data-offline-banner]");
  const formError = form.querySelector("[data-outbox-error]");
  const keyInput = form.querySelector("[data-idempotency-key]");

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.workerUrl, { scope: config.scope }).catch(() => {});
  }
  // The account of this page owns what is taken on the shell until another one opens it.
  const ownerSet = config.reporter ? outbox.setOwner(config.reporter) : Promise.resolve();

  // --- the list --------------------------------------------------------------------------
  const lang = document.documentElement.lang || undefined;
  const when = (iso) => {
    try {
      return new Date(iso).toLocaleString(lang, { dateStyle: "short", timeStyle: "short" });
    } catch (e) {
      return new Date(iso).toLocaleString();
    }
  };
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  };
  const STATUS = { waiting: "Waiting", sent: "Sent", refused: "Refused" };
  const PROBLEM = { signin: "Signin", other_account: "OtherAccount" };

  function item(r) {
    const actions = el("span", { class: "outbox-actions" });
    let detail = null;
    if (r.status === "sent") {
      detail = el(
        "a",
        { href: r.trackUrl, "data-testid": "outbox-number", class: "outbox-number" },
        r.number + " · " + msg("Track")
      );
    } else {
      if (r.status === "refused") {
        detail = el("span", { class: "field-error", "data-testid": "outbox-message" }, r.message || msg("RefusedDefault"));
        actions.append(el("button", { type: "button", class: "linkbtn", "data-fix": r.id }, msg("Fix")));
      } else if (r.problem && PROBLEM[r.problem]) {
        detail = el("span", { class: "hint", "data-testid": "outbox-message" }, msg(PROBLEM[r.problem]));
      }
      actions.append(el("button", { type: "button", class: "linkbtn", "data-delete": r.id }, msg("Delete")));
    }
    return el(
      "li",
      { "data-testid": "outbox-item", "data-status": r.status, "data-key": r.id, class: "outbox-item" },
      el("span", { class: "rl-title", "data-testid": "outbox-title" }, r.title),
      el("span", { class: "state outbox-" + r.status, "data-testid": "outbox-status" }, msg(STATUS[r.status])),
      el("span", { class: "rl-meta" }, when(r.sentAt || r.takenAt)),
      detail,
      actions
    );
  }

  // A phone may be shared: what another account sent is not shown; what it has waiting
  // is, so that nobody wonders where it went.
  const mine = (r) => !r.owner || !config.reporter || r.owner === config.reporter;

  let drawing = Promise.resolve();
  function draw() {
    drawing = drawing.then(async () => {
      const rows = (await outbox.all()).filter((r) => r.status !== "sent" || mine(r)).reverse();
      box.hidden = rows.length === 0;
      list.replaceChildren(...rows.map(item));
      const waiting = rows.filter((r) => r.status === "waiting").length;
      box.dataset.waiting = String(waiting);
    });
    return drawing;
  }
  const say = (text) => {
    note.textContent = text || "";
    note.hidden = !text;
  };

  let sending = false;
  async function sendWaiting() {
    if (sending || !navigator.onLine) return;
    sending = true;
    try {
      const outcome = await outbox.flush(config.sessionUrl);
      if (outcome === "signin") say(msg("Signin"));
      else if (outcome === "done") say("");
    } finally {
      sending = false;
      await draw();
    }
  }

  list.addEventListener("click", async (event) => {
    const del = event.target.closest("[data-delete]");
    if (del) {
      const row = del.closest("[data-status]");
      if (row && row.dataset.status === "waiting" && !window.confirm(msg("ConfirmDelete"))) return;
      await outbox.remove(del.dataset.delete);
      draw();
      return;
    }
    const fix = event.target.closest("[data-fix]");
    if (fix) {
      const record = (await outbox.all()).find((r) => r.id === fix.dataset.fix);
      if (!record) return;
      putBack(record);
      await outbox.remove(record.id);
      draw();
    }
  });

  // --- keeping a report sent with no network -----------------------------------------------
  const showOffline = () => {
    if (banner) banner.hidden = navigator.onLine;
  };
  const setError = (text) => {
    formError.textContent = text || "";
    formError.hidden = !text;
    if (text) formError.scrollIntoView({ block: "center" });
  };
  const field = (name) => form.elements.namedItem(name);

  // What the server would refuse first, said now rather than when the network is back.
  function missing() {
    const description = (field("description").value || "").trim();
    if (description.length < 2) return msg("NeedDescription");
    if (!field("category").value) return msg("NeedCategory");
    const address = field("address") ? field("address").value.trim() : "";
    if (!(field("lng").value && field("lat").value) && !address) return msg("NeedLocation");
    // The category's required questions (asked from the list the page carries when offline).
    for (const q of form.querySelectorAll("[data-question][data-required]")) {
      const answered = [...q.querySelectorAll("input, textarea, select")].some((input) =>
        input.type === "radio" || input.type === "checkbox" ? input.checked : input.value.trim()
      );
      if (!answered) return msg("NeedAnswer").replace("__Q__", q.dataset.text || q.dataset.question);
    }
    return "";
  }

  // --- the category's questions with no network: from the list the page carries, drawn as
  // the server draws them (_questions.html), so a report kept offline answers them too ------
  const offlineCategories = () => JSON.parse(document.getElementById("offline-categories").textContent);
  function drawQuestions(target, categoryId) {
    const category = offlineCategories().find((c) => String(c.id) === String(categoryId));
    const asked = (category && category.questions) || [];
    if (!asked.length) {
      target.replaceChildren();
      return;
    }
    const required = () => el("abbr", { title: msg("Required"), class: "req" }, "*");
    const set = el("fieldset", { class: "category-questions", "data-testid": "category-questions" });
    set.append(el("legend", {}, msg("Questions")));
    for (const q of asked) {
      const name = `attribute[${q.code}]` + (q.datatype === "multivaluelist" ? "[]" : "");
      const box = el("div", { class: "field question", "data-question": q.code, "data-testid": "question", "data-text": q.text });
      if (q.required) box.dataset.required = "1";
      if (q.datatype === "singlevaluelist" || q.datatype === "multivaluelist") {
        const single = q.datatype === "singlevaluelist";
        box.append(el("span", { class: "label", id: `q-${q.code}-label` }, q.text, q.required ? " " : null, q.required ? required() : null));
        const choices = el("div", { class: "choices", role: single ? "radiogroup" : "group", "aria-labelledby": `q-${q.code}-label` });
        for (const [key, label] of q.values) {
          const input = el("input", { type: single ? "radio" : "checkbox", name, value: key });
          if (q.required && single) input.required = true;
          choices.append(el("label", { class: "choice" }, input, " ", el("span", {}, label)));
        }
        box.append(choices);
      } else {
        box.append(
          el("label", { for: `q-${q.code}` }, q.text, q.required ? " " : null, q.required ? required() : null,
            q.hint ? " " : null, q.hint ? el("small", {}, q.hint) : null)
        );
        let input;
        if (q.datatype === "text") input = el("textarea", { id: `q-${q.code}`, name, rows: "2", maxlength: "2000" });
        else if (q.datatype === "number") input = el("input", { id: `q-${q.code}`, name, type: "number", step: "any", inputmode: "decimal" });
        else if (q.datatype === "datetime") input = el("input", { id: `q-${q.code}`, name, type: "datetime-local" });
        else input = el("input", { id: `q-${q.code}`, name, maxlength: "200" });
        if (q.required) input.required = true;
        box.append(input);
      }
      set.append(box);
    }
    target.replaceChildren(set);
  }
  // intake.js asks for the questions through this when there is no network (or the request
  // for them fails): the same slot, the same names, so the outbox keeps the answers.
  window.gongzhiOfflineQuestions = drawQuestions;

  // Empty the form for the next report (the place stays: it may be the same street).
  function clearForm() {
    field("description").value = "";
    if (field("address")) field("address").value = "";
    if (field("is_anonymous")) field("is_anonymous").checked = false;
    // As the picker's "Change" does, without putting the cursor (and a keyboard) there.
    field("category").value = "";
    const chosen = form.querySelector("[data-category-chosen]");
    const picker = form.querySelector("[data-category-search]");
    if (chosen && picker) {
      chosen.hidden = true;
      picker.hidden = false;
      picker.querySelector("input[type=search]").value = "";
      form.querySelector("#category-results").replaceChildren();
    }
    const slot = document.getElementById("category-questions");
    if (slot) slot.replaceChildren();
    let remove;
    while ((remove = form.querySelector("[data-photo-previews] .remove"))) remove.click();
    if (keyInput) keyInput.value = outbox.newKey();
  }

  // A report the server refused goes back into the form, with its key, to be corrected.
  function putBack(record) {
    for (const [name, value] of record.fields) {
      const input = field(name);
      if (!input || input.type === "file") continue;
      if (input.type === "checkbox") input.checked = value === input.value;
      else input.value = value;
    }
    const categories = offlineCategories();
    const chosen = categories.find((c) => String(c.id) === field("category").value);
    if (chosen) {
      form.querySelector(".cat-chosen-name").textContent = chosen.full_name;
      form.querySelector("[data-category-chosen]").hidden = false;
      form.querySelector("[data-category-search]").hidden = true;
    }
    // The questions again, with the answers given (the server may have refused one of them).
    const slot = document.getElementById("category-questions");
    if (slot) {
      drawQuestions(slot, field("category").value);
      for (const [name, value] of record.fields) {
        if (!name.startsWith("attribute[")) continue;
        for (const input of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
          if (input.type === "radio" || input.type === "checkbox") input.checked = input.checked || input.value === value;
          else input.value = value;
        }
      }
    }
    const photos = form.querySelector("input[type=file][name=photos]");
    if (photos && record.photos.length) {
      const dt = new DataTransfer();
      for (const p of record.photos) dt.items.add(new File([p.blob], p.name, { type: p.blob.type }));
      photos.files = dt.files;
      photos.dispatchEvent(new Event("change"));
    }
    if (keyInput) keyInput.value = record.id;
    form.scrollIntoView({ block: "start" });
  }

  // Before intake.js's own handler (capture, on the document): online, the page posts as it
  // always did and the worker keeps the report if that fails; offline, or on the kept shell
  // (whose CSRF token may be stale), the report goes to the outbox.
  document.addEventListener(
    "submit",
    async (event) => {
      if (event.target !== form || (navigator.onLine && !shell)) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      if (form.dataset.keeping) return;
      const problem = missing();
      setError(problem);
      if (problem) return;
      form.dataset.keeping = "1";
      try {
        try {
          await ownerSet;
          await outbox.keep({ url: config.reportUrl, entries: Array.from(new FormData(form).entries()) });
        } catch (e) {
          setError(msg("CannotKeep")); // storage refused (private mode, disk full): say so
          return;
        }
        clearForm();
        say(navigator.onLine ? "" : msg("Kept"));
        await draw();
        box.scrollIntoView({ block: "start" });
        if ("serviceWorker" in navigator && navigator.serviceWorker.controller) {
          navigator.serviceWorker.ready
            .then((reg) => reg.sync && reg.sync.register("gongzhi-outbox"))
            .catch(() => {});
        }
        sendWaiting();
      } finally {
        delete form.dataset.keeping;
      }
    },
    true
  );

  // --- the category picker with no network: search the list the page carries ----------------
  const search = form.querySelector("[data-category-search] input[type=search]");
  const results = form.querySelector("#category-results");
  let categories = null;
  function searchHere() {
    categories = categories || JSON.parse(document.getElementById("offline-categories").textContent);
    const terms = search.value.toLowerCase().split(/[\s/]+/).filter(Boolean);
    if (!terms.length) {
      results.replaceChildren();
      return;
    }
    const phrase = terms.join("");
    const found = categories
      .filter((c) => terms.every((t) => (c.full_name + " " + c.keywords).toLowerCase().includes(t)))
      .map((c) => {
        const name = c.name.toLowerCase();
        const rank = name === phrase ? 0 : name.startsWith(phrase) ? 1 : name.includes(phrase) ? 2 : 3;
        return { c, rank, depth: -c.full_name.split("/").length };
      })
      .sort((a, b) => a.rank - b.rank || a.depth - b.depth)
      .slice(0, 12);
    if (!found.length) {
      results.replaceChildren(el("li", { class: "cat-empty" }, msg("NoCategory")));
      return;
    }
    results.replaceChildren(
      ...found.map(({ c }) => {
        const parent = c.full_name.endsWith(c.name) ? c.full_name.slice(0, -c.name.length) : "";
        return el(
          "li",
          {},
          el(
            "button",
            { type: "button", class: "cat-option", role: "option", "data-id": c.id, "data-name": c.full_name, "data-testid": "category-option" },
            parent ? el("span", { class: "cat-parent" }, parent) : null,
            el("b", {}, c.name)
          )
        );
      })
    );
  }
  if (search && results) {
    search.addEventListener("input", () => {
      if (!navigator.onLine) searchHere();
    });
    search.addEventListener("htmx:sendError", searchHere);
  }

  // --- when to send ------------------------------------------------------------------------
  window.addEventListener("online", () => {
    showOffline();
    sendWaiting();
  });
  window.addEventListener("offline", showOffline);
  outbox.onChange(() => draw());
  showOffline();
  if (new URLSearchParams(location.search).has("kept")) {
    // Sent here by the worker, which kept a report whose sending failed.
    say(msg("Kept"));
    history.replaceState(null, "", location.pathname);
  }
  draw().then(sendWaiting);
})();
