// The review page's behaviour (summarizer/render/page.py). Static: no data is ever written into
// this script, it reads only the page's own attributes, so nothing from the model or the article
// can run. The page works without it (plain links); this adds selection, filters and keys.
(function () {
  "use strict";
  var doc = document;
  var smooth = !(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  function each(sel, fn) { Array.prototype.forEach.call(doc.querySelectorAll(sel), fn); }
  function flash(el) { el.classList.remove("flash"); void el.offsetWidth; el.classList.add("flash"); }
  function reveal(el, block) { el.scrollIntoView({ behavior: smooth ? "smooth" : "auto", block: block }); }

  function select(id) {
    each(".active", function (el) { el.classList.remove("active"); });
    var marks = doc.querySelectorAll('mark[data-item="' + id + '"]');
    Array.prototype.forEach.call(marks, function (m) { m.classList.add("active"); });
    var entry = doc.getElementById("e-" + id);
    if (entry) { entry.classList.add("active"); }
    return { marks: marks, entry: entry };
  }

  // The item a piece of highlighted text belongs to: the innermost mark around it that the
  // filters leave on (summary support only when nothing else covers it).
  function ownerOf(link) {
    var support = null;
    for (var el = link.parentElement; el && el.id !== "article"; el = el.parentElement) {
      if (el.tagName !== "MARK" || el.classList.contains("off")) { continue; }
      if (el.getAttribute("data-kind") !== "support") { return el.getAttribute("data-owner"); }
      support = support || el.getAttribute("data-owner");
    }
    return support;
  }

  // entry or named link -> the highlight: scroll to it, flash it, and move the focus there
  function toHighlight(id) {
    var sel = select(id);
    var head = doc.getElementById(id);
    if (!head) { return; }
    reveal(head, "center");
    Array.prototype.forEach.call(sel.marks, flash);
    var link = head.querySelector("a.hl");
    if (link) { link.focus({ preventScroll: true }); }
  }

  // highlight -> its entry in the side list (or the summary sentence it supports)
  function toEntry(owner) {
    var sel = select(owner);
    if (!sel.entry) { return; }
    reveal(sel.entry, "nearest");
    flash(sel.entry);
    var target = sel.entry.querySelector("a.jump") || sel.entry;
    target.focus({ preventScroll: true });
  }

  function showSupport(sentence) {
    var id = sentence.getAttribute("data-item");
    var sel = select(id);
    sentence.classList.add("active");
    if (sel.marks.length) {
      reveal(sel.marks[0], "center");
      Array.prototype.forEach.call(sel.marks, flash);
    }
  }

  each(".summary .sentence", function (el) {
    el.addEventListener("mouseenter", function () { select(el.getAttribute("data-item")); el.classList.add("active"); });
  });

  doc.addEventListener("click", function (ev) {
    var t = ev.target instanceof Element ? ev.target : null;
    if (!t) { return; }
    var sentence = t.closest(".summary .sentence");
    if (sentence) { showSupport(sentence); return; }
    var link = t.closest("a.jump, a.named, a.hl");
    if (!link) { return; }
    ev.preventDefault();
    if (link.classList.contains("hl")) {
      var owner = ownerOf(link);
      if (owner) { toEntry(owner); }
    } else {
      toHighlight(link.getAttribute("data-item"));
    }
  });

  // Enter follows links natively; Space does the same here, and on summary sentences.
  doc.addEventListener("keydown", function (ev) {
    var t = ev.target instanceof Element ? ev.target : null;
    if (!t) { return; }
    if (ev.key === "Escape") { select(""); return; }
    var space = ev.key === " " || ev.key === "Spacebar";
    if (t.matches(".summary .sentence") && (space || ev.key === "Enter")) {
      ev.preventDefault();
      showSupport(t);
    } else if (space && t.matches("a.jump, a.named, a.hl")) {
      ev.preventDefault();
      t.click();
    }
  });

  // ---- filters: kind, speaker (or accuser) and allegation status
  var form = doc.getElementById("filters");
  if (!form) { return; }
  function value(id) { var el = doc.getElementById(id); return el ? el.value : ""; }

  function apply() {
    var kinds = {};
    var active = false;
    each('#filters input[name="kind"]', function (box) { kinds[box.value] = box.checked; active = active || !box.checked; });
    var person = value("f-person");
    var status = value("f-status");
    active = active || person !== "" || status !== "";
    var shown = 0;
    var total = 0;
    each(".entry[data-kind]", function (e) {
      var on = kinds[e.getAttribute("data-kind")] !== false;
      if (on && person && e.hasAttribute("data-person")) { on = e.getAttribute("data-person") === person; }
      if (on && status && e.hasAttribute("data-status")) { on = e.getAttribute("data-status") === status; }
      e.hidden = !on;
      total += 1;
      if (on) { shown += 1; }
    });
    each(".list", function (section) {
      var all = section.querySelectorAll(".entry[data-kind]").length;
      var visible = section.querySelectorAll(".entry[data-kind]:not([hidden])").length;
      var count = section.querySelector(".count");
      if (count) { count.textContent = visible === all ? String(all) : visible + " of " + all; }
      var none = section.querySelector(".none-shown");
      if (none) { none.hidden = !(all > 0 && visible === 0); }
    });
    each("#article mark[data-owner]", function (m) {
      var entry = doc.getElementById("e-" + m.getAttribute("data-owner"));
      var on = !entry || !entry.hidden;
      if (m.getAttribute("data-kind") === "mention" && kinds.mention === false) { on = false; }
      m.classList.toggle("off", !on);
    });
    // a highlight that no visible item covers leaves the keyboard's tab order
    each("#article a.hl", function (a) {
      var owner = ownerOf(a);
      var entry = owner ? doc.getElementById("e-" + owner) : null;
      if (owner && entry && !entry.classList.contains("sentence")) { a.removeAttribute("tabindex"); }
      else { a.setAttribute("tabindex", "-1"); }
    });
    doc.body.classList.toggle("filtered", active);
    var out = doc.getElementById("f-count");
    if (out) { out.textContent = active ? "Showing " + shown + " of " + total + " items" : "Showing all " + total + " items"; }
  }

  form.hidden = false;
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  apply();
})();
