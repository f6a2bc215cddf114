// The tablet checkpoint screen (web/checkpoint.html). "All as declared" fills the empty "found" fields of a
// vehicle (data-fill = its key) or of the whole leg ("*") with what the leg should carry (data-declared),
// here in the browser; without JavaScript the same button asks the server, which sends the screen back
// filled in. Nothing is recorded until "Record inspection" is pressed; Enter in a count moves to the next
// one. A refused form is scrolled to and its list of problems focused, so the officer sees what to do.
(function () {
  "use strict";
  document.addEventListener("click", event => {
    const button = event.target.closest("button[data-fill]");
    if (!button) { return; }
    event.preventDefault();
    const form = button.form;
    const key = button.dataset.fill;
    const scope = key === "*" ? form : button.closest("fieldset.vehicle");
    let filled = 0;
    scope.querySelectorAll("input.found").forEach(input => {
      if (input.value.trim() === "") {
        input.value = input.dataset.declared;
        input.classList.add("as-declared");
        filled += 1;
      }
    });
    button.setAttribute("aria-pressed", "true");
    const status = form.querySelector(".fill-status");
    if (status) { status.textContent = status.dataset.template.replace("%(count)s", String(filled)); }
  });
  // Enter (or the tablet keyboard's "Go") in a count moves to the next count instead of submitting the form
  document.addEventListener("keydown", event => {
    if (event.key !== "Enter" || !event.target.matches("input.found")) { return; }
    event.preventDefault();
    const counts = [...event.target.form.querySelectorAll("input.found")];
    const next = counts[counts.indexOf(event.target) + 1];
    if (next) { next.focus(); next.select(); } else { event.target.blur(); }
  });
  // a count typed by hand is no longer "as declared"
  document.addEventListener("input", event => {
    if (event.target.matches("input.found")) { event.target.classList.remove("as-declared"); }
  });
  const problems = document.querySelector(".inspection .problems");
  if (problems) {
    problems.scrollIntoView({block: "start"});
    problems.focus({preventScroll: true});
  }
})();
