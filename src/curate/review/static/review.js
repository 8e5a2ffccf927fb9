// Keyboard shortcuts, the help overlay and the class type-ahead of the review pages.
// Every action is a plain HTML form (it works without this script); keys only submit those forms.
// Dataset content is never inserted as markup here: only textContent.
(function () {
  "use strict";
  var page = document.body.dataset.page;
  var help = document.getElementById("help");
  var busy = false; // one submission per page: a held-down key must not record twice

  function typing(target) {
    return target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].indexOf(target.tagName) >= 0);
  }
  function submit(id) {
    var form = document.getElementById(id);
    if (!form || busy) { return false; }
    busy = true;
    form.requestSubmit();
    return true;
  }
  function go(id) {
    var link = document.getElementById(id);
    if (!link || busy) { return false; }
    busy = true;
    window.location.assign(link.href);
    return true;
  }
  function toggleHelp(show) {
    if (help) { help.hidden = show === undefined ? !help.hidden : !show; }
  }
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () { busy = true; });
  });
  var helpButton = document.getElementById("help-button");
  if (helpButton) { helpButton.addEventListener("click", function () { toggleHelp(); }); }
  if (help) { help.addEventListener("click", function (e) { if (e.target === help) { toggleHelp(false); } }); }

  function itemKey(key) {
    if (/^[1-9]$/.test(key)) { return submit("relabel-" + key); }
    switch (key) {
      case "k": return submit("form-keep");
      case "a": return submit("form-ambiguous");
      case "d": return submit("form-remove");
      case "s": return submit("form-skip");
      case "j": case "n": case "ArrowRight": return go("next-link");
      case "p": case "ArrowLeft": return go("prev-link");
      case "q": return go("back-to-queue");
      case "r": case "/": {
        var input = document.getElementById("relabel-input");
        if (input) { input.focus(); return true; }
        return false;
      }
    }
    return false;
  }

  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.queue-row"));
  var selected = -1;
  function select(index) {
    if (!rows.length) { return false; }
    if (selected >= 0) { rows[selected].classList.remove("selected"); }
    selected = Math.max(0, Math.min(rows.length - 1, index));
    rows[selected].classList.add("selected");
    rows[selected].scrollIntoView({block: "nearest"});
    return true;
  }
  // Each queue row is one line; its whole input and findings wait, rendered and escaped by the
  // server, in the hidden row after it. Expanding only unhides that row.
  function expand(row, show) {
    var details = document.getElementById(row.dataset.details);
    var button = row.querySelector("button.expand");
    if (!details || !button) { return false; }
    show = show === undefined ? details.hidden : show;
    details.hidden = !show;
    button.setAttribute("aria-expanded", String(show));
    button.title = show ? "hide the whole input (e)" : "show the whole input (e)";
    if (show) { row.dataset.expanded = ""; details.scrollIntoView({block: "nearest"}); }
    else { delete row.dataset.expanded; }
    return true;
  }
  rows.forEach(function (row, index) {
    var button = row.querySelector("button.expand");
    if (button) { button.hidden = false; }
    row.addEventListener("click", function (e) {
      if (e.target.closest("a") || String(window.getSelection())) { return; } // a link, or text being copied
      if (selected !== index) { select(index); }
      expand(row);
    });
  });
  function queueKey(key) {
    switch (key) {
      case "j": case "ArrowDown": return select(selected + 1);
      case "k": case "ArrowUp": return select(selected - 1);
      case "e":
        if (selected < 0) { select(0); }
        return rows.length > 0 && expand(rows[selected]);
      case "Enter": case "o":
        if (selected < 0) { select(0); }
        if (rows.length && !busy) { busy = true; window.location.assign(rows[selected].dataset.href); return true; }
        return false;
    }
    return false;
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (e.key === "Escape") {
      toggleHelp(false);
      if (typing(e.target)) { e.target.blur(); }
      return;
    }
    if (typing(e.target)) { return; }
    var handled = false;
    if (e.key === "?") { toggleHelp(); handled = true; }
    else if (e.key === "u") { handled = submit("form-undo"); }
    else if (page === "item") { handled = itemKey(e.key); }
    else if (page === "queue") { handled = queueKey(e.key); }
    if (handled) { e.preventDefault(); }
  });

  // Type-ahead over all classes: matches listed as the user types; Enter takes the only match.
  var input = document.getElementById("relabel-input");
  var matches = document.getElementById("typeahead-matches");
  if (input && matches) {
    var classes = Array.prototype.map.call(document.querySelectorAll("#class-list option"),
      function (o) { return o.value; });
    var found = function () {
      var q = input.value.trim().toLowerCase();
      if (!q) { return []; }
      var starts = classes.filter(function (c) { return c.toLowerCase().indexOf(q) === 0; });
      var inside = classes.filter(function (c) { return c.toLowerCase().indexOf(q) > 0; });
      return starts.concat(inside);
    };
    input.addEventListener("input", function () {
      matches.replaceChildren();
      found().slice(0, 9).forEach(function (c) {
        var li = document.createElement("li");
        li.textContent = c;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); input.value = c; input.form.requestSubmit(); });
        matches.appendChild(li);
      });
    });
    input.form.addEventListener("submit", function (e) {
      if (classes.indexOf(input.value) >= 0) { return; }
      var all = found();
      var exact = all.filter(function (c) { return c.toLowerCase() === input.value.trim().toLowerCase(); });
      if (exact.length === 1 || all.length === 1) { input.value = (exact[0] || all[0]); return; }
      e.preventDefault();
      busy = false;
      matches.replaceChildren();
      var li = document.createElement("li");
      li.className = "error";
      li.textContent = all.length ? "several classes match: type more" : "no class matches";
      matches.appendChild(li);
    });
  }
  // The confirmation of the decision that led here is in the page from the start, and screen readers
  // announce only changes to a live region: put the same words in again once the page has settled.
  var status = document.getElementById("status");
  if (status && status.textContent) {
    var said = status.textContent;
    window.setTimeout(function () { status.replaceChildren(document.createTextNode(said)); }, 300);
  }
  document.documentElement.dataset.keys = "ready"; // the shortcuts work from here on
})();
