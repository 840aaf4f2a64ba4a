// The SPARQL editor as the Wikidata Query Service has it: one query, the catalogue examples in a menu,
// result views (editor-views.js), the view chosen by a `#defaultView:` comment, and a share link
// `/editor?z=...&view=...` (the query compressed by the server, server/pages/sharelinks.py) that reopens the
// same query in the same view; older `#query=...&view=...` links still open. YASQE and YASR are used
// on their own (no YASGUI tabs, endpoint field or settings menu); their English texts are replaced by
// the page's.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var S = config.strings;
  var Yasqe = Yasgui.Yasqe;
  var Yasr = Yasgui.Yasr;
  var examples = config.examples || [];
  var DEFAULT_VIEW_RE = /^[ \t]*#[ \t]*defaultView[ \t]*:[ \t]*([A-Za-z]+)/m;

  window.OdlEditorViews.register(Yasr, config);
  frenchTable(Yasr);

  // LOV/prefix.cc autocompleters fetch remote services: keep completion local, by label from this
  // graph (editor-complete.js).
  window.OdlEditorComplete.register(Yasqe);
  Yasqe.defaults.autocompleters = ["variables", "prefixes", "labels"];
  var yasqe = new Yasqe(document.getElementById("yasqe"), {
    // truncate=true: the editor shows at most the row cap of a long SELECT answer (the endpoint
    // refuses a cut answer to clients that did not ask for one).
    requestConfig: {
      endpoint: new URL(config.endpoint, window.location.href).href,
      method: "POST",
      args: [{ name: "truncate", value: "true" }]
    },
    persistenceId: null,
    consumeShareLink: null,
    createShareableLink: null,  // the page's own share link replaces YASQE's
    autofocus: false,
    // the editable text inside the scrolled area: keyboard users reach what they scroll
    inputStyle: "contenteditable",
    editorHeight: "22rem"
  });
  var yasr = new Yasr(document.getElementById("yasr"), {
    persistenceId: null,
    prefixes: function () { return yasqe.getPrefixesFromQuery(); },
    defaultPlugin: "table",
    pluginOrder: ["table", "map", "bar", "line", "graph", "response"]
  });

  // The view a user picked for the query as it stands; null lets `#defaultView:` decide at the next run.
  var chosenView = null;

  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }

  function viewFromQuery(text) {
    var m = DEFAULT_VIEW_RE.exec(text || "");
    if (!m) return null;
    var name = m[1].toLowerCase();
    var views = config.views || {};
    for (var key in views) {
      if (key.toLowerCase() === name) return views[key];
    }
    return Yasr.plugins[name] ? name : null;
  }

  function selectView(name) {
    if (name && Yasr.plugins[name]) yasr.selectPlugin(name);
  }

  // -- share link --------------------------------------------------------------------------------
  // The long form, used only when the server cannot be asked for the short one.
  function longLink() {
    return window.location.origin + window.location.pathname + "#query=" + encodeURIComponent(yasqe.getValue()) +
      "&view=" + encodeURIComponent(yasr.getSelectedPluginName());
  }
  var shared = { text: null, view: null, link: null };
  function shareLink() {
    var text = yasqe.getValue(), view = yasr.getSelectedPluginName();
    if (shared.text === text && shared.view === view && shared.link) return Promise.resolve(shared.link);
    return fetch(config.share, {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ query: text, view: view })
    }).then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (body) {
        shared = { text: text, view: view, link: body.link, safe: body.mail_safe };
        return body.link;
      }, function () { return longLink(); });
  }

  var shareField = document.getElementById("share-link");
  var shareLong = document.getElementById("share-long");
  var syncing = 0;
  function syncShare() {
    var ticket = ++syncing;
    return shareLink().then(function (link) {
      if (ticket !== syncing) return link;  // a later edit's link is on its way
      shareField.value = link;
      shareLong.hidden = link.length <= config.mail_safe;
      if (window.location.href !== link) window.history.replaceState(null, "", link);
      // the language switch keeps the query and the view
      var target = new URL(link);
      document.querySelectorAll("nav.langs a[href]").forEach(function (a) {
        var url = new URL(a.href);
        var lang = url.searchParams.get("lang");
        url.search = target.search;
        if (lang) url.searchParams.set("lang", lang);
        url.hash = target.hash;
        a.href = url.href;
      });
      return link;
    });
  }

  var status = document.getElementById("share-status");
  document.getElementById("copy-share").addEventListener("click", function () {
    syncShare().then(copy);
  });
  function copy() {
    function failed() {
      shareField.focus();
      shareField.select();
      status.textContent = S.copy_failed;
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(shareField.value).then(function () { status.textContent = S.copied; }, failed);
    } else {
      shareField.select();
      try {
        status.textContent = document.execCommand("copy") ? S.copied : S.copy_failed;
      } catch (e) {
        failed();
      }
    }
  }

  // Share links: `?z=...&view=...` (decoded by the server into config.shared); the older
  // `#query=...&view=...`; YASGUI's own `#query=...&outputFormat=...`; `?query=` (the pages' "open in the
  // editor" links).
  function linkParams() {
    var hash = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    if (hash.get("query")) return { query: hash.get("query"), view: hash.get("view") || hash.get("outputFormat"), run: true };
    if (config.shared && config.shared.error) status.textContent = S.share_bad + " (" + config.shared.error + ")";
    if (config.shared && config.shared.query) return { query: config.shared.query, view: config.shared.view, run: true };
    var search = new URLSearchParams(window.location.search);
    if (search.get("query")) return { query: search.get("query"), view: search.get("view"), run: false };
    return null;
  }

  // -- examples ------------------------------------------------------------------------------------
  function loadExample(i) {
    var ex = examples[i];
    if (!ex) return;
    yasqe.setValue(ex.query);
    chosenView = null;
    selectView(viewFromQuery(ex.query) || ex.view);
    syncShare();
  }
  var menu = document.getElementById("examples");
  document.querySelectorAll("[data-example]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      loadExample(Number(btn.getAttribute("data-example")));
      menu.open = false;
      status.textContent = S.loaded + btn.textContent;
      yasqe.focus();
    });
  });

  // -- wiring --------------------------------------------------------------------------------------
  yasqe.on("queryBefore", function () {
    if (!chosenView) selectView(viewFromQuery(yasqe.getValue()));
  });
  yasqe.on("queryResponse", function (instance, response, duration) {
    yasr.setResponse(response, duration);
  });
  var pending = null;
  yasqe.on("change", function () {
    chosenView = null;
    clearTimeout(pending);
    pending = setTimeout(syncShare, 250);
  });
  // a view button of YASR's header: the user's choice, kept in the share link
  document.getElementById("yasr").addEventListener("click", function (evt) {
    var btn = evt.target.closest && evt.target.closest("button.yasr_btn");
    var m = btn && /(?:^|\s)select_(\w+)/.exec(btn.className);
    if (!m) return;
    chosenView = m[1];
    setTimeout(syncShare, 0);
  });
  yasr.on("change", function () { setTimeout(syncShare, 0); });

  // -- interface language --------------------------------------------------------------------------
  function frenchTable(YasrClass) {
    var table = YasrClass.plugins.table;
    if (!table || !table.defaults || !table.defaults.tableConfig || !S.dt_info) return;
    table.defaults.tableConfig.language = {
      info: S.dt_info, infoEmpty: S.dt_info_empty, infoFiltered: S.dt_info_filtered, emptyTable: S.dt_empty,
      zeroRecords: S.dt_zero, lengthMenu: S.dt_length, search: S.dt_search,
      paginate: { first: "&lt;&lt;", last: "&gt;&gt;", next: "&gt;", previous: "&lt;" },
      aria: { sortAscending: S.dt_sort_asc, sortDescending: S.dt_sort_desc }
    };
  }

  var texts = config.yasgui || {};
  var SHOWS_RE = /^Shows (.+) view$/;
  var RESULTS_RE = /^(\d+) results? in ([\d.]+) seconds?$/;
  var RESPONSE_RE = /^Response in ([\d.]+) seconds?$/;
  var FALLBACK_RE = /^Could not render results with the (.+) plugin, the results currently are rendered with the (.+) plugin\.$/;
  function localise(root) {
    root.querySelectorAll("[title], [aria-label], [placeholder]").forEach(function (e) {
      ["title", "aria-label", "placeholder"].forEach(function (attr) {
        var v = e.getAttribute(attr);
        if (v === null) return;
        var out = texts[v];
        var m = SHOWS_RE.exec(v);
        if (m) out = S.show_view + m[1];
        if (out && out !== v) e.setAttribute(attr, out);
      });
    });
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode())) {
      var key = node.nodeValue.trim();
      var r = RESULTS_RE.exec(key);
      var f = FALLBACK_RE.exec(key);
      var rr = RESPONSE_RE.exec(key);
      if (rr) {
        node.nodeValue = fmt(S.response_in, { s: Number(rr[1]).toLocaleString(config.lang) });
      } else if (f) {
        node.nodeValue = fmt(S.fallback, { chosen: f[1], shown: f[2] });
      } else if (r) {
        var out = fmt(S.results_in, { n: Number(r[1]).toLocaleString(config.lang), s: Number(r[2]).toLocaleString(config.lang) });
        if (out !== key) node.nodeValue = out;
      } else if (key && texts[key] && texts[key] !== key) {
        node.nodeValue = node.nodeValue.replace(key, texts[key]);
      }
    }
    root.querySelectorAll(".yasr .yasr_btn").forEach(function (btn) {
      var off = btn.classList.contains("disabled") ? "true" : null;
      if (btn.getAttribute("aria-disabled") !== off) {
        if (off) btn.setAttribute("aria-disabled", off); else btn.removeAttribute("aria-disabled");
      }
    });
    root.querySelectorAll(".yasr select:not([aria-label])").forEach(function (sel) {
      sel.setAttribute("aria-label", (texts["Page size:"] || "Page size:").replace(/\s*:\s*$/, ""));
    });
    var input = yasqe.getInputField && yasqe.getInputField();
    if (input && input.getAttribute("aria-label") !== S.query_label) {
      input.setAttribute("aria-label", S.query_label);
      input.setAttribute("role", "textbox");
      input.setAttribute("aria-multiline", "true");
    }
  }
  var editorEl = document.getElementById("editor");
  var busy = false;
  new MutationObserver(function () {
    if (busy) return;
    busy = true;
    try { localise(editorEl); } finally { busy = false; }
  }).observe(editorEl, { childList: true, subtree: true, attributes: true,
    attributeFilter: ["title", "aria-label", "placeholder", "class"] });
  localise(editorEl);

  // -- start -------------------------------------------------------------------------------------
  var link = linkParams();
  if (link) {
    yasqe.setValue(link.query);
    selectView(link.view || viewFromQuery(link.query) || "table");
    chosenView = link.view || null;
    syncShare();
    if (link.run) yasqe.query();
  } else if (examples.length) {
    loadExample(0);
  }
  window.odlEditor = { yasqe: yasqe, yasr: yasr, shareLink: shareLink, syncShare: syncShare, loadExample: loadExample };
})();
