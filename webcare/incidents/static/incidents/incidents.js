// The incident page: a live character count under each post's text (X counts some characters double and links as
// 23; the server checks that exactly — this count is a guide while typing), and a confirmation before dismissing.
(function () {
  "use strict";
  function count(box) {
    var limit = Number(box.dataset.limit || 0), hint = document.getElementById(box.getAttribute("aria-describedby"));
    if (!limit || !hint) return;
    var length = Array.from(box.value.trim()).length;
    hint.textContent = hint.dataset.template ? hint.dataset.template.replace("{n}", length).replace("{limit}", limit)
      : length + " / " + limit;
    hint.classList.toggle("over", length > limit);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-limit]")) count(event.target);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });
})();
