// The search page: mark requests made while typing (the last word is then a prefix), keep the box in step with the
// results when a filter is clicked or the back button pressed, and keep the keyboard focus where it was.
(function () {
  "use strict";
  var box = function () { return document.getElementById("search"); };
  var focusName = null;  // data-focus of the link that was used, to focus its successor after the swap
  var firstNew = null;   // the number of the first hit a "More results" adds

  document.body.addEventListener("htmx:configRequest", function (event) {
    var trigger = event.detail.triggeringEvent;
    if (event.detail.elt.id === "search-form" && trigger && trigger.type === "input") {
      event.detail.headers["X-Search-Typing"] = "1";
    }
    var active = document.activeElement;
    focusName = active && active.dataset && active.dataset.focus ? active.dataset.focus : null;
    firstNew = active && active.dataset && active.dataset.next ? active.dataset.next : null;
  });

  function syncBox() {
    var body = document.querySelector("#results .results-body");
    var input = box();
    if (!body || !input) return;
    if (document.activeElement !== input) input.value = body.dataset.query || "";
    if (body.dataset.error) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }

  document.body.addEventListener("htmx:afterSettle", function (event) {
    syncBox();
    if (firstNew) {
      var hit = document.querySelectorAll("#results .hit")[Number(firstNew) - Number(document.querySelector("#results .hits-list").getAttribute("start") || 1)];
      var link = hit && (hit.querySelector("a") || hit);
      if (link) { if (!link.hasAttribute("href")) link.setAttribute("tabindex", "-1"); link.focus(); }
      firstNew = null;
      return;
    }
    if (focusName) {
      var same = document.querySelector('#results [data-focus="' + CSS.escape(focusName) + '"]');
      (same || document.getElementById("hits-heading") || box()).focus();
      focusName = null;
    }
  });
  document.body.addEventListener("htmx:historyRestore", syncBox);
})();
