// Behaviour every page shares, kept in a file: the Content-Security-Policy forbids inline scripts and
// inline event handlers (no onchange="…" in the templates).
(function () {
  "use strict";
  // A <select data-autosubmit> submits its form when its value changes (the language switch).
  document.querySelectorAll("select[data-autosubmit]").forEach(select => {
    select.addEventListener("change", () => select.form.submit());
  });
})();
