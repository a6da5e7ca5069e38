// The settlement form: one more obligation row.
document.addEventListener("click", (evt) => {
  const button = evt.target.closest && evt.target.closest("[data-add-obligation]");
  if (!button) return;
  const rows = button.parentElement.querySelector("[data-obligation-rows]");
  const copy = rows.firstElementChild.cloneNode(true);
  copy.querySelectorAll("input").forEach((input) => { input.value = ""; });
  rows.appendChild(copy);
});
