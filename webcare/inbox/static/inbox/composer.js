// Canned responses in the composer: the chosen response, rendered for the open ticket by the server, goes into the
// reply at the cursor (or replaces an empty draft), and the agent goes on editing it. Event delegation on the
// document, because htmx replaces the whole conversation pane after every action.
(function () {
  "use strict";
  var VARIABLE = /\{(customer_first_name|agent_first_name|ticket_number)\}/;

  function insert(textarea, text) {
    var start = 0;
    if (!textarea.value.trim()) {
      textarea.value = text;
    } else {
      start = textarea.selectionStart;
      textarea.setRangeText(text, start, textarea.selectionEnd, "end");
    }
    textarea.focus();
    // A variable without a value (a customer without a name) is selected, so typing replaces it.
    var gap = VARIABLE.exec(text);
    if (gap) {
      textarea.setSelectionRange(start + gap.index, start + gap.index + gap[0].length);
    } else {
      textarea.setSelectionRange(start + text.length, start + text.length);
    }
    // Presence ("Kari is replying") and the live refresh's "is the agent writing?" listen for input.
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".canned-insert");
    if (!button) return;
    var form = button.closest("form");
    var select = form.querySelector(".canned-select");
    var textarea = form.querySelector("#reply-text");
    var status = form.querySelector(".canned-status");
    var option = select.options[select.selectedIndex];
    if (!option || !option.value) { select.focus(); return; }
    status.textContent = "";
    fetch(option.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        insert(textarea, data.text);
        select.value = "";
      })
      .catch(function () { status.textContent = status.dataset.tError; });
  });
})();
