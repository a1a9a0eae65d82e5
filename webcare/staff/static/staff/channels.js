// Copy a channel's webhook URL with one click. The buttons stay hidden without JavaScript (the address can still
// be selected and copied by hand: it is selected whole on a click), and the result is announced to screen readers.
(function () {
  "use strict";

  function selectText(element) {
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  async function copy(button) {
    const source = document.getElementById(button.dataset.copy);
    const status = button.parentElement.querySelector(".copied");
    if (!source) return;
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      status.textContent = button.dataset.copied;
    } catch (error) {
      // No clipboard access (a page served over plain http to another machine): select it for the admin instead.
      selectText(source);
      status.textContent = button.dataset.failed;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    for (const button of document.querySelectorAll("button.copy[data-copy]")) {
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    }
  });
})();
