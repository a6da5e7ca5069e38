// Small page behaviours declared by data- attributes, so that no page needs an inline
// script or handler (the Content-Security-Policy allows neither):
//   <select data-autosubmit>       sends its form when changed
//   <form data-confirm="question"> asks before it is sent
//   <button data-print>            prints the page
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    const field = e.target.closest && e.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.submit();
  });
  document.addEventListener("submit", function (e) {
    const form = e.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  }, true);
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) window.print();
  });
})();
