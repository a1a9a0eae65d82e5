// Canned responses and suggested help articles in the composer: the chosen response (rendered for the open ticket by
// the server) or article link or text goes into the reply at the cursor (or replaces an empty draft), and the agent
// goes on editing it. Event delegation on the document, because htmx replaces the whole conversation pane after every
// action. Alt+K inserts the first suggested article's link, Alt+Shift+K its text (inbox.js leaves Alt combinations
// alone; event.code, so the keys work on any keyboard layout and macOS's Option+K character is not typed).
(function () {
  "use strict";
  var VARIABLE = /\{(customer_first_name|agent_first_name|ticket_number)\}/;

  function insert(textarea, text) {
    var start = 0;
    if (!textarea.value.trim()) {
      textarea.value = text;
    } else {
      start = textarea.selectionStart;
      var before = textarea.value.slice(0, start);
      if (before && !/\s$/.test(before)) text = " " + text; // a link never runs into the word before it
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

  // -- suggested help articles (webcare/knowledge: _composer_suggestions.html) --------------------------------------
  function insertArticle(item, asText) {
    var textarea = document.getElementById("reply-text");
    if (!item || !textarea) return false;
    insert(textarea, asText ? item.dataset.kbSnippet : item.dataset.kbLink);
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".kb-insert-link, .kb-insert-text");
    if (!button) return;
    insertArticle(button.closest(".kb-item"), button.classList.contains("kb-insert-text"));
  });

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.code !== "KeyK") return;
    var first = document.querySelector("#kb-suggest-list .kb-item");
    if (insertArticle(first, event.shiftKey)) event.preventDefault();
  });

  document.addEventListener("htmx:responseError", function (event) {
    var list = event.detail && event.detail.target;
    if (list && list.id === "kb-suggest-list") list.textContent = list.dataset.tError;
  });
})();

// Approved templates (WhatsApp outside its 24-hour window): the chosen template's text is shown before it is sent,
// with the values typed so far in its numbered gaps, so the agent reads what the customer will get.
(function () {
  "use strict";
  var GAP = /\{\{\s*(\d+)\s*\}\}/g;

  function preview(form) {
    var select = form.querySelector(".template-select");
    var box = form.querySelector(".template-preview");
    if (!select || !box) return;
    var option = select.options[select.selectedIndex];
    if (!option || !option.value) { box.hidden = true; box.textContent = ""; return; }
    var field = form.querySelector("#template-values");
    var values = field ? field.value.split("\n").map(function (v) { return v.trim(); }).filter(Boolean) : [];
    box.textContent = (option.dataset.body || option.textContent).replace(GAP, function (gap, n) {
      return values[Number(n) - 1] || gap;
    });
    box.hidden = false;
  }

  document.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("template-select")) preview(event.target.form);
  });
  document.addEventListener("input", function (event) {
    if (event.target.id === "template-values") preview(event.target.form);
  });
  function previewOpen() {
    var select = document.querySelector("#ticket .template-select");
    if (select) preview(select.form);
  }
  document.addEventListener("htmx:afterSwap", previewOpen);
  previewOpen();  // a page opened on a ticket (the script is deferred, so the pane is there)
})();
