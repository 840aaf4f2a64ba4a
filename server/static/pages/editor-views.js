// Result views of the SPARQL editor, as YASR plugins: map (Leaflet, WKT literals or lat/long columns,
// drawn on a plain background: no tiles, nothing fetched), bar and line charts (Chart.js) and a graph
// (cytoscape) of CONSTRUCT/DESCRIBE triples or of the IRIs of each SELECT row. Every text taken from
// the results goes through textContent, never innerHTML.
(function () {
  "use strict";
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMERIC_TYPES = ["integer", "decimal", "double", "float", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt",
    "unsignedLong", "unsignedShort", "unsignedByte"].map(function (t) { return XSD + t; });
  var WKT_TYPE = "http://www.opengis.net/ont/geosparql#wktLiteral";
  var WKT_RE = /^\s*(?:<[^>]*>\s*)?(POINT|MULTIPOINT|LINESTRING|MULTILINESTRING|POLYGON|MULTIPOLYGON)\s*(?:Z|M|ZM)?\s*\(/i;
  var NUMBER_RE = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
  var LAT_RE = /lat(itude)?$/i;
  var LON_RE = /(lon|lng|long|longitude)$/i;
  var LABEL_PREDICATES = ["http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://purl.org/dc/terms/title", "http://xmlns.com/foaf/0.1/name", "http://schema.org/name"];
  var RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
  var PALETTE = ["#1f5fa8", "#b3261e", "#2e7d32", "#8a5300", "#6a1b9a", "#00695c", "#ad1457", "#37474f",
    "#5d4037", "#283593"];
  var MAX_ROWS = 5000;   // rows a map or chart draws
  var MAX_NODES = 1500;  // nodes the graph reads from a result (and lists)
  var DRAW_NODES = 150;  // nodes it draws until asked for all: more make an unreadable hairball

  var config = {};
  var S = {};

  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function icon(path) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var p = document.createElementNS(ns, "path");
    p.setAttribute("d", path);
    p.setAttribute("fill", "currentColor");
    svg.appendChild(p);
    var wrap = el("div", "svgImg");
    wrap.appendChild(svg);
    return wrap;
  }

  var ICONS = {
    map: "M9 3 3 5v16l6-2 6 2 6-2V3l-6 2-6-2zm0 2.2 6 2v11.6l-6-2V5.2z",
    bar: "M4 20h16v1H4zM5 10h3v9H5zm5-6h3v15h-3zm5 9h3v6h-3z",
    line: "M3 20h18v1H3zM4 17l5-6 4 3 6-8 1 .8-6.8 9.2-4-3-4.4 5z",
    graph: "M6 4a2 2 0 1 1-.1 4A2 2 0 0 1 6 4zm12 2a2 2 0 1 1-.1 4 2 2 0 0 1 .1-4zM9 16a2 2 0 1 1 0 4 2 2 0 0 1 0-4zM7.6 7.3l9 .9-.1 1-9-.9zm-.9 1 2.6 7.8-.9.3L5.8 8.6zm10.2 1.6.8.6-7.6 7-.7-.7z"
  };

  // -- reading results -------------------------------------------------------------------------
  function selectResults(yasr) {
    var r = yasr.results;
    if (!r || (r.getError && r.getError()) || r.getType() === "ttl") return null;
    var vars = r.getVariables() || [];
    var rows = r.getBindings() || [];
    if (!vars.length || !rows.length) return null;
    return { vars: vars, rows: rows };
  }

  // Only typed numbers count: a plain "80001" is a code (an INSEE code), not a quantity.
  function isNumber(b) {
    return !!b && b.type !== "uri" && b.type !== "bnode" && NUMERIC_TYPES.indexOf(b.datatype) >= 0 &&
      NUMBER_RE.test(b.value);
  }

  function columnsWhere(data, test) {
    return data.vars.filter(function (v) {
      var seen = 0;
      for (var i = 0; i < data.rows.length && seen < 200; i++) {
        var b = data.rows[i][v];
        if (!b) continue;
        seen++;
        if (!test(b, v)) return false;
      }
      return seen > 0;
    });
  }

  function numericColumns(data) {
    return columnsWhere(data, isNumber);
  }

  function iriColumns(data) {
    return data.vars.filter(function (v) {
      if (/Label$/.test(v)) return false;
      for (var i = 0; i < data.rows.length && i < 200; i++) {
        var b = data.rows[i][v];
        if (b && (b.type === "uri" || b.type === "bnode")) return true;
      }
      return false;
    });
  }

  function shortName(iri) {
    var m = /([^/#:]+)[/#]?$/.exec(iri);
    return m ? decodeURIComponent(m[1]) : iri;
  }

  // Our IRIs open on this server, web IRIs as they are; a javascript: or data: IRI from a result is no link.
  function localHref(iri) {
    if (config.base && iri.indexOf(config.base) === 0) return (config.home || "/") + iri.slice(config.base.length);
    return /^(https?|mailto|ftp):/i.test(iri) ? iri : "";
  }

  // The readable name of row[v]: its `<v>Label` column, else the value (IRIs by their last segment).
  function cellText(row, v) {
    var label = row[v + "Label"];
    if (label) return label.value;
    var b = row[v];
    if (!b) return "";
    return b.type === "uri" ? shortName(b.value) : b.value;
  }

  // The column naming each row: a *Label column, else the first column that is not numeric.
  function labelColumn(data, numeric) {
    var labels = data.vars.filter(function (v) { return /Label$/.test(v) && numeric.indexOf(v) < 0; });
    if (labels.length) return labels[0];
    var others = data.vars.filter(function (v) { return numeric.indexOf(v) < 0; });
    return others.length ? others[0] : null;
  }

  function rowTitle(data, row) {
    var lc = labelColumn(data, []);
    return lc ? cellText(row, lc) : "";
  }

  // -- WKT -------------------------------------------------------------------------------------
  // "POINT(2.3 48.8)" -> {type: "POINT", coords: [[2.3, 48.8]]}; nested parentheses become nested arrays.
  function parseWkt(text) {
    var m = /^\s*(?:<([^>]*)>\s*)?([A-Za-z]+)\s*(?:Z|M|ZM)?\s*(\(.*\))\s*$/.exec(String(text).replace(/\s+/g, " "));
    if (!m) return null;
    var latFirst = !!(m[1] && /EPSG\/0\/4326$/.test(m[1]));  // EPSG:4326 axis order is lat, long
    var bad = false;
    var json = m[3].replace(/([-+0-9.eE]+) ([-+0-9.eE]+)(?: [-+0-9.eE]+)*/g, function (all, a, b) {
      var x = Number(a), y = Number(b);
      if (!isFinite(x) || !isFinite(y)) bad = true;
      return latFirst ? "[" + y + "," + x + "]" : "[" + x + "," + y + "]";
    }).replace(/\(/g, "[").replace(/\)/g, "]");
    if (bad) return null;
    try {
      return { type: m[2].toUpperCase(), coords: JSON.parse(json) };
    } catch (e) {
      return null;
    }
  }

  function toLatLng(c) { return [c[1], c[0]]; }

  function isPair(c) { return Array.isArray(c) && c.length === 2 && typeof c[0] === "number"; }

  function points(coords) {  // every [x, y] pair of a nested array
    if (isPair(coords)) return [coords];
    var out = [];
    (coords || []).forEach(function (c) { out = out.concat(points(c)); });
    return out;
  }

  function mapLatLngs(coords) {
    return isPair(coords) ? toLatLng(coords) : coords.map(mapLatLngs);
  }

  // Leaflet layers of one geometry (points as circle markers: no marker images to load).
  function wktLayers(L, geom, style) {
    if (!geom) return [];
    var t = geom.type;
    if (t === "POINT" || t === "MULTIPOINT") {
      return points(geom.coords).map(function (c) { return L.circleMarker(toLatLng(c), style.point); });
    }
    if (t === "LINESTRING") return [L.polyline(geom.coords.map(toLatLng), style.shape)];
    if (t === "MULTILINESTRING") return [L.polyline(mapLatLngs(geom.coords), style.shape)];
    if (t === "POLYGON" || t === "MULTIPOLYGON") return [L.polygon(mapLatLngs(geom.coords), style.shape)];
    return [];
  }

  function geoColumns(data) {
    if (!data) return null;
    var wkt = columnsWhere(data, function (b) {
      return b.type !== "uri" && (b.datatype === WKT_TYPE || WKT_RE.test(b.value));
    });
    var numeric = numericColumns(data);
    var lat = numeric.filter(function (v) { return LAT_RE.test(v); })[0];
    var lon = numeric.filter(function (v) { return LON_RE.test(v) && v !== lat; })[0];
    if (!wkt.length && !(lat && lon)) return null;
    return { wkt: wkt, lat: lat && lon ? lat : null, lon: lat && lon ? lon : null };
  }

  function popupFor(data, row) {
    var box = el("div", "map-popup");
    var title = rowTitle(data, row);
    var firstIri = iriColumns(data).map(function (v) { return row[v]; }).filter(function (b) {
      return b && b.type === "uri";
    })[0];
    if (firstIri) {
      var a = el("a", null, title || shortName(firstIri.value));
      a.href = localHref(firstIri.value);
      box.appendChild(el("strong")).appendChild(a);
    } else if (title) {
      box.appendChild(el("strong", null, title));
    }
    var list = el("ul");
    data.vars.slice(0, 8).forEach(function (v) {
      var b = row[v];
      if (!b || b.datatype === WKT_TYPE || /Label$/.test(v) || b.type === "uri") return;
      list.appendChild(el("li", null, v + " : " + b.value));
    });
    if (list.childNodes.length) box.appendChild(list);
    return box;
  }

  // -- plugins ---------------------------------------------------------------------------------
  function base(yasr, name, priority) {
    return { yasr: yasr, label: S["view_" + name] || name, priority: priority, helpReference: undefined };
  }

  function MapView(yasr) {
    Object.assign(this, base(yasr, "map", 4));
  }
  MapView.prototype.canHandleResults = function () { return !!geoColumns(selectResults(this.yasr)); };
  MapView.prototype.getIcon = function () { return icon(ICONS.map); };
  MapView.prototype.destroy = function () {
    if (this.map) this.map.remove();
    this.map = null;
  };
  MapView.prototype.draw = function () {
    var L = window.L;
    var data = selectResults(this.yasr);
    var geo = geoColumns(data);
    var wrap = el("figure", "odl-view odl-map-view");
    var caption = el("figcaption", "hint");
    var box = el("div", "odl-map");
    box.id = "odl-map";
    wrap.appendChild(box);
    wrap.appendChild(caption);
    this.yasr.resultsEl.appendChild(wrap);
    var map = this.map = L.map(box, { attributionControl: false, zoomControl: false, preferCanvas: false });
    L.control.zoom({ zoomInTitle: S.zoom_in, zoomOutTitle: S.zoom_out }).addTo(map);
    var style = {
      point: { radius: 6, color: "#0b3d75", weight: 1, fillColor: "#1f5fa8", fillOpacity: 0.85 },
      shape: { color: "#1f5fa8", weight: 2, fillOpacity: 0.25 }
    };
    var layers = [], skipped = 0;
    data.rows.slice(0, MAX_ROWS).forEach(function (row) {
      var drawn = [];
      geo.wkt.forEach(function (v) {
        if (row[v]) drawn = drawn.concat(wktLayers(L, parseWkt(row[v].value), style));
      });
      if (geo.lat && row[geo.lat] && row[geo.lon]) {
        var lat = Number(row[geo.lat].value), lon = Number(row[geo.lon].value);
        if (isFinite(lat) && isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
          drawn.push(L.circleMarker([lat, lon], style.point));
        }
      }
      if (!drawn.length) skipped++;
      drawn.forEach(function (layer) {
        layer.bindPopup(popupFor(data, row));
        var title = rowTitle(data, row);
        if (title) layer.bindTooltip(el("span", null, title));  // a node: Leaflet writes strings as HTML
        layers.push(layer);
      });
    });
    skipped += Math.max(0, data.rows.length - MAX_ROWS);
    var group = L.featureGroup(layers).addTo(map);
    if (layers.length) {
      map.fitBounds(group.getBounds(), { padding: [20, 20], maxZoom: 12 });
    } else {
      map.setView([46.6, 2.4], 5);  // nothing readable: metropolitan France
    }
    caption.textContent = fmt(S.map_summary, { n: layers.length, skipped: skipped });
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", caption.textContent);
    box.dataset.features = String(layers.length);
  };

  function seriesOf(data) {
    var numeric = numericColumns(data);
    var lc = labelColumn(data, numeric);
    if (!lc && numeric.length > 1) lc = numeric[0];  // all numbers: the first column is the x axis
    var series = numeric.filter(function (v) { return v !== lc; });
    // a constant column (often a parameter echoed back) says nothing next to one that varies
    var varying = series.filter(function (v) {
      var first = null;
      return data.rows.some(function (r) {
        var x = r[v] ? r[v].value : null;
        if (first === null) first = x;
        return x !== first;
      });
    });
    return { label: lc, series: varying.length ? varying : series };
  }

  function ChartView(yasr, kind) {
    Object.assign(this, base(yasr, kind, 3));
    this.kind = kind;
  }
  ChartView.prototype.canHandleResults = function () {
    var data = selectResults(this.yasr);
    return !!data && seriesOf(data).series.length > 0;
  };
  ChartView.prototype.getIcon = function () { return icon(ICONS[this.kind]); };
  ChartView.prototype.destroy = function () {
    if (this.chart) this.chart.destroy();
    this.chart = null;
  };
  ChartView.prototype.draw = function () {
    var data = selectResults(this.yasr);
    var s = seriesOf(data);
    var rows = data.rows.slice(0, MAX_ROWS);
    var labels = rows.map(function (r, i) { return s.label ? cellText(r, s.label) : String(i + 1); });
    var horizontal = this.kind === "bar" && (rows.length > 12 || labels.some(function (l) { return l.length > 18; }));
    var wrap = el("figure", "odl-view odl-chart-view");
    var holder = el("div", "odl-chart");
    holder.style.height = (horizontal ? Math.max(320, rows.length * (s.series.length * 12 + 10) + 80) : 420) + "px";
    var canvas = el("canvas");
    canvas.id = "odl-chart-" + this.kind;
    holder.appendChild(canvas);
    var caption = el("figcaption", "hint", fmt(S.chart_summary, {
      kind: S["view_" + this.kind], rows: rows.length, series: s.series.join(", ")
    }));
    wrap.appendChild(holder);
    wrap.appendChild(caption);
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", caption.textContent);
    this.yasr.resultsEl.appendChild(wrap);
    var kind = this.kind;
    var integers = s.series.every(function (v) {
      return rows.every(function (r) { return !r[v] || /^[-+]?\d+$/.test(r[v].value); });
    });
    this.chart = new window.Chart(canvas, {
      type: kind,
      data: {
        labels: labels,
        datasets: s.series.map(function (v, i) {
          return {
            label: v,
            data: rows.map(function (r) { return r[v] ? Number(r[v].value) : null; }),
            backgroundColor: PALETTE[i % PALETTE.length],
            borderColor: PALETTE[i % PALETTE.length],
            fill: false
          };
        })
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: config.lang === "en" ? "en" : "fr-FR",
        scales: horizontal
          ? { x: { beginAtZero: true, ticks: { precision: integers ? 0 : undefined } }, y: { ticks: { autoSkip: false } } }
          : { y: { beginAtZero: kind === "bar", ticks: { precision: integers ? 0 : undefined } } }
      }
    });
    canvas.dataset.points = String(rows.length);
  };

  // Nodes and edges: triples (IRIs and blank nodes; labels from the label predicates), or for a
  // SELECT, the IRIs of each row linked in column order.
  function graphElements(yasr) {
    var r = yasr.results;
    var nodes = {}, order = [], edges = {}, kinds = [];
    function kindOf(iri, fallback) {
      if (fallback) return fallback;
      if (config.base && iri.indexOf(config.base + "id/") === 0) return iri.slice(config.base.length + 3).split("/")[0];
      return "";
    }
    function node(id, kind) {
      if (!nodes[id]) {
        if (order.length >= MAX_NODES) return null;
        nodes[id] = { id: id, label: "", kind: kindOf(id, kind) };
        order.push(id);
      }
      return nodes[id];
    }
    function edge(s, o, label) {
      if (!nodes[s] || !nodes[o]) return;
      var key = s + "\u0000" + o + "\u0000" + label;
      if (!edges[key]) edges[key] = { source: s, target: o, label: label };
    }
    var capped = false;
    if (r && r.getType() === "ttl") {
      var quads = r.getStatements() || [];
      var labels = {}, types = {};
      quads.forEach(function (q) {
        var s = q.subject.value, p = q.predicate.value, o = q.object;
        if (o.termType === "Literal") {
          if (LABEL_PREDICATES.indexOf(p) >= 0 && (!labels[s] || (o.language || "") === config.lang)) labels[s] = o.value;
          return;
        }
        if (p === RDF_TYPE) {
          types[s] = types[s] || shortName(o.value);
          return;
        }
        var a = node(s), b = node(o.value);
        if (!a || !b) { capped = true; return; }
        edge(s, o.value, shortName(p));
      });
      order.forEach(function (id) {
        nodes[id].label = labels[id] || shortName(id);
        if (types[id]) nodes[id].kind = types[id];
      });
    } else {
      var data = selectResults(yasr);
      if (data) {
        var cols = iriColumns(data);
        data.rows.forEach(function (row) {
          var prev = null;
          cols.forEach(function (v) {
            var b = row[v];
            if (!b) return;
            var n = node(b.value, kindOf(b.value) || v);
            if (!n) { capped = true; return; }
            if (!n.label && row[v + "Label"]) n.label = row[v + "Label"].value;
            if (prev) edge(prev, b.value, "");
            prev = b.value;
          });
        });
        order.forEach(function (id) { nodes[id].label = nodes[id].label || shortName(id); });
      }
    }
    order.forEach(function (id) { if (kinds.indexOf(nodes[id].kind) < 0) kinds.push(nodes[id].kind); });
    return {
      nodes: order.map(function (id) { return nodes[id]; }),
      edges: Object.keys(edges).map(function (k) { return edges[k]; }),
      kinds: kinds,
      capped: capped
    };
  }

  function GraphView(yasr) {
    Object.assign(this, base(yasr, "graph", 3));
  }
  GraphView.prototype.canHandleResults = function () {
    var r = this.yasr.results;
    if (!r || (r.getError && r.getError())) return false;
    if (r.getType() === "ttl") return (r.getStatements() || []).length > 0;
    var data = selectResults(this.yasr);
    return !!data && iriColumns(data).length >= 2;
  };
  GraphView.prototype.getIcon = function () { return icon(ICONS.graph); };
  GraphView.prototype.destroy = function () {
    if (this.cy) this.cy.destroy();
    this.cy = null;
  };
  // At most `limit` nodes, the most connected first, none drawn alone: a node none of whose neighbours
  // is drawn yet comes with its most connected neighbour.
  function mostConnected(g, limit) {
    if (g.nodes.length <= limit) return g;
    var degree = {}, next = {};
    g.edges.forEach(function (e) {
      degree[e.source] = (degree[e.source] || 0) + 1;
      degree[e.target] = (degree[e.target] || 0) + 1;
      (next[e.source] = next[e.source] || []).push(e.target);
      (next[e.target] = next[e.target] || []).push(e.source);
    });
    function rank(a, b) { return (degree[b.id] || 0) - (degree[a.id] || 0) || a.i - b.i; }
    var order = g.nodes.map(function (n, i) { return { id: n.id, i: i }; }).sort(rank);
    var ids = {}, count = 0;
    for (var k = 0; k < order.length && count < limit; k++) {
      var id = order[k].id, around = next[id] || [];
      if (ids[id] || !around.length) continue;
      if (around.some(function (o) { return ids[o]; })) {
        ids[id] = true;
        count += 1;
      } else if (count + 2 <= limit) {
        var best = around.reduce(function (a, b) { return (degree[b] || 0) > (degree[a] || 0) ? b : a; });
        ids[id] = ids[best] = true;
        count += 2;
      }
    }
    return {
      nodes: g.nodes.filter(function (n) { return ids[n.id]; }), kinds: g.kinds, capped: g.capped,
      edges: g.edges.filter(function (e) { return ids[e.source] && ids[e.target]; })
    };
  }

  GraphView.prototype.draw = function () {
    var all = graphElements(this.yasr);
    var g = this.drawAllOf === this.yasr.results ? all : mostConnected(all, DRAW_NODES);
    var self = this;
    var colour = {};
    g.kinds.forEach(function (k, i) { colour[k] = PALETTE[i % PALETTE.length]; });
    var wrap = el("figure", "odl-view odl-graph-view");
    var box = el("div", "odl-graph");
    box.id = "odl-graph";
    var caption = el("figcaption", "hint", fmt(S.graph_summary, { nodes: all.nodes.length, edges: all.edges.length }) +
      (g.capped ? fmt(S.graph_capped, { n: MAX_NODES }) : ""));
    var limited = null;
    if (g.nodes.length < all.nodes.length) {  // said on screen, with a way to draw everything
      limited = el("p", "graph-limited", fmt(S.graph_limited, { shown: g.nodes.length, total: all.nodes.length }) + " ");
      limited.id = "graph-limited";
      var more = el("button", null, fmt(S.graph_draw_all, { n: all.nodes.length }));
      more.type = "button";
      more.addEventListener("click", function () { self.drawAllOf = self.yasr.results; self.yasr.refresh(); });
      limited.appendChild(more);
    }
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", caption.textContent);
    var legend = el("ul", "legend");
    g.kinds.forEach(function (k) {
      var li = el("li");
      var sw = el("span", "swatch");
      sw.style.backgroundColor = colour[k];
      li.appendChild(sw);
      li.appendChild(document.createTextNode((config.kinds || {})[k] || k || "?"));
      legend.appendChild(li);
    });
    var selected = el("p", "selected");
    selected.setAttribute("aria-live", "polite");
    var list = el("details", "node-list");
    list.appendChild(el("summary", null, S.node_list + " (" + all.nodes.length + ")"));
    var ul = el("ul");
    all.nodes.forEach(function (n) {
      var a = el("a", null, n.label);
      a.href = localHref(n.id);
      ul.appendChild(el("li")).appendChild(a);
    });
    list.appendChild(ul);
    wrap.appendChild(legend);
    if (limited) wrap.appendChild(limited);
    wrap.appendChild(box);
    wrap.appendChild(caption);
    wrap.appendChild(selected);
    wrap.appendChild(list);
    this.yasr.resultsEl.appendChild(wrap);
    var elements = g.nodes.map(function (n) {
      return { data: { id: n.id, label: n.label, colour: colour[n.kind] } };
    }).concat(g.edges.map(function (e, i) {
      return { data: { id: "e" + i, source: e.source, target: e.target, label: e.label } };
    }));
    var cy = this.cy = window.cytoscape({
      container: box,
      elements: elements,
      style: [
        { selector: "node", style: { "background-color": "data(colour)", label: "data(label)", "font-size": 9,
          "text-wrap": "ellipsis", "text-max-width": 120, "min-zoomed-font-size": 7, width: 14, height: 14,
          color: "#1b1b1b", "text-valign": "bottom", "text-margin-y": 2 } },
        { selector: "edge", style: { width: 1, "line-color": "#9aa5b1", "target-arrow-color": "#9aa5b1",
          "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.6, label: "data(label)",
          "font-size": 7, color: "#5c5c5c", "min-zoomed-font-size": 8 } },
        { selector: ":selected", style: { "border-width": 3, "border-color": "#f0a500" } }
      ],
      layout: g.nodes.length > 600
        ? { name: "concentric", animate: false, minNodeSpacing: 4 }
        : { name: "cose", animate: false, randomize: false, nodeRepulsion: 9000, idealEdgeLength: 50, numIter: 600 }
    });
    cy.on("tap", "node", function (evt) {
      var n = evt.target;
      selected.textContent = S.selected;
      var a = el("a", null, n.data("label"));
      a.href = localHref(n.id());
      selected.appendChild(a);
    });
    box.dataset.nodes = String(g.nodes.length);
    box.dataset.total = String(all.nodes.length);
    box.dataset.edges = String(g.edges.length);
  };

  // YASR's own plugins under the page's labels, without their links to the YASGUI documentation.
  function relabel(Yasr, name) {
    var Base = Yasr.plugins[name];
    if (!Base) return;
    var Relabelled = class extends Base {
      constructor(yasr) {
        super(yasr);
        this.label = S["view_" + name] || this.label;
        this.helpReference = undefined;
      }
    };
    Yasr.registerPlugin(name, Relabelled);
  }

  window.OdlEditorViews = {
    parseWkt: parseWkt,
    register: function (Yasr, cfg) {
      config = cfg;
      S = cfg.strings || {};
      relabel(Yasr, "table");
      relabel(Yasr, "response");
      Yasr.registerPlugin("map", MapView);
      Yasr.registerPlugin("bar", function (yasr) { return new ChartView(yasr, "bar"); });
      Yasr.registerPlugin("line", function (yasr) { return new ChartView(yasr, "line"); });
      Yasr.registerPlugin("graph", GraphView);
    }
  };
})();
