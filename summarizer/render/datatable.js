// Data tables of a rendered batch (summarizer/render/datatable.py): the index, the parties and the
// allegations. Static: no data is ever written into this script. It reads the rows from the
// page's JSON data block and shows one page of them at a time, sorted and filtered over all of
// them; every cell is built with textContent, and a link is followed only when its target is one
// of our own page names or an http(s) URL. Filters can be set from the address's fragment
// (parties.html#role=target&status=not+listed), so a view is one link away.
(function () {
  "use strict";
  var doc = document;
  var OWN_PAGE = /^[A-Za-z0-9][A-Za-z0-9._-]*\.html(#[A-Za-z0-9_-]+)?$/;
  var WEB = /^https?:\/\/[^\s]+$/i;

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  function setup(table) {
    var source = doc.getElementById(table.getAttribute("data-rows"));
    var form = doc.getElementById(table.getAttribute("data-controls"));
    var pager = doc.querySelector('nav.pager[data-for="' + table.id + '"]');
    var empty = doc.getElementById(table.id + "-empty");
    if (!source || !form || !pager) { return; }
    var rows = JSON.parse(source.textContent);
    var size = Number(table.getAttribute("data-page-size")) || 100;
    var cols = [];
    each(table.tHead.rows[0].cells, function (th) {
      cols[Number(th.getAttribute("data-col"))] = {
        th: th, type: th.getAttribute("data-type"), hidden: th.hidden, chip: th.hasAttribute("data-chip"),
        wide: th.hasAttribute("data-wide"), title: th.textContent, key: th.hasAttribute("data-key"),
        note: th.hasAttribute("data-note") ? Number(th.getAttribute("data-note")) : null,
        values: th.hasAttribute("data-values") ? JSON.parse(th.getAttribute("data-values")) : []
      };
    });
    var shown = cols.filter(function (c) { return c && !c.hidden; });
    var order = rows.map(function (_, i) { return i; });
    var view = order;
    var page = 0;
    var sortCol = null;
    var ascending = true;

    function label(col, v) {
      if (v === null || v === undefined) { return ""; }
      if (col.type === "enum") { return col.values[v] === undefined ? "" : col.values[v]; }
      if (col.type === "flags") {
        return col.values.filter(function (_, bit) { return v & (1 << bit); }).join(", ");
      }
      if (col.type === "link") { return String(v[0]); }
      return String(v);
    }

    function key(i, c) {
      var v = rows[i][c];
      if (cols[c].type === "number") { return v === null ? -Infinity : v; }
      return label(cols[c], v);
    }

    function compare(c) {
      var numeric = cols[c].type === "number";
      return function (a, b) {
        var x = key(a, c); var y = key(b, c);
        var d = numeric ? x - y : x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
        return (ascending ? d : -d) || a - b;
      };
    }

    function matches(i, filters, words) {
      var row = rows[i];
      for (var f = 0; f < filters.length; f++) {
        var col = cols[filters[f].col];
        var v = row[filters[f].col];
        if (filters[f].match === "has") {
          var bit = col.values.indexOf(filters[f].value);
          if (bit < 0 || !(v & (1 << bit))) { return false; }
        } else if (label(col, v) !== filters[f].value) { return false; }
      }
      if (words) {
        var hay = words.cols.map(function (c) { return label(cols[c] || { type: "text" }, row[c]); }).join(" ").toLowerCase();
        for (var w = 0; w < words.terms.length; w++) {
          if (hay.indexOf(words.terms[w]) < 0) { return false; }
        }
      }
      return true;
    }

    function apply() {
      var filters = [];
      each(form.querySelectorAll("select[data-col]"), function (s) {
        if (s.value !== "") {
          filters.push({ col: Number(s.getAttribute("data-col")), match: s.getAttribute("data-match"), value: s.value });
        }
      });
      var search = form.querySelector("input[type=search]");
      var words = null;
      if (search && search.value.trim()) {
        words = { cols: search.getAttribute("data-cols").split(",").map(Number),
          terms: search.value.trim().toLowerCase().split(/\s+/) };
      }
      view = filters.length || words ? order.filter(function (i) { return matches(i, filters, words); }) : order.slice();
      if (sortCol !== null) { view.sort(compare(sortCol)); }
      page = 0;
      draw();
    }

    function cell(col, row) {
      var v = row[Number(col.th.getAttribute("data-col"))];
      var el = doc.createElement(col.key ? "th" : "td");
      if (col.key) { el.setAttribute("scope", "row"); }
      el.setAttribute("data-label", col.title);
      var text = label(col, v);
      if (col.type === "number") { el.className = "num"; }
      if (v === null || v === undefined || text === "") {
        el.textContent = "\u2014";
        el.classList.add("none");
        return el;
      }
      if (col.wide) {
        var clamp = doc.createElement("span");
        clamp.className = "clamp";
        clamp.title = text;
        el.appendChild(clamp);
        el = clamp;
      }
      if (col.type === "link" && typeof v[1] === "string" && (OWN_PAGE.test(v[1]) || WEB.test(v[1]))) {
        var a = doc.createElement("a");
        a.href = v[1];
        if (WEB.test(v[1])) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
        a.textContent = text;
        el.appendChild(a);
      } else if (col.chip) {
        var chip = doc.createElement("span");
        chip.className = "chip chip-" + text.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
        chip.textContent = text;
        el.appendChild(chip);
      } else {
        el.textContent = text;
      }
      var note = col.note === null ? null : row[col.note];
      if (note) {
        var small = doc.createElement("span");
        small.className = "note clamp";
        small.title = String(note);
        small.textContent = String(note);
        el.appendChild(small);
      }
      return el.classList.contains("clamp") ? el.parentNode : el;
    }

    function draw() {
      var body = table.tBodies[0];
      var frag = doc.createDocumentFragment();
      var start = page * size;
      view.slice(start, start + size).forEach(function (i) {
        var tr = doc.createElement("tr");
        shown.forEach(function (col) { tr.appendChild(cell(col, rows[i])); });
        frag.appendChild(tr);
      });
      body.textContent = "";
      body.appendChild(frag);
      var pages = Math.max(1, Math.ceil(view.length / size));
      var out = pager.querySelector("output");
      var of = view.length === rows.length ? "" : " (filtered from " + rows.length.toLocaleString("en") + ")";
      out.textContent = view.length ? "Rows " + (start + 1).toLocaleString("en") + "\u2013" +
        Math.min(start + size, view.length).toLocaleString("en") + " of " + view.length.toLocaleString("en") + of +
        (pages > 1 ? ", page " + (page + 1) + " of " + pages : "") : "No rows" + of;
      pager.querySelector('[data-step="-1"]').disabled = page === 0;
      pager.querySelector('[data-step="1"]').disabled = page >= pages - 1;
      if (empty) { empty.hidden = view.length > 0; }
    }

    function sortBy(c, asc) {
      sortCol = c;
      ascending = asc;
      cols.forEach(function (col) { if (col) { col.th.removeAttribute("aria-sort"); } });
      if (c !== null) { cols[c].th.setAttribute("aria-sort", asc ? "ascending" : "descending"); }
      var select = form.querySelector('select[name="sort"]');
      if (select) { select.value = c === null ? "" : String(c); }
      apply();
    }

    function fromFragment() {
      var raw = location.hash.replace(/^#/, "");
      if (raw.indexOf("=") < 0) { return false; }
      var params = new URLSearchParams(raw);
      each(form.querySelectorAll("select[data-col], input[type=search]"), function (el) {
        el.value = params.has(el.name) ? params.get(el.name) : "";
      });
      return true;
    }

    each(table.tHead.querySelectorAll("th button"), function (button) {
      var th = button.parentNode;
      button.addEventListener("click", function () {
        var c = Number(th.getAttribute("data-col"));
        sortBy(c, !(sortCol === c && ascending));
      });
    });
    form.addEventListener("change", function (e) {
      if (e.target.name === "sort") {
        var v = e.target.value;
        sortBy(v === "" ? null : Number(v), v !== "" && cols[Number(v)].type !== "number");
      } else { apply(); }
    });
    form.addEventListener("input", function (e) { if (e.target.type === "search") { apply(); } });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("reset", function () {
      if (location.hash) { history.replaceState(null, "", location.pathname + location.search); }
      setTimeout(function () { sortBy(null, true); }, 0);
    });
    each(pager.querySelectorAll("button[data-step]"), function (b) {
      b.addEventListener("click", function () {
        page += Number(b.getAttribute("data-step"));
        draw();
        table.scrollIntoView({ block: "start" });
      });
    });
    window.addEventListener("hashchange", function () { if (fromFragment()) { apply(); } });

    form.hidden = false;
    pager.hidden = false;
    fromFragment();
    var initial = table.getAttribute("data-sort");
    if (initial !== null) { sortBy(Number(initial), cols[Number(initial)].type !== "number"); } else { apply(); }
  }

  each(doc.querySelectorAll("table.data[data-rows]"), setup);
})();
