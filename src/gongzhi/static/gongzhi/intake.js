// Intake pages (随手拍 and the 12345 hotline form): the retry key, photo previews, the
// location pin on a tile-less map, the category picker and the "already reported nearby?"
// hint. Every text shown comes from the page (data-msg-*), so it is translated there.
(function () {
  "use strict";
  const form = document.querySelector("form[data-intake]");
  if (!form) return;

  const $ = (sel, root) => (root || form).querySelector(sel);
  const lngInput = $("#id_lng");
  const latInput = $("#id_lat");
  const categoryInput = $("#id_category");

  // --- idempotency key: one per filled-in form, kept across retries of the same form ----
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; intranets are often plain http.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  const keyInput = $("[data-idempotency-key]");
  if (keyInput && !keyInput.value) keyInput.value = newKey();

  // The same report sent again from this tab (back to the form after sending, where the
  // browser restores the text but the page makes a fresh key) keeps its first key, so it
  // finds the first case. A report with other words or another category is a new report.
  const storeKey = "gongzhi.intake." + form.dataset.intake;
  const fingerprint = () =>
    ["category", "description", "reporter_phone"]
      .map((name) => (form.elements[name] ? form.elements[name].value.trim() : ""))
      .join("\u241f");
  function settleKey() {
    if (!keyInput) return;
    try {
      const fp = fingerprint();
      const last = JSON.parse(sessionStorage.getItem(storeKey) || "null");
      if (last && last.fp === fp) keyInput.value = last.key;
      else sessionStorage.setItem(storeKey, JSON.stringify({ fp: fp, key: keyInput.value }));
    } catch (e) {
      // Storage may be unavailable (private mode): the page's own key still covers retries.
    }
  }

  // --- one submission at a time ------------------------------------------------------------
  const submit = $("button[type=submit]");
  form.addEventListener("submit", (event) => {
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    settleKey();
    form.dataset.sending = "1";
    if (submit) {
      submit.dataset.label = submit.textContent;
      submit.textContent = submit.dataset.busyText || submit.textContent;
      setTimeout(() => (submit.disabled = true), 0);
    }
  });
  window.addEventListener("pageshow", () => {
    // Back from the next page (bfcache): the same form may be sent again, with the same key.
    delete form.dataset.sending;
    if (submit) {
      submit.disabled = false;
      if (submit.dataset.label) submit.textContent = submit.dataset.label;
    }
  });

  // --- photos: accumulate picks (a camera gives one photo at a time), preview, remove ----
  const photos = $("[data-photos]");
  if (photos) {
    const input = $("input[type=file][name=photos]");
    const list = $("[data-photo-previews]");
    const add = $("[data-photo-add]");
    const count = $("[data-photo-count]");
    const errorBox = $("[data-photo-error]");
    const max = parseInt(photos.dataset.max, 10) || 6;
    const maxBytes = parseInt(photos.dataset.maxBytes, 10) || 10 * 1024 * 1024;
    let kept = [];
    let urls = [];

    const showError = (text) => {
      errorBox.textContent = text || "";
      errorBox.hidden = !text;
    };
    const render = () => {
      urls.forEach((u) => URL.revokeObjectURL(u));
      urls = kept.map((f) => URL.createObjectURL(f));
      list.replaceChildren(
        ...kept.map((file, i) => {
          const li = document.createElement("li");
          const img = document.createElement("img");
          img.src = urls[i];
          img.alt = file.name;
          const remove = document.createElement("button");
          remove.type = "button";
          remove.className = "remove";
          remove.textContent = "×";
          remove.setAttribute("aria-label", photos.dataset.msgRemove || "×");
          remove.addEventListener("click", () => {
            kept.splice(i, 1);
            showError("");
            sync();
          });
          li.append(img, remove);
          return li;
        })
      );
      add.hidden = kept.length >= max;
      count.textContent = kept.length ? `${kept.length} / ${max}` : "";
    };
    const sync = () => {
      try {
        const dt = new DataTransfer();
        kept.forEach((f) => dt.items.add(f));
        input.files = dt.files;
      } catch (e) {
        // Very old browsers cannot set files: keep only the last pick, which the input holds.
        kept = Array.from(input.files);
      }
      render();
    };
    input.addEventListener("change", () => {
      const problems = [];
      for (const file of Array.from(input.files)) {
        if (!file.type.startsWith("image/")) problems.push(photos.dataset.msgNotImage);
        else if (file.size > maxBytes) problems.push(photos.dataset.msgTooLarge);
        else if (kept.length >= max) problems.push(photos.dataset.msgTooMany);
        else kept.push(file);
      }
      showError([...new Set(problems)].join(" "));
      sync();
    });
  }

  // --- the "already reported nearby?" hint ----------------------------------------------
  const nearbySlot = document.getElementById("nearby");
  let nearbyTimer = null;
  function askNearby() {
    if (!nearbySlot || !window.htmx) return;
    clearTimeout(nearbyTimer);
    const hasPoint = lngInput.value && latInput.value;
    // A hotline call without a pin: the server looks in the grid or community the address names.
    const address = !hasPoint && addressInput ? addressInput.value.trim() : "";
    if (!categoryInput.value || (!hasPoint && address.length < 2)) {
      nearbySlot.replaceChildren();
      return;
    }
    nearbyTimer = setTimeout(() => {
      const values = {
        category: categoryInput.value,
        // What is typed so far ranks the likeliest repeat of this problem first.
        text: describeInput ? describeInput.value.slice(0, 500) : "",
      };
      if (hasPoint) Object.assign(values, { lng: lngInput.value, lat: latInput.value });
      else values.address = address.slice(0, 200);
      htmx.ajax("GET", form.dataset.nearbyUrl, { target: nearbySlot, swap: "innerHTML", values });
    }, 300);
  }
  const describeInput = form.elements.namedItem("description");
  const addressInput = form.elements.namedItem("address");
  if (describeInput) describeInput.addEventListener("input", askNearby);
  if (addressInput) addressInput.addEventListener("input", askNearby);
  // 我也遇到 posts through htmx. A page opened from the offline shell carries a token
  // rendered for nobody, so send the browser's own CSRF cookie, which is always current.
  document.body.addEventListener("htmx:configRequest", (event) => {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    if (cookie) event.detail.headers["X-CSRFToken"] = cookie.slice("csrftoken=".length);
  });

  // --- the address hint: whether the typed address agrees with the pin (a warning when it
  // names another township or street), on the hotline form and 随手拍; on the hotline also
  // where the address places a call without a pin ------------------------------------------
  const addressHint = document.getElementById("address-hint");
  function refreshAddressHint() {
    if (!addressHint || !addressInput || !window.htmx || !addressInput.getAttribute("hx-get")) return;
    const values = { address: addressInput.value.trim().slice(0, 200) };
    if (addressInput.dataset.hintOnly) values.only = addressInput.dataset.hintOnly;
    if (lngInput.value && latInput.value) Object.assign(values, { lng: lngInput.value, lat: latInput.value });
    htmx.ajax("GET", addressInput.getAttribute("hx-get"), { target: addressHint, swap: "innerHTML", values });
  }

  // --- category picker ---------------------------------------------------------------------
  const picker = $("[data-category-picker]");
  if (picker) {
    const chosen = $("[data-category-chosen]", picker);
    const chosenName = $(".cat-chosen-name", picker);
    const search = $("[data-category-search]", picker);
    const searchInput = $("input[type=search]", picker);
    const results = $("#category-results", picker);
    // The chosen category's own questions (each category may ask a few, some required).
    const questions = document.getElementById("category-questions");
    const askQuestions = () => {
      if (!questions) return;
      // No network: the questions come with the category list the page carries (offline.js).
      if (categoryInput.value && window.gongzhiOfflineQuestions && (!navigator.onLine || !window.htmx)) {
        window.gongzhiOfflineQuestions(questions, categoryInput.value);
        return;
      }
      if (!categoryInput.value || !window.htmx) {
        questions.replaceChildren();
        return;
      }
      htmx.ajax("GET", questions.dataset.questionsUrl, {
        target: questions,
        swap: "innerHTML",
        values: { category: categoryInput.value },
      });
    };
    if (questions) {
      // The request for the questions failed (the network went as it was sent): ask offline.
      document.body.addEventListener("htmx:sendError", (event) => {
        const target = event.detail && event.detail.target;
        if ((target === questions || event.target === questions) && window.gongzhiOfflineQuestions && categoryInput.value)
          window.gongzhiOfflineQuestions(questions, categoryInput.value);
      });
    }
    picker.addEventListener("click", (event) => {
      const option = event.target.closest(".cat-option");
      if (option) {
        categoryInput.value = option.dataset.id;
        chosenName.textContent = option.dataset.name;
        chosen.hidden = false;
        search.hidden = true;
        results.replaceChildren();
        askQuestions();
        askNearby();
        return;
      }
      if (event.target.closest("[data-category-clear]")) {
        categoryInput.value = "";
        chosen.hidden = true;
        search.hidden = false;
        searchInput.value = "";
        searchInput.focus();
        askQuestions();
        askNearby();
      }
    });
    // Enter in the search box picks the first match instead of sending the form.
    searchInput.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      const first = results.querySelector(".cat-option");
      if (first) first.click();
    });
  }

  // --- the map: our own outlines (no tile server), a draggable pin -----------------------
  const mapEl = document.getElementById("intake-map");
  const status = $("[data-loc-status]");
  const place = $("[data-loc-place]");
  const clearPin = $("[data-clear-pin]");
  const msg = (name) => (mapEl && mapEl.dataset["msg" + name]) || "";
  const setStatus = (text, kind) => {
    status.textContent = text;
    status.className = "loc-status" + (kind ? " " + kind : "");
  };

  if (mapEl && window.L) {
    const map = L.map(mapEl, { zoomSnap: 0.5, preferCanvas: true, attributionControl: false });
    if (window.gongzhiBaseMap) window.gongzhiBaseMap(map);
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    const styles = {
      city: { color: "#1e3a8a", weight: 2.5, fill: false },
      county: { color: "#1d4ed8", weight: 1.8, fillColor: "#dbeafe", fillOpacity: 0.35 },
      township: { color: "#0f766e", weight: 1, fill: false, dashArray: "4 3" },
      grid: { color: "#64748b", weight: 0.6, fillColor: "#f8fafc", fillOpacity: 0.5 },
    };
    let marker = null;
    let accuracy = null;
    let outlines = null;
    let locateRequest = 0;

    const describe = (latlng) => {
      const ticket = ++locateRequest;
      const url = `${mapEl.dataset.locateUrl}?lng=${latlng.lng.toFixed(6)}&lat=${latlng.lat.toFixed(6)}`;
      fetch(url, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : null))
        .then((hit) => {
          if (ticket !== locateRequest || !hit) return;
          if (!hit.grid) {
            place.textContent = msg("Outside");
            return;
          }
          const regions = (hit.regions || []).filter((r) => r.level !== "province" && r.level !== "city");
          place.textContent = [...regions.map((r) => r.name), hit.grid.name].join(" · ");
        })
        .catch(() => {});
    };

    const setPoint = (latlng, how) => {
      lngInput.value = latlng.lng.toFixed(6);
      latInput.value = latlng.lat.toFixed(6);
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, autoPan: true, keyboard: true }).addTo(map);
        marker.on("dragend", () => setPoint(marker.getLatLng(), "moved"));
      } else {
        marker.setLatLng(latlng);
      }
      if (how !== "located" && accuracy) {
        accuracy.remove();
        accuracy = null;
      }
      if (how === "moved") setStatus(msg("Marked"), "ok");
      if (clearPin) clearPin.hidden = false;
      mapEl.dataset.pinned = "1";
      describe(latlng);
      askNearby();
      refreshAddressHint();
    };

    // 定位 from the typed address through the street gazetteer: by the button, or by itself
    // when the address is left without a pin on the map.
    const geocodeButton = $("[data-geocode]");
    const geocode = (quiet) => {
      const address = addressInput ? addressInput.value.trim() : "";
      if (address.length < 2) {
        if (!quiet) setStatus(geocodeButton.dataset.msgNeedAddress, "warn");
        return;
      }
      const url = `${geocodeButton.dataset.geocodeUrl}?${new URLSearchParams({ address: address })}`;
      fetch(url, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : null))
        .then((found) => {
          if (!found) return;
          if (!found.found) {
            if (!quiet) setStatus(found.message, "warn");
            return;
          }
          const latlng = L.latLng(found.lat, found.lng);
          map.setView(latlng, 17);
          setPoint(latlng, "geocoded");
          setStatus(found.message, "ok");
        })
        .catch(() => {});
    };
    if (geocodeButton) {
      geocodeButton.addEventListener("click", () => geocode(false));
      if (addressInput)
        addressInput.addEventListener("change", () => {
          if (!mapEl.dataset.pinned) geocode(true);
        });
    }

    if (clearPin) {
      clearPin.addEventListener("click", () => {
        if (marker) marker.remove();
        if (accuracy) accuracy.remove();
        marker = accuracy = null;
        lngInput.value = latInput.value = "";
        place.textContent = "";
        clearPin.hidden = true;
        delete mapEl.dataset.pinned;
        setStatus(msg("Pick"));
        askNearby();
        refreshAddressHint();
      });
    }

    map.on("click", (e) => setPoint(e.latlng, "moved"));

    // Without outlines (e.g. a resident's account sees none), draw a light graticule so the
    // map does not look broken, and let the scale bar give the distances.
    let graticule = null;
    const drawGraticule = () => {
      if (graticule) graticule.remove();
      const b = map.getBounds();
      const span = Math.max(b.getEast() - b.getWest(), 1e-6);
      const step = Math.pow(10, Math.floor(Math.log10(span / 4)));
      const lines = [];
      for (let x = Math.floor(b.getWest() / step) * step; x <= b.getEast(); x += step)
        lines.push([[b.getSouth(), x], [b.getNorth(), x]]);
      for (let y = Math.floor(b.getSouth() / step) * step; y <= b.getNorth(); y += step)
        lines.push([[y, b.getWest()], [y, b.getEast()]]);
      graticule = L.polyline(lines, { color: "#cbd5e1", weight: 1, interactive: false }).addTo(map);
    };

    const fallback = L.latLngBounds([[36.3, 101.6], [36.8, 102.9]]);
    const initial =
      lngInput.value && latInput.value ? L.latLng(parseFloat(latInput.value), parseFloat(lngInput.value)) : null;
    if (initial) {
      map.setView(initial, 16);
      setPoint(initial, "restored");
    } else {
      map.fitBounds(fallback);
    }

    const getLayers = (url) =>
      fetch(url, { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : { layers: [] }));
    const hasFeatures = (data) => (data.layers || []).some((layer) => layer.features.length);
    // Someone whose scope holds no region (a resident) gets the public administrative
    // outlines instead, so that there is something to find their place by.
    getLayers(mapEl.dataset.layersUrl)
      .then((data) =>
        hasFeatures(data) || !mapEl.dataset.outlinesUrl ? data : getLayers(mapEl.dataset.outlinesUrl)
      )
      .then((data) => {
        let bounds = null;
        let count = 0;
        for (const layer of data.layers || []) {
          if (!layer.features.length) continue;
          count += layer.features.length;
          const gj = L.geoJSON(layer.features, {
            style: () => styles[layer.level] || styles.grid,
            interactive: false,
          }).addTo(map);
          // Grids come last and lie inside the regions above them: they set the view only for
          // someone who sees no region, such as a grid worker with a few grids.
          if ((layer.level !== "grid" || !bounds) && gj.getBounds().isValid()) {
            bounds = bounds ? bounds.extend(gj.getBounds()) : gj.getBounds();
          }
          outlines = outlines || gj;
        }
        if (!count) {
          drawGraticule();
          map.on("moveend", drawGraticule);
          if (!mapEl.dataset.pinned && !mapEl.dataset.geolocate) setStatus(msg("NoOutlines"), "warn");
        }
        if (bounds && !mapEl.dataset.pinned) map.fitBounds(bounds, { animate: false });
        mapEl.dataset.ready = "1";
      })
      .catch(() => (mapEl.dataset.ready = "1"));

    // The phone's position (WGS84, like our outlines and what the server stores).
    const locateMe = () => {
      if (!("geolocation" in navigator)) {
        setStatus(msg("Failed"), "warn");
        return;
      }
      setStatus(msg("Locating"));
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          const latlng = L.latLng(pos.coords.latitude, pos.coords.longitude);
          map.setView(latlng, 17);
          if (accuracy) accuracy.remove();
          accuracy = L.circle(latlng, {
            radius: pos.coords.accuracy || 0,
            color: "#2563eb",
            weight: 1,
            fillOpacity: 0.08,
            interactive: false,
          }).addTo(map);
          setPoint(latlng, "located");
          setStatus(msg("Located").replace("%s", Math.round(pos.coords.accuracy || 0)), "ok");
        },
        () => setStatus(msg("Failed"), "warn"),
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 }
      );
    };
    const locateButton = $("[data-locate-me]");
    if (locateButton) locateButton.addEventListener("click", locateMe);
    if (mapEl.dataset.geolocate && !initial) locateMe();
    else if (!initial) setStatus(msg("Pick"));
    // The map's container may have been laid out after Leaflet measured it.
    setTimeout(() => map.invalidateSize(), 150);
  }

  askNearby();

  // --- sent back with an error: show the first one, and put the cursor in its field ---------
  const firstError = form.querySelector(".field-error:not([hidden])");
  if (firstError) {
    firstError.scrollIntoView({ block: "center" });
    const holder = firstError.closest(".field, .category-picker, section");
    const field = holder && holder.querySelector("textarea, input:not([type=hidden]):not([type=file])");
    if (field) field.focus({ preventScroll: true });
  }
})();
