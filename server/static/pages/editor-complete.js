// Completion by label in the SPARQL editor: a word typed where an IRI goes (or Ctrl+Space on it) lists
// the graph's classes, properties and resources whose labels hold it, in the page's language, accents
// and plurals folded by the server (/editor/complete.json). Picking one writes its prefixed name or
// IRI, and declares the prefix when the query lacks it. Registered as a YASQE autocompleter.
(function () {
  "use strict";
  var WORD_RE = /^[^\s?$<>"'{}()\[\].,;:|\/^#@=!&*+]{2,}$/u;
  var cache = {};

  function config() {
    return JSON.parse(document.getElementById("editor-config").textContent);
  }

  // The server answers `pending` while it builds its indexes (once per store version): the word is
  // then asked again shortly, and the list shown if the cursor is still on it.
  function fetchSuggestions(url, text, yasqe) {
    if (cache[text]) return cache[text];
    cache[text] = fetch(url + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (body) {
        if (body.pending) {
          delete cache[text];
          if (yasqe) {
            setTimeout(function () {
              var token = wordToken(yasqe);
              if (token && token.string === text) yasqe.autocomplete(true);
            }, 700);
          }
        }
        return body.suggestions || [];
      })
      .catch(function () { delete cache[text]; return []; });
    return cache[text];
  }

  // The word under the cursor. SPARQL's `a` (rdf:type) is its own token, so "arbres" arrives as "a" then
  // "rbres": a word glued to an `a` is taken whole, and judged by what may stand where the `a` is.
  function wordToken(yasqe) {
    var t = yasqe.getCompleteToken();
    var cur = yasqe.getDoc().getCursor();
    var p = t && t.start > 0 ? yasqe.getTokenAt({ line: cur.line, ch: t.start }) : null;
    if (p && p.string === "a" && p.end === t.start && WORD_RE.test("a" + t.string)) {
      return { start: p.start, end: t.end, string: "a" + t.string, state: p.state, type: t.type, line: cur.line };
    }
    return t && { start: t.start, end: t.end, string: t.string, state: t.state, type: t.type, line: cur.line };
  }

  function render(strings) {
    return function (el, self, hint) {
      var s = hint.suggestion;
      var label = document.createElement("span");
      label.className = "odl-hint-label";
      label.textContent = s.label;
      if (s.lang) label.setAttribute("lang", s.lang);
      var kind = document.createElement("span");
      kind.className = "odl-hint-kind";
      kind.textContent = (strings["complete_" + s.kind] || s.kind) + (s.detail ? " · " + s.detail : "");
      el.appendChild(label);
      el.appendChild(document.createTextNode(" "));
      el.appendChild(kind);
    };
  }

  window.OdlEditorComplete = {
    register: function (Yasqe) {
      var cfg = config();
      var url = new URL(cfg.complete, window.location.href).href;
      var strings = cfg.strings || {};
      var last = [];
      fetch(url + "?q=", { headers: { Accept: "application/json" } }).catch(function () {});  // starts the indexes
      Yasqe.registerAutocompleter({
        name: "labels",
        bulk: false,
        autoShow: true,
        persistenceId: null,
        isValidCompletionPosition: function (yasqe) {
          var token = wordToken(yasqe);
          if (!token || !WORD_RE.test(token.string || "")) return false;
          if (/^(comment|string|string-2|variable-2|atom|meta)$/.test(token.type || "")) return false;
          var cur = yasqe.getDoc().getCursor();
          if (yasqe.getDoc().getLine(cur.line).slice(0, token.start).indexOf("#") >= 0) return false;
          // a keyword being typed (SELECT, WHERE...) completes as a keyword would, not as a label
          var possible = (token.state && token.state.possibleCurrent) || [];
          return possible.indexOf("PNAME_LN") >= 0 || possible.indexOf("IRI_REF") >= 0 ||
            possible.indexOf("a") >= 0;
        },
        preProcessToken: function (yasqe) { return wordToken(yasqe); },
        get: function (yasqe, token) {
          return fetchSuggestions(url, token.string, yasqe).then(function (list) {
            last = list;
            return list.map(function (s, i) { return i + "\u0000" + s.text; });
          });
        },
        postprocessHints: function (yasqe, hints) {
          return hints.map(function (h) {
            var s = last[Number(String(h.text).split("\u0000")[0])];
            return {
              text: s.text, displayText: s.label, suggestion: s, className: "odl-hint odl-hint-" + s.kind,
              render: render(strings),
              hint: function (cm) {
                var word = wordToken(yasqe);  // the whole word, a leading `a` included
                cm.replaceRange(s.text, { line: word.line, ch: word.start }, { line: word.line, ch: word.end }, "complete");
                if (s.prefix && yasqe.getPrefixesFromQuery()[s.prefix.name] === undefined) {
                  var add = {};
                  add[s.prefix.name] = s.prefix.iri;
                  yasqe.addPrefixes(add);
                }
              }
            };
          });
        }
      });
    }
  };
})();
