// Map of the ACV communes coloured by readiness: circle markers over a blank background (no tiles,
// so the page works offline). Data: /api/readiness (every commune x every use case in one request).
(function () {
  "use strict";
  function colour(score) {
    if (score === null || score === undefined) return "#a0aec0";
    var r, g, b;
    if (score < 0.5) { var t = score / 0.5; r = 197 + (214 - 197) * t; g = 48 + (158 - 48) * t; b = 48 + (46 - 48) * t; }
    else { var u = (score - 0.5) / 0.5; r = 214 + (47 - 214) * u; g = 158 + (133 - 158) * u; b = 46 + (90 - 46) * u; }
    return "rgb(" + Math.round(r) + "," + Math.round(g) + "," + Math.round(b) + ")";
  }
  // Leaflet writes a string popup as HTML: the popup is built as nodes, data as text.
  function node(tag, text) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }
  function popup(c, pct, link, words) {
    var box = node("div");
    box.appendChild(node("strong", c.label));
    box.appendChild(document.createTextNode(" (" + c.insee + ")"));
    box.appendChild(node("br"));
    box.appendChild(document.createTextNode(words.readiness + " : " + pct));
    box.appendChild(node("br"));
    box.appendChild(document.createTextNode(words.ready + " : " + c.ready));
    box.appendChild(node("br"));
    var a = node("a", words.diagnostic);
    a.href = link;
    box.appendChild(a);
    return box;
  }
  window.addEventListener("load", function () {
    var el = document.getElementById("readiness-map");
    var words = JSON.parse(document.getElementById("map-strings").textContent);
    var status = document.getElementById("map-status");
    var map = L.map(el, { zoomSnap: 0.25 }).setView([46.6, 2.4], 5.5);
    var layer = L.layerGroup().addTo(map);
    var data = null;
    function draw() {
      var uc = document.getElementById("usecase-select").value;
      layer.clearLayers();
      var bounds = [];
      data.communes.forEach(function (c) {
        if (c.lat === null || c.lon === null) return;
        var score = uc ? c.scores[uc] : c.mean;
        var m = L.circleMarker([c.lat, c.lon], {
          radius: 6, weight: 1, color: "#1a202c", fillColor: colour(score), fillOpacity: 0.9
        });
        m.options.score = score;
        var pct = (score === null || score === undefined) ? words.unknown : Math.round(score * 100) + " %";
        var link = el.dataset.diagnostic + "?commune=" + encodeURIComponent(c.insee) +
          (uc ? "&usecase=" + encodeURIComponent(uc.split("/").pop()) : "");
        m.bindPopup(popup(c, pct, link, words));
        m.addTo(layer);
        bounds.push([c.lat, c.lon]);
      });
      if (bounds.length) map.fitBounds(bounds, { padding: [20, 20] });
      status.textContent = bounds.length + " — " + words.shown;
      el.dataset.markers = String(bounds.length);
    }
    fetch(el.dataset.url, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (d) { data = d; draw(); })
      .catch(function (e) { status.textContent = "HTTP: " + e.message; });
    document.getElementById("map-form").addEventListener("submit", function (e) { e.preventDefault(); });
    document.getElementById("usecase-select").addEventListener("change", function () { if (data) draw(); });
  });
})();
