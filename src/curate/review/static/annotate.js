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
  document.documentElement.dataset.keys = "ready";
})();
