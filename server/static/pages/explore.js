// Network view (cytoscape.js) and openness charts (Chart.js). Labels come from the graph: they are
// only ever set through textContent or drawn on canvas, never parsed as HTML.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("explore-config").textContent);
  var select = document.getElementById("theme");
  var box = document.getElementById("network");
  var emptyBox = document.getElementById("network-empty");
  var focus = document.getElementById("network-focus");
  // Node kinds: colour and shape, as the legend of explore.html draws them.
  var KINDS = {
    challenge: { color: "#b3261e", shape: "diamond" },
    usecase: { color: "#1f5fa8", shape: "round-rectangle" },
    datacategory: { color: "#2e7d32", shape: "ellipse" },
    actor: { color: "#6a3d9a", shape: "hexagon" }
  };
  var LEVELS = ["challenge", "usecase", "datacategory", "actor"];
  // One colour per openness status of the graph's scheme: the top concepts in the badge colours of
  // pages.css, their narrower concepts in shades of the same family; a status the scheme adds later
  // gets the next colour of the spare palette.
  var STATUS = {
    open: "#2e7d32", candidate: "#1f5fa8", "not-accessible-unjustified": "#b3261e",
    "not-accessible-justified": "#8a5300", property: "#c77700", security: "#e3a857", "personal-data": "#5d3a00",
    other: "#5c5c5c", paid: "#9e9e9e", limited: "#2b2b2b"
  };
  var SPARE = ["#00838f", "#ad1457", "#827717", "#4527a0", "#d84315"];
  var cy = null;

  function statusColor(code, i) {
    return STATUS[code] || SPARE[i % SPARE.length];
  }

  // Columns challenge -> use case -> data -> actor; inside a column, nodes ordered by the mean row of
  // their neighbours in the previous column (one barycentre pass), so that few edges cross.
  function layered(elements, width, height) {
    var nodes = elements.filter(function (e) { return e.group === "nodes"; });
    var edges = elements.filter(function (e) { return e.group === "edges"; });
    var columns = LEVELS.map(function (k) {
      return nodes.filter(function (n) { return n.data.kind === k; })
                  .sort(function (a, b) { return a.data.label.localeCompare(b.data.label, config.lang); });
    });
    var row = {};
    columns.forEach(function (col, c) {
      if (c > 0) {
        var score = {};
        col.forEach(function (n) {
          var rows = edges.filter(function (e) { return e.data.target === n.data.id && row[e.data.source] !== undefined; })
                          .map(function (e) { return row[e.data.source]; });
          score[n.data.id] = rows.length ? rows.reduce(function (a, b) { return a + b; }, 0) / rows.length : 1e9;
        });
        col.sort(function (a, b) { return score[a.data.id] - score[b.data.id]; });
      }
      col.forEach(function (n, i) { row[n.data.id] = col.length > 1 ? i / (col.length - 1) : 0.5; });
    });
    var positions = {};
    var margin = 30;
    columns.forEach(function (col, c) {
      col.forEach(function (n) {
        positions[n.data.id] = { x: margin + c * (width - 2 * margin - 220) / 3,
                                 y: margin + row[n.data.id] * (height - 2 * margin) };
      });
    });
    return { name: "preset", positions: function (n) { return positions[n.id()]; }, fit: true, padding: 20 };
  }

  function showEmpty(empty) {
    emptyBox.textContent = "";
    var p1 = document.createElement("p");
    p1.textContent = empty.text;
    var p2 = document.createElement("p");
    p2.appendChild(document.createTextNode(empty.more + " "));
    var a = document.createElement("a");
    a.href = empty.href;
    a.textContent = empty.label;
    p2.appendChild(a);
    p2.appendChild(document.createTextNode(" — " + empty.counts));
    emptyBox.appendChild(p1);
    emptyBox.appendChild(p2);
    emptyBox.hidden = false;
    box.hidden = true;
  }

  function loadNetwork() {
    var url = config.network + "?theme=" + encodeURIComponent(select.value);
    fetch(url, { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); }).then(function (data) {
      if (cy) { cy.destroy(); cy = null; }
      var nodes = data.elements.filter(function (e) { return e.group === "nodes"; });
      var list = document.getElementById("node-list");
      list.textContent = "";
      box.setAttribute("data-nodes", String(nodes.length));
      if (data.empty) { showEmpty(data.empty); return; }
      emptyBox.hidden = true;
      box.hidden = false;
      var big = nodes.length > 80;  // every theme at once: labels appear on zoom and hover
      cy = cytoscape({
        container: box,
        elements: data.elements,
        style: [
          { selector: "node", style: {
            label: "data(label)", "font-size": big ? 6 : 10, "text-wrap": "wrap", "text-max-width": 190,
            "text-valign": "center", "text-halign": "right", "text-margin-x": 5, "min-zoomed-font-size": big ? 9 : 0,
            width: 14, height: 14, color: "#1b1b1b", "text-background-color": "#fcfcfc",
            "text-background-opacity": 0.85, "text-background-padding": 1,
            shape: function (n) { return (KINDS[n.data("kind")] || {}).shape || "ellipse"; },
            "background-color": function (n) { return (KINDS[n.data("kind")] || {}).color || "#555"; } } },
          { selector: "edge", style: { width: 1, "line-color": "#8a9a9a", "target-arrow-shape": "triangle",
            "target-arrow-color": "#8a9a9a", "curve-style": "bezier", "arrow-scale": 0.7 } },
          { selector: "edge[kind = 'indispensable']", style: { width: 2.5, "line-color": "#444", "target-arrow-color": "#444" } },
          { selector: "node.show", style: { "font-size": 11, "min-zoomed-font-size": 0, "z-index": 10,
            "text-background-color": "#fff", "text-background-opacity": 0.9 } },
          { selector: "edge.hl", style: { "line-color": "#f0a500", "target-arrow-color": "#f0a500", width: 3, "z-index": 9 } }
        ],
        layout: layered(data.elements, box.clientWidth || 1000, box.clientHeight || 540)
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
      nodes.forEach(function (e) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = e.data.href;
        a.textContent = e.data.label;
        li.appendChild(a);
        li.className = "kind-" + e.data.kind;
        list.appendChild(li);
      });
    });
  }

  function statusLegend(statuses) {
    var ul = document.getElementById("status-legend");
    ul.textContent = "";
    statuses.forEach(function (s, i) {
      var li = document.createElement("li");
      li.setAttribute("data-status", s.code);
      var sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = statusColor(s.code, i);
      sw.setAttribute("aria-hidden", "true");
      li.appendChild(sw);
      li.appendChild(document.createTextNode(s.label));
      ul.appendChild(li);
    });
  }

  function figures(id, chart) {
    var table = document.createElement("table");
    var head = table.createTHead().insertRow();
    var th0 = document.createElement("th");
    th0.scope = "col";
    head.appendChild(th0);
    chart.datasets.forEach(function (ds) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = ds.label;
      head.appendChild(th);
    });
    var body = table.createTBody();
    chart.labels.forEach(function (label, i) {
      var tr = body.insertRow();
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = label;
      tr.appendChild(th);
      chart.datasets.forEach(function (ds) {
        var td = tr.insertCell();
        td.className = "num";
        td.textContent = String(ds.data[i]);
      });
    });
    var wrap = document.getElementById(id + "-table");
    wrap.textContent = "";
    wrap.appendChild(table);
  }

  function drawChart(id, chart, statuses) {
    var el = document.getElementById(id);
    var index = {};
    statuses.forEach(function (s, i) { index[s.code] = i; });
    new Chart(el, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map(function (ds) {
          return { label: ds.label, data: ds.data, backgroundColor: statusColor(ds.code, index[ds.code] || 0),
                   borderColor: "#fff", borderWidth: 1 };
        })
      },
      options: { indexAxis: "y", responsive: true, animation: false,
                 plugins: { legend: { display: false } },  // one legend for the three charts, above them
                 scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } } }
    });
    el.setAttribute("data-groups", String(chart.labels.length));
    el.setAttribute("data-series", chart.datasets.map(function (ds) {
      return ds.code + "=" + statusColor(ds.code, index[ds.code] || 0);
    }).join(" "));
    figures(id, chart);
  }

  select.addEventListener("change", function () {
    var params = new URLSearchParams(window.location.search);
    params.set("theme", select.value);
    window.history.replaceState(null, "", window.location.pathname + "?" + params);
    loadNetwork();
  });
  document.getElementById("network-filter").addEventListener("submit", function (e) { e.preventDefault(); loadNetwork(); });
  loadNetwork();
  fetch(config.charts).then(function (r) { return r.json(); }).then(function (c) {
    statusLegend(c.statuses);
    drawChart("chart-theme", c.by_theme, c.statuses);
    drawChart("chart-actor", c.by_actor_category, c.statuses);
    drawChart("chart-usual", c.usual_by_theme, c.statuses);
  });
})();
