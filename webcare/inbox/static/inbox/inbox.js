// Keyboard for the inbox: j/k move, Enter opens, r reply, n note, a assign to me, ? shortcuts.
(function () {
  "use strict";
  function rows() { return Array.from(document.querySelectorAll("#list .row")); }
  function current() { return document.querySelector("#list .row.selected"); }
  function select(row) {
    rows().forEach(function (r) { r.classList.remove("selected"); });
    if (row) { row.classList.add("selected"); row.querySelector("a").focus(); }
  }
  function move(step) {
    var all = rows(); if (!all.length) return;
    var i = all.indexOf(current());
    select(all[Math.max(0, Math.min(all.length - 1, i + step))] || all[0]);
  }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "textarea" || tag === "input" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key;
    if (key === "j") { move(1); }
    else if (key === "k") { move(-1); }
    else if (key === "Enter" && current()) { current().querySelector("a").click(); }
    else if (key === "r") { var reply = document.getElementById("reply-text"); if (reply) reply.focus(); }
    else if (key === "n") { var note = document.getElementById("note-text"); if (note) note.focus(); }
    else if (key === "a") { var assign = document.getElementById("assign-me"); if (assign) assign.click(); }
    else if (key === "?") { alert("j/k: move · Enter: open · r: reply · n: note · a: assign to me"); }
    else { return; }
    event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("#list .row");
    if (row) select(row);
  });
})();
