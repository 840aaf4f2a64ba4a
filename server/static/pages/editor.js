// The YASGUI editor: same-origin endpoint, no remote autocompletion, catalogue queries as tabs,
// and the page URL kept equal to YASGUI's share link (query + view) so it can be copied.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;
  // LOV/prefix.cc autocompleters fetch remote services: keep completion local.
  Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
  var fromUrl = new URLSearchParams(window.location.search).has("query");
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    // truncate=true: the editor shows at most the row cap of a long SELECT answer (the endpoint
    // refuses a cut answer to clients that did not ask for one).
    requestConfig: { endpoint: endpoint, method: "POST", args: [{ name: "truncate", value: "true" }] },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return []; } },
    persistenceId: null,
    populateFromUrl: true,
    autofocus: false
  });
  window.yasgui = yasgui;

  function tabConfig(ex) {
    return { name: ex.name, yasqe: { value: ex.query } };
  }
  var examples = config.examples || [];
  var tabIds = {};
  examples.forEach(function (ex, i) {
    var first = i === 0 && !fromUrl;
    var tab;
    if (first) {
      tab = yasgui.getTab();
      tab.getYasqe().setValue(ex.query);
      tab.setName(ex.name);
    } else {
      tab = yasgui.addTab(false, tabConfig(ex));
    }
    tabIds[i] = tab.getId();
  });

  document.querySelectorAll("[data-example]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var i = btn.getAttribute("data-example");
      var id = tabIds[i];
      if (id && yasgui.getTab(id)) {
        yasgui.selectTabId(id);
      } else {
        tabIds[i] = yasgui.addTab(true, tabConfig(examples[i])).getId();
      }
    });
  });

  function syncUrl() {
    var tab = yasgui.getTab();
    if (!tab) return;
    try {
      var link = tab.getShareableLink(window.location.origin + window.location.pathname);
      window.history.replaceState(null, "", link);
    } catch (e) { /* sharing is a convenience; never break the editor */ }
  }
  yasgui.on("tabSelect", function () { setTimeout(syncUrl, 0); });
  yasgui.on("queryResponse", function () { setTimeout(syncUrl, 0); });
  yasgui.on("tabChange", function () { setTimeout(syncUrl, 0); });
})();
