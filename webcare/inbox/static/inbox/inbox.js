// Keyboard for the inbox: j/k move, Enter opens, r reply, n note, a assign to me, e solve, / search, ? shortcuts.
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
  function press(id) { var button = document.getElementById(id); if (button) button.click(); }
  function focusField(id) {
    var field = document.getElementById(id); if (!field) return;
    field.focus();
    if (id === "search") field.select();
  }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    var typing = tag === "textarea" || tag === "input" || tag === "select" || event.target.isContentEditable;
    if (event.key === "Escape" && typing) { event.target.blur(); return; }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) return;  // the dialog has its own keys (Esc closes it)
    var key = event.key;
    if (key === "j") { move(1); }
    else if (key === "k") { move(-1); }
    else if (key === "Enter" && current() && event.target.closest && !event.target.closest("#ticket")) { current().querySelector("a").click(); }
    else if (key === "r") { focusField("reply-text"); }
    else if (key === "n") { focusField("note-text"); }
    else if (key === "a") { press("assign-me"); }
    else if (key === "e") { press("solve"); }
    else if (key === "/") { focusField("search"); }
    else if (key === "?") { if (dialog) dialog.showModal(); }
    else { return; }
    event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("#list .row");
    if (row) select(row);
  });
  // After the list is refreshed (live or after an action), keep the open ticket's row marked.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "list") return;
    var article = document.querySelector("#ticket article");
    var row = article && document.querySelector('#list .row[data-ticket="' + article.dataset.ticket + '"]');
    if (row) row.classList.add("selected");
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
  function currentQuery() { var ol = document.querySelector("#list ol.rows"); return ol ? (ol.dataset.query || "") : ""; }
  function refreshLists(listToo) {
    var view = encodeURIComponent(currentView());
    // Each request from its own element: htmx drops a second request from the same element while one is in flight.
    if (listToo !== false) {
      var ol = document.querySelector("#list ol.rows"), shown = ol ? (ol.dataset.shown || "") : "";
      htmx.ajax("GET", "/inbox/list/?view=" + view + "&q=" + encodeURIComponent(currentQuery()) + "&n=" + shown,
                { source: "#list", target: "#list", swap: "innerHTML" });
    }
    htmx.ajax("GET", "/inbox/views/?view=" + view, { source: "#views", target: "#views", swap: "innerHTML" });
  }
  // A saved search came or went: the left pane lists it (the list itself was just swapped by the response).
  document.body.addEventListener("views-changed", function () { refreshLists(false); });
  function drafting() {
    // Anything typed in the open pane — a reply, a note, the customer card's edit form, a merge search, a ticket
    // number to link — is work in progress: a colleague's change must not replace it.
    // A reply or note box with text is a draft even when the server put the text there: after "a colleague replied
    // while you were writing" the kept draft comes back as the box's default value, and a refresh then would lose
    // the draft and the warning with it.
    // A box webcare fills in for the agent (the public note of "Move to private") is a draft once it is changed or
    // its form is open.
    var boxes = document.querySelectorAll("#ticket textarea");
    for (var j = 0; j < boxes.length; j++) {
      var box = boxes[j];
      if (box.hasAttribute("data-prefilled")) {
        var folded = box.closest("details");
        if (box.value !== box.defaultValue || (folded && folded.open)) return true;
      } else if (box.value.trim() !== "") return true;
    }
    var fields = document.querySelectorAll("#ticket input:not([type=hidden]):not([type=checkbox])");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) return true;
    }
    return !!document.querySelector("#ticket .customer-form, #ticket .collision");
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

// Strong language: the message stays blurred and out of screen readers' reach until the agent asks to read it; no
// server round trip. The state survives "Show personal data", which swaps the message's body.
(function () {
  "use strict";
  function show(button, shown) {
    var text = document.getElementById(button.getAttribute("aria-controls"));
    if (!text) return;
    text.classList.toggle("shown", shown);
    if (shown) { text.removeAttribute("aria-hidden"); text.removeAttribute("inert"); }
    else { text.setAttribute("aria-hidden", "true"); text.setAttribute("inert", ""); }
    button.setAttribute("aria-expanded", shown ? "true" : "false");
    button.textContent = shown ? button.dataset.hide : button.dataset.show;
    var body = button.closest(".msg-body");
    if (body) body.dataset.languageShown = shown ? "1" : "";
    // The conversation's subject, when it is this message's first line, is blurred and shown with it.
    document.querySelectorAll('[data-shown-with="' + text.id + '"]').forEach(function (subject) {
      subject.classList.toggle("shown", shown);
      if (shown) subject.removeAttribute("aria-hidden"); else subject.setAttribute("aria-hidden", "true");
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.reveal-language");
    if (button) show(button, button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var body = event.detail.target;
    if (!body || !body.classList.contains("msg-body") || body.dataset.languageShown !== "1") return;
    var button = body.querySelector("button.reveal-language");
    if (button) show(button, true);
  });
})();
