// The triage queue: every row's category choice offers the whole list, which the page
// carries once (<template id="triage-categories">); without this script a row offers its
// own suggestions and the category chosen at intake.
(() => {
  "use strict";
  const all = document.getElementById("triage-categories");
  if (!all) return;
  for (const select of document.querySelectorAll("select[data-category-choices]")) {
    const chosen = select.value;
    select.replaceChildren(all.content.cloneNode(true));
    select.value = chosen;
  }
})();
