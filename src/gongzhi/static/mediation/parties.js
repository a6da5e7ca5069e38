// Party rows: add one from the formset's empty form, remove one (marked for deletion).
(function () {
  const form = document.querySelector("[data-register-form]");
  if (!form) return;
  const rows = form.querySelector("[data-party-rows]");
  const template = form.querySelector("[data-party-template]");
  const total = form.querySelector("input[name=parties-TOTAL_FORMS]");
  form.querySelector("[data-add-party]").addEventListener("click", () => {
    const n = parseInt(total.value, 10);
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(n)));
    total.value = String(n + 1);
    const added = rows.lastElementChild;
    const side = added.querySelector("select[name$=-side]");
    if (side) side.value = n % 2 ? "respondent" : "applicant";
    added.classList.toggle("respondent", side && side.value === "respondent");
    const name = added.querySelector("input[name$=-name]");
    if (name) name.focus();
  });
  rows.addEventListener("click", (evt) => {
    const button = evt.target.closest("[data-remove-party]");
    if (!button) return;
    const row = button.closest("[data-party-row]");
    row.querySelector("input[name$=-DELETE]").checked = true;
    row.hidden = true;
  });
  rows.addEventListener("change", (evt) => {
    if (evt.target.matches("select[name$=-side]")) {
      evt.target.closest("[data-party-row]").classList.toggle("respondent", evt.target.value === "respondent");
    }
  });
  // One submission per tap: a second tap while the first is on its way sends nothing.
  form.addEventListener("submit", () => {
    form.querySelector("[data-testid=submit]").disabled = true;
  });
})();
