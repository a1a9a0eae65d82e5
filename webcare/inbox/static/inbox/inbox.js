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
    else if (key === "?") { alert(document.body.dataset.tKeys); }
    else { return; }
    event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("#list .row");
    if (row) select(row);
  });
})();

// Live: server-sent events refresh the list, the counts and the open conversation; presence shows who is replying.
(function () {
  "use strict";
  if (!document.getElementById("list") || !window.EventSource) return;
  var me = document.body.dataset.user;
  var csrf = document.body.dataset.csrf;
  var presenceTimer = null;
  function openTicket() { var a = document.querySelector("#ticket article"); return a ? a.dataset.ticket : null; }
  function currentView() { var ol = document.querySelector("#list ol.rows"); return ol ? ol.dataset.view : "unassigned"; }
  function refreshLists() {
    var view = encodeURIComponent(currentView());
    // Each request from its own element: htmx drops a second request from the same element while one is in flight.
    htmx.ajax("GET", "/inbox/list/?view=" + view, { source: "#list", target: "#list", swap: "innerHTML" });
    htmx.ajax("GET", "/inbox/views/?view=" + view, { source: "#views", target: "#views", swap: "innerHTML" });
  }
  function drafting() {
    var reply = document.getElementById("reply-text"), note = document.getElementById("note-text");
    return (reply && reply.value.trim()) || (note && note.value.trim());
  }
  function sendPresence(state) {
    var id = openTicket(); if (!id) return;
    var body = new URLSearchParams({ state: state });
    fetch("/inbox/tickets/" + id + "/presence/", { method: "POST", body: body, headers: { "X-CSRFToken": csrf } });
  }
  var stream = new EventSource("/inbox/events/");
  window.webcareStream = stream;  // tests wait for it to be open
  stream.addEventListener("tickets", function (event) {
    var data = JSON.parse(event.data);
    refreshLists();
    var id = openTicket();
    if (id && data.tickets.indexOf(Number(id)) >= 0 && String(data.actor) !== me && !drafting()) {
      htmx.ajax("GET", "/inbox/tickets/" + id + "/", { source: "#ticket", target: "#ticket", swap: "innerHTML" });
    }
  });
  stream.addEventListener("presence", function (event) {
    var data = JSON.parse(event.data);
    var line = document.getElementById("presence");
    if (!line || String(data.user) === me || String(data.ticket) !== openTicket()) return;
    var text = data.state === "typing" ? document.body.dataset.tReplying
      : data.state === "viewing" ? document.body.dataset.tViewing : "";
    line.textContent = text ? text.replace("{name}", data.name) : "";
    clearTimeout(presenceTimer);
    presenceTimer = setTimeout(function () { line.textContent = ""; }, 8000);
  });
  var lastTyping = 0;
  document.addEventListener("input", function (event) {
    if (event.target.id !== "reply-text") return;
    var now = Date.now();
    if (now - lastTyping > 3000) { lastTyping = now; sendPresence("typing"); }
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "ticket") sendPresence("viewing");
  });
})();
