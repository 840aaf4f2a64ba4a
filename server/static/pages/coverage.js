// The coverage map of a dataset page: circle markers at the points the graph locates, over a blank
// background (no tile server: the pages work offline). Data: the #coverage-points list of the page (its text alternative), over the
// towns the graph locates, in grey (data-reference), for orientation.
(function () {
  "use strict";
  window.addEventListener("load", function () {
    var el = document.getElementById("coverage-map");
    var list = document.getElementById("coverage-points");
    if (!el || !list || typeof L === "undefined") return;
    var points = Array.prototype.map.call(list.querySelectorAll("li"), function (li) {
      var a = li.querySelector("a");
      return { lat: parseFloat(li.dataset.lat), lon: parseFloat(li.dataset.lon), href: a.href, label: a.textContent };
    });
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: false }).setView([46.6, 2.4], 5);
    var reference = JSON.parse(el.dataset.reference || "[]");
    reference.forEach(function (ll) {
      L.circleMarker(ll, { radius: 2, weight: 0, fillColor: "#a0aec0", fillOpacity: 0.8, interactive: false }).addTo(map);
    });
    var bounds = [];
    points.forEach(function (p) {
      var m = L.circleMarker([p.lat, p.lon], { radius: 6, weight: 1, color: "#1a202c", fillColor: "#2b6cb0",
                                                fillOpacity: 0.9 });
      var a = document.createElement("a");
      a.href = p.href;
      a.textContent = p.label;
      m.bindPopup(a);
      m.addTo(map);
      bounds.push([p.lat, p.lon]);
    });
    // Frame the coverage with the reference towns around it (a lone point gets France as context).
    if (bounds.length === 1) map.setView(bounds[0], 6);
    else if (bounds.length) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 8 });
    el.dataset.markers = String(bounds.length);
  });
})();
