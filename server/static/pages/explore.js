// Network view (cytoscape.js) and openness charts (Chart.js). Labels come from the graph: they are
// only ever set through textContent or drawn on canvas, never parsed as HTML.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("explore-config").textContent);
  var select = document.getElementById("theme");
  var COLORS = { challenge: "#b3261e", usecase: "#1f5fa8", datacategory: "#2e7d32", actor: "#6a3d9a" };
  var STATUS = { open: "#2e7d32", candidate: "#1f5fa8", "not-accessible-unjustified": "#b3261e",
                 "not-accessible-justified": "#c77700", other: "#6b6b6b" };
  var cy = null;
  var focus = document.getElementById("network-focus");
  var LEVEL = { challenge: 0, usecase: 1, datacategory: 2, actor: 3 };

  // Small graphs: one row per level (challenge -> use case -> data -> actor). Large ones: a
  // force-directed layout, labels shown once zoomed in (hover shows any node's label below).
  function layoutFor(elements) {
    var nodes = elements.filter(function (e) { return e.group === "nodes"; });
    if (nodes.length <= 40) {
      return { name: "breadthfirst", directed: true, spacingFactor: 0.9,
               roots: nodes.filter(function (e) { return e.data.kind === "challenge"; })
                           .map(function (e) { return "#" + CSS.escape(e.data.id); }).join(",") || undefined };
    }
    return { name: "concentric", minNodeSpacing: 6, avoidOverlap: true,
             concentric: function (n) { return 4 - LEVEL[n.data("kind")]; },
             levelWidth: function () { return 1; } };
  }

  function loadNetwork() {
    var url = config.network + (select.value ? "?theme=" + encodeURIComponent(select.value) : "");
    fetch(url, { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); }).then(function (data) {
      if (cy) cy.destroy();
      var big = data.elements.filter(function (e) { return e.group === "nodes"; }).length > 40;
      cy = cytoscape({
        container: document.getElementById("network"),
        elements: data.elements,
        style: [
          { selector: "node", style: { label: big ? "" : "data(label)", "font-size": 9, "text-wrap": "ellipsis",
            "text-max-width": 120, "min-zoomed-font-size": 7, width: 14, height: 14, "background-color": function (n) { return COLORS[n.data("kind")] || "#555"; } } },
          { selector: "edge", style: { width: 1, "line-color": "#9aa", "target-arrow-shape": "triangle",
            "target-arrow-color": "#9aa", "curve-style": "bezier" } },
          { selector: "edge[kind = 'indispensable']", style: { width: 2.5, "line-color": "#444", "target-arrow-color": "#444" } },
          { selector: "node.show", style: { label: "data(label)", "z-index": 10, "text-background-color": "#fff",
            "text-background-opacity": 0.85 } },
          { selector: "edge.hl", style: { "line-color": "#f0a500", "target-arrow-color": "#f0a500", width: 3, "z-index": 9 } }
        ],
        layout: layoutFor(data.elements)
      });
      cy.on("tap", "node", function (evt) { window.location.href = evt.target.data("href"); });
      cy.on("mouseover", "node", function (evt) {
        focus.textContent = evt.target.data("label");
        evt.target.connectedEdges().addClass("hl");
        evt.target.closedNeighborhood("node").addClass("show");
      });
      cy.on("mouseout", "node", function (evt) {
        evt.target.connectedEdges().removeClass("hl");
        evt.target.closedNeighborhood("node").removeClass("show");
      });
      var list = document.getElementById("node-list");
      list.textContent = "";
      data.elements.filter(function (e) { return e.group === "nodes"; }).forEach(function (e) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = e.data.href;
        a.textContent = e.data.label;
        li.appendChild(a);
        li.className = "kind-" + e.data.kind;
        list.appendChild(li);
      });
      document.getElementById("network").setAttribute("data-nodes", String(cy.nodes().length));
    });
  }

  function drawChart(id, chart) {
    var el = document.getElementById(id);
    new Chart(el, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map(function (ds) {
          return { label: ds.label, data: ds.data, backgroundColor: STATUS[ds.code] || "#888" };
        })
      },
      options: { indexAxis: "y", responsive: true, animation: false,
                 scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } } }
    });
    el.setAttribute("data-groups", String(chart.labels.length));
  }

  select.addEventListener("change", function () {
    var params = new URLSearchParams(window.location.search);
    if (select.value) { params.set("theme", select.value); } else { params.delete("theme"); }
    window.history.replaceState(null, "", window.location.pathname + (params.toString() ? "?" + params : ""));
    loadNetwork();
  });
  document.getElementById("network-filter").addEventListener("submit", function (e) { e.preventDefault(); loadNetwork(); });
  loadNetwork();
  fetch(config.charts).then(function (r) { return r.json(); }).then(function (c) {
    drawChart("chart-theme", c.by_theme);
    drawChart("chart-actor", c.by_actor_category);
    drawChart("chart-usual", c.usual_by_theme);
  });
})();
