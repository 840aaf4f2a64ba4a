// Interactive page of the OpenAPI document (swagger-ui, vendored: no CDN, no validator badge).
// No deep links: swagger-ui puts their anchors inside each operation's toggle button (a link in a
// button cannot be reached by keyboard); its server picker gets the name it lacks.
window.addEventListener("load", function () {
  var el = document.getElementById("swagger-ui");
  var name = el.dataset.serversLabel || "Servers";
  function label() {
    el.querySelectorAll("select#servers:not([aria-label])").forEach(function (s) { s.setAttribute("aria-label", name); });
  }
  new MutationObserver(label).observe(el, { childList: true, subtree: true });
  window.ui = SwaggerUIBundle({
    url: el.dataset.spec, dom_id: "#swagger-ui", deepLinking: false, validatorUrl: null,
    defaultModelsExpandDepth: 0, onComplete: label,
  });
});
