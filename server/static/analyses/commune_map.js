// The commune page's small map: its centroid (red) among the ACV towns (grey) on a blank background,
// with no tiles, so it works offline. Data: the #commune-map-data JSON the page embeds.
(function () {
  "use strict";
  var el = document.getElementById("commune-map");
  var data = JSON.parse(document.getElementById("commune-map-data").textContent);
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
  data.others.forEach(function (p) {
    L.circleMarker(p, { radius: 3, weight: 0, fillColor: "#8a8a8a", fillOpacity: 0.7, interactive: false }).addTo(map);
  });
  var here = [data.point.lat, data.point.lon];
  // Leaflet writes a string tooltip as HTML: the label (data) goes in as a text node.
  var label = document.createElement("span");
  label.textContent = data.point.label;
  L.circleMarker(here, { radius: 8, weight: 2, color: "#1b1b1b", fillColor: "#b3261e", fillOpacity: 1 })
    .bindTooltip(label, { permanent: true, direction: "right" }).addTo(map);
  map.setView(here, 7);
  el.dataset.ready = "true";
})();
