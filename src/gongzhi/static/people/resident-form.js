// The date of birth and sex as the ID number is typed (the server reads them again).
(function () {
  const input = document.querySelector("[data-id-number]");
  if (!input) return;
  const birth = document.querySelector("[data-birth]"), sex = document.querySelector("[data-sex]");
  const labels = {male: document.currentScript.dataset.male, female: document.currentScript.dataset.female};
  function show() {
    const v = input.value.normalize("NFKC").replace(/\s/g, "").toUpperCase();
    const ok = /^\d{17}[\dX]$/.test(v);
    birth.textContent = ok ? `${v.slice(6, 10)}-${v.slice(10, 12)}-${v.slice(12, 14)}` : "";
    sex.textContent = ok ? labels[Number(v[16]) % 2 ? "male" : "female"] : "";
  }
  input.addEventListener("input", show);
})();
