// Keyboard keys of the annotation page: 1..9 give the class of that button, s skips.
// Every action is a plain HTML form (it works without this script); keys only submit those forms.
(function () {
  "use strict";
  var busy = false; // one submission per page: a held-down key must not label twice
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () { busy = true; });
  });
  function submit(id) {
    var form = document.getElementById(id);
    if (!form || busy) { return false; }
    busy = true;
    form.requestSubmit();
    return true;
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].indexOf(target.tagName) >= 0)) { return; }
    if (document.body.dataset.page !== "annotate") { return; }
    var done = false;
    if (/^[1-9]$/.test(event.key)) { done = submit("label-" + event.key); }
    else if (event.key === "s") { done = submit("form-skip"); }
    if (done) { event.preventDefault(); }
  });
  // The admin page: the headline figures follow the labels as they come in (the tables on reload).
  function figure(value) { return value === null || value === undefined ? "\u2013" : value.toFixed(3); }
  function refresh() {
    fetch("/api/admin", {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var set = function (id, text) { var el = document.getElementById(id); if (el) { el.textContent = text; } };
        set("complete", String(data.complete));
        set("labels", String(data.labels));
        set("labelled", String(data.labelled));
        set("skips", String(data.skips));
        if (data.agreement) {
          set("raw-agreement", figure(data.agreement.raw_agreement));
          set("fleiss-kappa", figure(data.agreement.fleiss_kappa));
          set("krippendorff-alpha", figure(data.agreement.krippendorff_alpha));
        }
        set("updated", "updated " + new Date().toISOString().slice(11, 19) + " UTC");
      })
      .catch(function () { /* the next round tries again */ });
  }
  if (document.body.dataset.page === "admin") { window.setInterval(refresh, 10000); }
  document.documentElement.dataset.keys = "ready";
})();
