// Sorting of the index table (summarizer/render/index.py). Static: it reads only the table's
// cells and their data-sort attributes; no data is ever written into this script.
(function () {
  "use strict";
  var table = document.getElementById("articles");
  if (!table || !table.tBodies.length) { return; }
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  function key(cell, numeric) {
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    return numeric ? Number(raw) : raw;
  }
  Array.prototype.forEach.call(heads, function (th, col) {
    var button = th.querySelector("button");
    if (!button) { return; }
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      var numeric = th.getAttribute("data-type") === "number";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a.cells[col], numeric);
        var y = key(b.cells[col], numeric);
        var c = numeric ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true, sensitivity: "base" });
        return (ascending ? c : -c) || Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order"));
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
