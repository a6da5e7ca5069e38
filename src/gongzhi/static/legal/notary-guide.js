// Show a question only when the earlier answers call for it (data-when="key=v1|v2;…").
(function () {
  const form = document.querySelector("[data-guide-form]");
  if (!form) return;
  function value(key) {
    const checked = form.querySelector(`input[name="${key}"]:checked`);
    return checked ? checked.value : "";
  }
  function refresh() {
    form.querySelectorAll("fieldset[data-when]").forEach((box) => {
      const ok = box.dataset.when.split(";").every((cond) => {
        const [key, values] = cond.split("=");
        return values.split("|").includes(value(key));
      });
      box.hidden = !ok;
    });
  }
  form.addEventListener("change", refresh);
  refresh();
})();
