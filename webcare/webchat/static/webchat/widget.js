/* The web chat widget's code. /chat/<key>/widget.js wraps it in a function that defines CSS (the stylesheet as a
 * string) and SCRIPT (the <script> element that loaded it), so it runs once per page without globals.
 *
 * - Everything lives in a shadow root on one host element: the brand's CSS cannot reach in, ours cannot leak out.
 * - It renders only when the desk answers `config` for this site, i.e. when the page's origin is allowed.
 * - The chat token is kept in localStorage (no cookies) and sent as "Authorization: Bearer …".
 * - New messages: a poll every 2 s while the chat is open and the tab visible, every 15 s otherwise (for the badge).
 * - A message gets a UUID here, so resending it after a lost answer stores it once.
 * - Text is always set with textContent: nothing a visitor or an agent writes is ever parsed as HTML.
 */
if (!SCRIPT || !SCRIPT.src) {
  console.warn("webcare chat: load widget.js with a plain <script src=…> tag (not as a module)");
  return;
}
if (document.getElementById("webcare-chat")) {
  return; // embedded twice: the first copy wins
}

var BASE = SCRIPT.src.replace(/widget\.js(?:[?#].*)?$/, "");
var STORE_KEY = "webcare-chat:" + BASE;
var OPEN_POLL_MS = 2000;
var CLOSED_POLL_MS = 15000;
var SUGGEST_DELAY_MS = 250;
var MIN_QUERY_CHARS = 12;
var MIN_QUERY_WORDS = 3;

var STRINGS = {
  en: {
    launcher: "Chat with us", close: "Close chat", subtitle: "Ask us anything – we answer here",
    intro: "Hi! Write your question below. While you type, answers from our help pages show up here.",
    name: "Your name (optional)", email: "E-mail (optional)", message: "Your message", send: "Send",
    hint: "Enter sends · Shift+Enter makes a new line",
    suggestions: "Maybe this answers your question", suggested1: "1 suggested answer", suggestedN: "{n} suggested answers",
    stillNeed: "Not what you were looking for? Send your message and we will answer.", readMore: "Read the whole answer",
    you: "You", team: "Customer service", sending: "Sending …", failed: "Not sent.", retry: "Try again",
    unread: "{n} new", offline: "Cannot reach the chat right now. We keep trying.",
    tooFast: "You are sending very fast; this one goes in a moment.", log: "Messages"
  },
  nb: {
    launcher: "Chat med oss", close: "Lukk chatten", subtitle: "Spør oss om hva som helst – vi svarer her",
    intro: "Hei! Skriv spørsmålet ditt under. Mens du skriver, dukker det opp svar fra hjelpesidene våre her.",
    name: "Navnet ditt (valgfritt)", email: "E-post (valgfritt)", message: "Meldingen din", send: "Send",
    hint: "Enter sender · Shift+Enter gir ny linje",
    suggestions: "Kanskje dette svarer på spørsmålet ditt", suggested1: "1 foreslått svar",
    suggestedN: "{n} foreslåtte svar",
    stillNeed: "Fant du ikke svaret? Send meldingen, så svarer vi.", readMore: "Les hele svaret",
    you: "Du", team: "Kundeservice", sending: "Sender …", failed: "Ikke sendt.", retry: "Prøv igjen",
    unread: "{n} nye", offline: "Får ikke kontakt med chatten akkurat nå. Vi prøver igjen.",
    tooFast: "Du sender veldig raskt; denne sendes om et øyeblikk.", log: "Meldinger"
  },
  da: {
    launcher: "Chat med os", close: "Luk chatten", subtitle: "Spørg os om alt – vi svarer her",
    intro: "Hej! Skriv dit spørgsmål herunder. Mens du skriver, dukker der svar op fra vores hjælpesider.",
    name: "Dit navn (valgfrit)", email: "E-mail (valgfrit)", message: "Din besked", send: "Send",
    hint: "Enter sender · Shift+Enter giver ny linje",
    suggestions: "Måske besvarer dette dit spørgsmål", suggested1: "1 foreslået svar", suggestedN: "{n} foreslåede svar",
    stillNeed: "Fandt du ikke svaret? Send din besked, så svarer vi.", readMore: "Læs hele svaret",
    you: "Dig", team: "Kundeservice", sending: "Sender …", failed: "Ikke sendt.", retry: "Prøv igen",
    unread: "{n} nye", offline: "Kan ikke få forbindelse til chatten lige nu. Vi prøver igen.",
    tooFast: "Du sender meget hurtigt; denne sendes om et øjeblik.", log: "Beskeder"
  },
  sv: {
    launcher: "Chatta med oss", close: "Stäng chatten", subtitle: "Fråga oss vad som helst – vi svarar här",
    intro: "Hej! Skriv din fråga nedan. Medan du skriver visas svar från våra hjälpsidor här.",
    name: "Ditt namn (valfritt)", email: "E-post (valfritt)", message: "Ditt meddelande", send: "Skicka",
    hint: "Enter skickar · Skift+Enter ger ny rad",
    suggestions: "Kanske svarar det här på din fråga", suggested1: "1 föreslaget svar", suggestedN: "{n} föreslagna svar",
    stillNeed: "Hittade du inte svaret? Skicka ditt meddelande så svarar vi.", readMore: "Läs hela svaret",
    you: "Du", team: "Kundtjänst", sending: "Skickar …", failed: "Inte skickat.", retry: "Försök igen",
    unread: "{n} nya", offline: "Vi når inte chatten just nu. Vi försöker igen.",
    tooFast: "Du skickar väldigt snabbt; det här skickas om en stund.", log: "Meddelanden"
  },
  fi: {
    launcher: "Chattaa kanssamme", close: "Sulje chat", subtitle: "Kysy meiltä mitä vain – vastaamme täällä",
    intro: "Hei! Kirjoita kysymyksesi alle. Kirjoittaessasi tähän ilmestyy vastauksia ohjesivuiltamme.",
    name: "Nimesi (valinnainen)", email: "Sähköposti (valinnainen)", message: "Viestisi", send: "Lähetä",
    hint: "Enter lähettää · Vaihto+Enter tekee uuden rivin",
    suggestions: "Ehkä tämä vastaa kysymykseesi", suggested1: "1 ehdotettu vastaus",
    suggestedN: "{n} ehdotettua vastausta",
    stillNeed: "Etkö löytänyt vastausta? Lähetä viestisi, niin vastaamme.", readMore: "Lue koko vastaus",
    you: "Sinä", team: "Asiakaspalvelu", sending: "Lähetetään …", failed: "Ei lähetetty.", retry: "Yritä uudelleen",
    unread: "{n} uutta", offline: "Chattiin ei juuri nyt saada yhteyttä. Yritämme uudelleen.",
    tooFast: "Lähetät hyvin nopeasti; tämä lähtee hetken kuluttua.", log: "Viestit"
  },
  nl: {
    launcher: "Chat met ons", close: "Chat sluiten", subtitle: "Vraag ons alles – we antwoorden hier",
    intro: "Hallo! Typ hieronder je vraag. Terwijl je typt, verschijnen hier antwoorden uit onze helppagina's.",
    name: "Je naam (optioneel)", email: "E-mail (optioneel)", message: "Je bericht", send: "Versturen",
    hint: "Enter verstuurt · Shift+Enter geeft een nieuwe regel",
    suggestions: "Misschien beantwoordt dit je vraag", suggested1: "1 voorgesteld antwoord",
    suggestedN: "{n} voorgestelde antwoorden",
    stillNeed: "Niet gevonden wat je zocht? Stuur je bericht, dan antwoorden we.", readMore: "Lees het hele antwoord",
    you: "Jij", team: "Klantenservice", sending: "Versturen …", failed: "Niet verstuurd.", retry: "Opnieuw proberen",
    unread: "{n} nieuw", offline: "De chat is nu niet bereikbaar. We blijven het proberen.",
    tooFast: "Je verstuurt erg snel; dit bericht gaat zo.", log: "Berichten"
  }
};

function pageLanguage() {
  var wanted = (SCRIPT.getAttribute("data-lang") || document.documentElement.lang || navigator.language || "en");
  var code = wanted.toLowerCase().split(/[-_]/)[0];
  if (code === "no" || code === "nn") code = "nb";
  return STRINGS[code] ? code : "en";
}

var LANG = pageLanguage();
var T = STRINGS[LANG];

function format(text, n) { return text.replace("{n}", String(n)); }

// -- storage (the token and the visitor's name survive reloads; a browser that refuses storage just forgets) -------
function loadStored() {
  try { return JSON.parse(window.localStorage.getItem(STORE_KEY) || "{}") || {}; } catch (e) { return {}; }
}
function saveStored(value) {
  try { window.localStorage.setItem(STORE_KEY, JSON.stringify(value)); } catch (e) { /* private mode */ }
}

function uuid4() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  var bytes = new Uint8Array(16); // randomUUID needs a secure context; getRandomValues does not
  window.crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
  return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
}

function el(tag, attrs, children) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (name) {
    var value = attrs[name];
    if (name === "text") node.textContent = value;
    else if (name === "className") node.className = value;
    else if (value === true) node.setAttribute(name, "");
    else if (value !== false && value != null) node.setAttribute(name, value);
  });
  (children || []).forEach(function (child) { if (child) node.appendChild(child); });
  return node;
}

// -- talking to the desk --------------------------------------------------------------------------------------------
var state = {
  token: loadStored().token || "",
  name: loadStored().name || "",
  cursor: 0,
  shown: {},        // server message ids already in the log
  bubbles: {},      // client message id -> its <li>, for the visitor's own messages
  open: false,
  unread: 0,
  timer: null,
  suggested: 0,     // how many suggestions are shown (announced when it changes)
  starting: null    // the promise of a session being started
};

function request(method, path, body, withToken) {
  var headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (withToken && state.token) headers.Authorization = "Bearer " + state.token;
  return fetch(BASE + path, {
    method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit", mode: "cors", cache: "no-store"
  }).then(function (response) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      return { status: response.status, data: data, retryAfter: Number(response.headers.get("Retry-After") || 0) };
    });
  });
}

function forgetSession() {
  state.token = "";
  state.cursor = 0;
  saveStored({ name: state.name });
}

function startSession() {
  if (state.token) return Promise.resolve(state.token);
  if (!state.starting) {
    var body = { name: ui.name.value.trim(), email: ui.email.value.trim(), language: LANG };
    state.starting = request("POST", "session", body, false).then(function (answer) {
      state.starting = null;
      if (answer.status !== 201) {
        var error = new Error(answer.data.error || "could not start the chat");
        error.permanent = answer.status < 500; // a refused name or e-mail: trying again changes nothing
        throw error;
      }
      state.token = answer.data.token;
      state.name = body.name;
      saveStored({ token: state.token, name: state.name });
      ui.about.hidden = true;
      schedulePoll(0);
      return state.token;
    }, function (error) { state.starting = null; throw error; });
  }
  return state.starting;
}

// -- the interface --------------------------------------------------------------------------------------------------
var host = el("div", { id: "webcare-chat" });
var root = host.attachShadow({ mode: "open" });
var ui = {};

// The stylesheet is adopted, not a <style> element: a constructed stylesheet is not inline style, so the widget
// keeps its look on pages whose content security policy forbids inline styles (the desk's own preview page, and
// brands with a strict policy). Browsers without constructable stylesheets get the <style> element.
function adoptStyles(shadow) {
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    shadow.adoptedStyleSheets = [sheet];
  } catch (e) {
    shadow.appendChild(el("style", { text: CSS }));
  }
}

function build(config) {
  ui.launcher = el("button", {
    type: "button", className: "wc-launcher", "aria-expanded": "false", "aria-controls": "wc-panel",
    "aria-label": T.launcher
  });
  ui.launcher.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 4h16a2 2 0 0 1 ' +
    '2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
  ui.badge = el("span", { className: "wc-badge", "aria-hidden": "true", hidden: true });
  ui.launcher.appendChild(ui.badge);

  ui.title = el("h2", { id: "wc-title", text: config.title });
  ui.closeButton = el("button", { type: "button", className: "wc-close", "aria-label": T.close });
  ui.closeButton.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18"/></svg>';
  var header = el("header", { className: "wc-header" }, [
    el("div", {}, [ui.title, el("p", { className: "wc-subtitle", text: T.subtitle })]), ui.closeButton
  ]);

  ui.log = el("div", { className: "wc-log", role: "log", "aria-live": "polite", "aria-label": T.log, tabindex: "0" });
  ui.intro = el("div", { className: "wc-intro", text: T.intro });
  ui.log.appendChild(ui.intro);

  ui.suggestionList = el("ul", { className: "wc-suggestion-list" });
  ui.suggestions = el("section", { className: "wc-suggestions", "aria-labelledby": "wc-suggestions-title", hidden: true }, [
    el("h3", { id: "wc-suggestions-title", text: T.suggestions }), ui.suggestionList,
    el("p", { className: "wc-still", text: T.stillNeed })
  ]);
  ui.status = el("p", { className: "wc-status", role: "status", "aria-live": "polite" }); // trouble sending
  ui.announce = el("p", { className: "wc-sr", role: "status", "aria-live": "polite" }); // for screen readers only

  ui.name = el("input", { id: "wc-name", type: "text", autocomplete: "name", maxlength: "100" });
  ui.email = el("input", { id: "wc-email", type: "email", autocomplete: "email", maxlength: "254" });
  ui.about = el("div", { className: "wc-about" }, [
    el("div", { className: "wc-field" }, [el("label", { "for": "wc-name", text: T.name }), ui.name]),
    el("div", { className: "wc-field" }, [el("label", { "for": "wc-email", text: T.email }), ui.email])
  ]);
  ui.about.hidden = Boolean(state.token);
  ui.name.value = state.name;

  ui.text = el("textarea", { id: "wc-text", rows: "2", maxlength: "5000", "aria-describedby": "wc-hint" });
  ui.send = el("button", { type: "submit", className: "wc-send", text: T.send });
  ui.form = el("form", { className: "wc-form", novalidate: true }, [
    ui.about,
    el("label", { "for": "wc-text", className: "wc-label", text: T.message }),
    el("div", { className: "wc-row" }, [ui.text, ui.send]),
    el("p", { id: "wc-hint", className: "wc-hint", text: T.hint })
  ]);

  ui.panel = el("section", {
    id: "wc-panel", className: "wc-panel", role: "dialog", "aria-labelledby": "wc-title", lang: LANG, hidden: true
  }, [header, ui.log, ui.suggestions, ui.status, ui.announce, ui.form]);

  var frame = el("div", { className: "wc", lang: LANG }, [ui.panel, ui.launcher]);
  frame.style.setProperty("--wc-accent", config.accent_color);
  adoptStyles(root);
  root.appendChild(frame);

  ui.launcher.addEventListener("click", function () { setOpen(!state.open); });
  ui.closeButton.addEventListener("click", function () { setOpen(false); });
  ui.panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); setOpen(false); }
  });
  ui.text.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ui.form.requestSubmit ? ui.form.requestSubmit() : submit(event);
    }
  });
  ui.text.addEventListener("input", onTyping);
  ui.form.addEventListener("submit", submit);
  document.addEventListener("visibilitychange", function () { schedulePoll(0); });
}

function setOpen(open) {
  state.open = open;
  ui.panel.hidden = !open;
  ui.launcher.setAttribute("aria-expanded", String(open));
  if (open) {
    state.unread = 0;
    showUnread();
    ui.text.focus();
    ui.log.scrollTop = ui.log.scrollHeight;
  } else {
    ui.launcher.focus();
  }
  schedulePoll(0);
}

function showUnread() {
  ui.badge.hidden = state.unread === 0;
  ui.badge.textContent = String(state.unread);
  ui.launcher.setAttribute("aria-label", state.unread ? T.launcher + " (" + format(T.unread, state.unread) + ")" : T.launcher);
}

function timeOf(iso) {
  try {
    return new Date(iso).toLocaleTimeString(LANG, { hour: "2-digit", minute: "2-digit" });
  } catch (e) { return ""; }
}

function bubble(from, author, text, when) {
  var mine = from === "visitor";
  var item = el("div", { className: "wc-msg " + (mine ? "wc-mine" : "wc-theirs") }, [
    el("span", { className: mine ? "wc-sr" : "wc-author", text: (mine ? T.you : author || T.team) + (mine ? ": " : "") }),
    el("p", { className: "wc-text", text: text }),
    el("span", { className: "wc-meta", text: when ? timeOf(when) : "" })
  ]);
  ui.intro.hidden = true;
  ui.log.appendChild(item);
  ui.log.scrollTop = ui.log.scrollHeight;
  return item;
}

function setMeta(item, text, retry) {
  var meta = item.querySelector(".wc-meta");
  meta.textContent = text;
  if (retry) {
    var button = el("button", { type: "button", className: "wc-retry", text: T.retry });
    button.addEventListener("click", function () { meta.textContent = T.sending; deliver(retry, 0); });
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(button);
  }
}

// -- sending ----------------------------------------------------------------------------------------------------------
function submit(event) {
  event.preventDefault();
  var text = ui.text.value.trim();
  if (!text) { ui.text.focus(); return; }
  if (ui.email.value.trim() && !ui.email.checkValidity()) { ui.email.focus(); ui.email.reportValidity(); return; }
  var message = { id: uuid4(), text: text };
  message.item = bubble("visitor", "", text, null);
  state.bubbles[message.id] = message.item;
  setMeta(message.item, T.sending);
  ui.text.value = "";
  clearSuggestions();
  deliver(message, 0);
}

function deliver(message, attempt) {
  startSession().then(function () {
    return request("POST", "messages", { id: message.id, text: message.text }, true);
  }).then(function (answer) {
    if (answer.status === 202) {
      setMeta(message.item, timeOf(new Date().toISOString()));
      ui.status.textContent = "";
      schedulePoll(OPEN_POLL_MS);
    } else if (answer.status === 401) { // the session ended: start a new one and send again
      forgetSession();
      ui.about.hidden = true;
      if (attempt < 1) deliver(message, attempt + 1); else setMeta(message.item, T.failed, message);
    } else if (answer.status === 429) {
      ui.status.textContent = T.tooFast;
      setTimeout(function () { deliver(message, attempt); }, Math.max(1, answer.retryAfter) * 1000);
    } else if (answer.status >= 500) {
      retryLater(message, attempt);
    } else {
      setMeta(message.item, T.failed + " " + (answer.data.error || ""), message);
    }
  }, function (error) {
    if (error && error.permanent) { ui.about.hidden = false; setMeta(message.item, T.failed + " " + error.message, message); }
    else retryLater(message, attempt);
  });
}

function retryLater(message, attempt) {
  if (attempt >= 5) { setMeta(message.item, T.failed, message); return; }
  ui.status.textContent = T.offline;
  setTimeout(function () { deliver(message, attempt + 1); }, Math.min(30000, 1000 * Math.pow(2, attempt)));
}

// -- reading ----------------------------------------------------------------------------------------------------------
function schedulePoll(delay) {
  clearTimeout(state.timer);
  if (!state.token) return;
  if (delay === 0) { poll(); return; }
  state.timer = setTimeout(poll, delay);
}

function nextDelay() { return state.open && !document.hidden ? OPEN_POLL_MS : CLOSED_POLL_MS; }

function poll() {
  clearTimeout(state.timer);
  if (!state.token) return;
  request("GET", "messages?after=" + state.cursor, undefined, true).then(function (answer) {
    if (answer.status === 401) { forgetSession(); ui.about.hidden = false; return; }
    if (answer.status !== 200) { state.timer = setTimeout(poll, nextDelay()); return; }
    answer.data.messages.forEach(show);
    state.cursor = Math.max(state.cursor, answer.data.cursor);
    state.timer = setTimeout(poll, nextDelay());
  }, function () { state.timer = setTimeout(poll, nextDelay() * 2); });
}

var restoring = false;

function show(message) {
  if (state.shown[message.id]) return; // the cursor holds back near unsent replies, so repeats are normal
  state.shown[message.id] = true;
  var mine = message.from === "visitor";
  if (mine && state.bubbles[message.client_id]) {
    setMeta(state.bubbles[message.client_id], timeOf(message.sent_at));
    return;
  }
  var item = bubble(message.from, message.author, message.text, message.sent_at);
  if (mine) state.bubbles[message.client_id] = item;
  else if (restoring) { /* history, not news */ }
  else if (!state.open || document.hidden) { state.unread += 1; showUnread(); }
}

// -- suggested answers ------------------------------------------------------------------------------------------------
var suggestTimer = null;
var suggestAbort = null;

function onTyping() {
  clearTimeout(suggestTimer);
  var query = ui.text.value.trim();
  if (query.length < MIN_QUERY_CHARS && query.split(/\s+/).length < MIN_QUERY_WORDS) { clearSuggestions(); return; }
  suggestTimer = setTimeout(function () { fetchSuggestions(query); }, SUGGEST_DELAY_MS);
}

function fetchSuggestions(query) {
  if (suggestAbort) suggestAbort.abort();
  suggestAbort = window.AbortController ? new AbortController() : null;
  var url = BASE + "suggest?lang=" + LANG + "&q=" + encodeURIComponent(query.slice(0, 500));
  fetch(url, { credentials: "omit", mode: "cors", signal: suggestAbort ? suggestAbort.signal : undefined })
    .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
    .then(function (data) { if (ui.text.value.trim()) showSuggestions(data.suggestions || []); })
    .catch(function () { /* typing on: a newer request replaced this one, or the network blinked */ });
}

function showSuggestions(found) {
  ui.suggestionList.textContent = "";
  found.forEach(function (article) {
    var details = el("details", {}, [
      el("summary", { text: article.question }),
      el("p", { text: article.answer, lang: article.language }),
      // The whole article on the brand's help page, in the language it matched in (a new tab: the chat stays).
      article.url ? el("p", { className: "wc-more" }, [
        el("a", { href: article.url, target: "_blank", rel: "noopener", text: T.readMore, lang: LANG })
      ]) : null
    ]);
    ui.suggestionList.appendChild(el("li", {}, [details]));
  });
  ui.suggestions.hidden = found.length === 0;
  ui.log.scrollTop = ui.log.scrollHeight; // the log just got shorter: keep the newest message in view
  if (found.length !== state.suggested) { // announced once per change, not on every keystroke
    state.suggested = found.length;
    ui.announce.textContent = found.length ? format(found.length === 1 ? T.suggested1 : T.suggestedN, found.length) : "";
  }
}

function clearSuggestions() {
  clearTimeout(suggestTimer);
  if (suggestAbort) suggestAbort.abort();
  ui.suggestionList.textContent = "";
  ui.suggestions.hidden = true;
  ui.announce.textContent = "";
  state.suggested = 0;
}

// -- start ----------------------------------------------------------------------------------------------------------
function mount(config) {
  build(config);
  (document.body || document.documentElement).appendChild(host);
  if (state.token) {
    ui.log.setAttribute("aria-busy", "true"); // the history is not read out as if it were new
    request("GET", "messages?after=0", undefined, true).then(function (answer) {
      ui.log.removeAttribute("aria-busy");
      if (answer.status === 401) { forgetSession(); ui.about.hidden = false; return; }
      if (answer.status === 200) {
        restoring = true;
        answer.data.messages.forEach(show);
        restoring = false;
        state.cursor = answer.data.cursor;
      }
      schedulePoll(nextDelay());
    }, function () { ui.log.removeAttribute("aria-busy"); schedulePoll(nextDelay()); });
  }
}

fetch(BASE + "config", { credentials: "omit", mode: "cors" }).then(function (response) {
  if (!response.ok) throw new Error("HTTP " + response.status);
  return response.json();
}).then(function (config) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { mount(config); });
  else mount(config);
}).catch(function (error) {
  console.warn("webcare chat: not shown on " + location.origin + " (" + error.message + "). Is this site in the chat " +
    "channel's allowed origins?");
});
