// The commune picker: an ARIA combobox over /analyses/communes.json (accents and case ignored by the
// server's index). Choosing a suggestion writes "Name (code)" into the field; with data-submit the form
// is sent at once, so the use-case sheet opens the diagnostic. Without JavaScript the form still works:
// the server resolves a name or a code.
(function () {
  "use strict";
  function setup(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var items = [], active = -1, timer = null, last = "";
    function close() {
      list.hidden = true; input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant"); active = -1;
    }
    function highlight(i) {
      var opts = list.querySelectorAll("[role=option]");
      opts.forEach(function (o, j) { o.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (i >= 0 && opts[i]) { input.setAttribute("aria-activedescendant", opts[i].id); opts[i].scrollIntoView({ block: "nearest" }); }
    }
    function choose(i) {
      var c = items[i];
      if (!c) return;
      input.value = c.label + " (" + c.insee + ")";
      close();
      if (input.dataset.submit && input.form) {
        if (input.form.requestSubmit) input.form.requestSubmit(); else input.form.submit();
      }
    }
    function show(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (c, i) {
        var li = document.createElement("li");
        li.id = input.id + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.insee = c.insee;
        li.textContent = c.label + " (" + c.insee + (c.departement ? ", " + c.departement : "") + ")";
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      if (found.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); highlight(-1); }
      else close();
    }
    function lookup() {
      var q = input.value.trim();
      if (q === last) return;
      last = q;
      if (!q) { show([]); return; }
      fetch(input.dataset.complete + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (found) { if (input.value.trim() === q) show(found); })
        .catch(function () { show([]); });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, 120); });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(active); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }
  document.querySelectorAll("input[data-complete]").forEach(setup);
})();
