// The inbox's incident banner: refreshed when the live stream says tickets changed (an incident opening links and
// labels its tickets, so the banner appears within a second), at most once every few seconds; otherwise every minute.
(function () {
  "use strict";
  var waiting = null;
  function refresh() {
    if (waiting) return;
    waiting = setTimeout(function () {
      waiting = null;
      if (window.htmx) window.htmx.trigger(document.body, "incidents-refresh");
    }, 3000);
  }
  function listen() {
    if (window.webcareStream) window.webcareStream.addEventListener("tickets", refresh);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", listen);
  else listen();
})();
