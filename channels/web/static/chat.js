/* Chat widget of the Paris Méd' assistant.
 *
 * Talks to POST <data-endpoint> with {"sender", "message"} and renders the Rasa REST
 * messages it gets back ({"messages": [...], "degraded": bool}).
 * Security: every text coming from the user or the bot is inserted with textContent /
 * createTextNode — never innerHTML — and links are kept only for http(s) URLs.
 * The conversation (sender id + rendered history) is kept in localStorage.
 */
(function () {
  "use strict";

  var STORE_PREFIX = "parismed.chat.v1.";
  var KEY_SENDER = STORE_PREFIX + "sender";
  var KEY_HISTORY = STORE_PREFIX + "history";
  var MAX_HISTORY = 200;
  var REQUEST_TIMEOUT_MS = 45000;
  var SMALL_SCREEN = "(max-width: 600px)";

  var TEXT = {
    you: "Vous : ",
    bot: "Assistant : ",
    typing: "L'assistant rédige une réponse…",
    open: "Ouvrir l'assistant Paris Méd'",
    close: "Fermer l'assistant Paris Méd'",
    choices: "Réponses proposées",
    sources: "Sources",
    newTab: " (nouvel onglet)",
    error: "Désolé, votre message n'a pas pu être transmis : le service ne répond pas. Vérifiez votre connexion puis réessayez.",
    retry: "Réessayer",
    empty: "L'assistant n'a pas de réponse à ce message. Vous pouvez reformuler votre question ou demander à être mis en relation avec l'équipe Paris Méd'.",
    restarted: "Nouvelle conversation",
    image: "Voir l'image"
  };

  // ---------------------------------------------------------------- storage
  var memoryStore = {};
  function storeGet(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return memoryStore[key] || null; }
  }
  function storeSet(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { memoryStore[key] = value; }
  }
  function storeRemove(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
    delete memoryStore[key];
  }

  function newSenderId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function senderId() {
    var id = storeGet(KEY_SENDER);
    if (!id) {
      id = newSenderId();
      storeSet(KEY_SENDER, id);
    }
    return id;
  }

  function loadHistory() {
    try {
      var parsed = JSON.parse(storeGet(KEY_HISTORY) || "[]");
      return Array.isArray(parsed) ? parsed : [];
    } catch (e) {
      return [];
    }
  }

  function saveHistory(history) {
    storeSet(KEY_HISTORY, JSON.stringify(history.slice(-MAX_HISTORY)));
  }

  // ---------------------------------------------------------------- safe rendering
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  /** The URL if it is an absolute http(s) URL, otherwise null (no javascript:, data:, …). */
  function safeUrl(raw) {
    if (typeof raw !== "string" || !/^https?:\/\//i.test(raw.trim())) { return null; }
    try {
      var url = new URL(raw.trim());
      return (url.protocol === "http:" || url.protocol === "https:") ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function externalLink(href, label) {
    var a = el("a", null, label);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.appendChild(el("span", "sr-only", TEXT.newTab));
    return a;
  }

  // **bold**, [label](http…) and bare http(s) URLs; everything else is plain text.
  var INLINE = /\*\*([^*\n]+?)\*\*|\[([^\]\n]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)|(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)'»])/g;

  function appendInline(parent, text) {
    var last = 0;
    var match;
    INLINE.lastIndex = 0;
    while ((match = INLINE.exec(text)) !== null) {
      if (match.index > last) { parent.appendChild(document.createTextNode(text.slice(last, match.index))); }
      if (match[1] !== undefined) {
        parent.appendChild(el("strong", null, match[1]));
      } else if (match[2] !== undefined) {
        var href = safeUrl(match[3]);
        parent.appendChild(href ? externalLink(href, match[2]) : document.createTextNode(match[2]));
      } else {
        var bare = safeUrl(match[4]);
        parent.appendChild(bare ? externalLink(bare, match[4]) : document.createTextNode(match[4]));
      }
      last = INLINE.lastIndex;
    }
    if (last < text.length) { parent.appendChild(document.createTextNode(text.slice(last))); }
  }

  var TABLE_ROW = /^\s*\|.*\|\s*$/;
  var TABLE_SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

  function tableCells(line) {
    return line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map(function (cell) { return cell.trim(); });
  }

  function renderTable(header, separator, rows) {
    var aligns = tableCells(separator).map(function (spec) {
      return /:$/.test(spec) ? (/^:/.test(spec) ? "center" : "right") : "";
    });
    var wrap = el("div", "pm-table");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", "Tableau");
    wrap.tabIndex = 0; // scrollable on small screens: reachable with the keyboard
    var table = el("table");
    var head = el("thead");
    var headRow = el("tr");
    tableCells(header).forEach(function (cell, index) {
      var th = el("th");
      th.scope = "col";
      if (aligns[index]) { th.className = "pm-align-" + aligns[index]; }
      appendInline(th, cell);
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = el("tbody");
    rows.forEach(function (line) {
      var tr = el("tr");
      tableCells(line).forEach(function (cell, index) {
        var td = el("td");
        if (aligns[index]) { td.className = "pm-align-" + aligns[index]; }
        appendInline(td, cell);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    return wrap;
  }

  /** Minimal Markdown: paragraphs, line breaks, headings, bullet and numbered lists, quotes,
   *  pipe tables, bold, http(s) links. Anything else stays plain text. */
  function renderMarkdown(container, text) {
    var lines = String(text).replace(/\r\n?/g, "\n").split("\n");
    var paragraph = null;
    var list = null;
    var quote = null;
    var i = 0;
    function closeBlocks() { paragraph = null; list = null; quote = null; }
    while (i < lines.length) {
      var line = lines[i];
      var heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
      var quoted = /^\s*>\s?(.*)$/.exec(line);
      var bullet = /^\s*[-*•]\s+(.*)$/.exec(line);
      var numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
      if (TABLE_ROW.test(line) && i + 1 < lines.length && TABLE_SEPARATOR.test(lines[i + 1])) {
        closeBlocks();
        var rows = [];
        var j = i + 2;
        while (j < lines.length && TABLE_ROW.test(lines[j])) { rows.push(lines[j]); j += 1; }
        container.appendChild(renderTable(line, lines[i + 1], rows));
        i = j;
        continue;
      }
      if (heading) {
        closeBlocks();
        var title = el("p", "pm-md-heading");
        var strong = el("strong");
        appendInline(strong, heading[1].replace(/\*\*/g, ""));
        title.appendChild(strong);
        container.appendChild(title);
      } else if (quoted) {
        paragraph = null;
        list = null;
        if (quote) {
          quote.appendChild(el("br"));
        } else {
          quote = el("blockquote");
          container.appendChild(quote);
        }
        appendInline(quote, quoted[1]);
      } else if (bullet || numbered) {
        var tag = bullet ? "UL" : "OL";
        paragraph = null;
        quote = null;
        if (!list || list.tagName !== tag) {
          list = el(tag.toLowerCase());
          container.appendChild(list);
        }
        var li = el("li");
        appendInline(li, (bullet || numbered)[1]);
        list.appendChild(li);
      } else if (line.trim() === "") {
        closeBlocks();
      } else {
        list = null;
        quote = null;
        if (paragraph) {
          paragraph.appendChild(el("br"));
        } else {
          paragraph = el("p");
          container.appendChild(paragraph);
        }
        appendInline(paragraph, line);
      }
      i += 1;
    }
  }

  // ---------------------------------------------------------------- widget
  function ChatWidget(root) {
    this.root = root;
    this.endpoint = root.getAttribute("data-endpoint") || "/api/v1/chat";
    this.greeting = root.getAttribute("data-greeting") || "";
    this.launcher = root.querySelector(".pm-chat__launcher");
    this.panel = root.querySelector(".pm-chat__panel");
    this.log = root.querySelector(".pm-chat__log");
    this.typing = root.querySelector(".pm-chat__typing");
    this.form = root.querySelector(".pm-chat__form");
    this.input = root.querySelector(".pm-chat__input");
    this.sendButton = root.querySelector(".pm-chat__send");
    this.history = loadHistory();
    this.busy = false;
    this.generation = 0; // bumped by "Nouvelle conversation": late replies of the old one are dropped
    this.bind();
    this.renderHistory();
    this.updateLauncher();
  }

  ChatWidget.prototype.bind = function () {
    var self = this;
    this.launcher.addEventListener("click", function () { self.toggle(); });
    this.root.querySelector(".pm-chat__close").addEventListener("click", function () { self.close(true); });
    this.root.querySelector(".pm-chat__reset").addEventListener("click", function () { self.reset(); });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.submitInput();
    });
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        self.submitInput();
      }
    });
    this.input.addEventListener("input", function () { self.autoGrow(); });
    this.root.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && self.isOpen()) {
        event.preventDefault();
        self.close(true);
      } else if (event.key === "Tab") {
        self.trapFocus(event);
      }
    });
    Array.prototype.forEach.call(this.panel.querySelectorAll("[data-chat-close]"), function (link) {
      link.addEventListener("click", function () { self.close(false); });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-chat-open]"), function (button) {
      button.addEventListener("click", function () { self.open(); });
    });
    if (window.matchMedia) {
      var query = window.matchMedia(SMALL_SCREEN);
      var update = function () { self.updateModality(); };
      if (query.addEventListener) { query.addEventListener("change", update); }
    }
  };

  ChatWidget.prototype.isOpen = function () { return !this.panel.hidden; };

  ChatWidget.prototype.toggle = function () {
    if (this.isOpen()) { this.close(true); } else { this.open(); }
  };

  ChatWidget.prototype.open = function () {
    this.panel.hidden = false;
    this.root.classList.add("pm-chat--open");
    this.updateLauncher();
    this.updateModality();
    this.scrollToEnd();
    this.input.focus();
    if (this.history.length === 0 && !this.busy && this.greeting) {
      this.send(this.greeting, null);
    }
  };

  ChatWidget.prototype.close = function (restoreFocus) {
    if (!this.isOpen()) { return; }
    this.panel.hidden = true;
    this.root.classList.remove("pm-chat--open");
    this.updateLauncher();
    if (restoreFocus) { this.launcher.focus(); }
  };

  ChatWidget.prototype.updateLauncher = function () {
    var open = this.isOpen();
    this.launcher.setAttribute("aria-expanded", open ? "true" : "false");
    this.launcher.setAttribute("aria-label", open ? TEXT.close : TEXT.open);
  };

  // Full-screen on phones: then the dialog is modal and Tab stays inside it.
  ChatWidget.prototype.isModal = function () {
    return Boolean(window.matchMedia && window.matchMedia(SMALL_SCREEN).matches);
  };

  ChatWidget.prototype.updateModality = function () {
    if (this.isModal()) { this.panel.setAttribute("aria-modal", "true"); } else { this.panel.removeAttribute("aria-modal"); }
  };

  ChatWidget.prototype.trapFocus = function (event) {
    if (!this.isModal()) { return; }
    var focusable = Array.prototype.filter.call(
      this.panel.querySelectorAll("a[href], button:not([disabled]), textarea, input, select, [tabindex]:not([tabindex='-1'])"),
      function (node) { return node.offsetParent !== null; }
    );
    if (focusable.length === 0) { return; }
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  ChatWidget.prototype.autoGrow = function () {
    this.input.style.height = "auto";
    this.input.style.height = Math.min(this.input.scrollHeight + 4, 128) + "px";
  };

  ChatWidget.prototype.scrollToEnd = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  /** Show the start of a reply; a long one is then read from its top rather than from its end. */
  ChatWidget.prototype.scrollToReply = function (node) {
    if (!node) { return this.scrollToEnd(); }
    var top = node.offsetTop - 8;
    this.log.scrollTop = Math.min(top, this.log.scrollHeight);
  };

  // ------------------------------------------------------------ history and rendering
  ChatWidget.prototype.renderHistory = function () {
    var self = this;
    this.log.textContent = "";
    var lastUser = -1;
    this.history.forEach(function (entry, index) { if (entry.who === "user") { lastUser = index; } });
    this.history.forEach(function (entry, index) {
      self.renderEntry(entry, index > lastUser);
    });
  };

  /** Keep an entry in the history and render it; returns the first element added to the log. */
  ChatWidget.prototype.record = function (entry) {
    this.history.push(entry);
    saveHistory(this.history);
    var before = this.log.lastElementChild;
    this.renderEntry(entry, true);
    var first = before ? before.nextElementSibling : this.log.firstElementChild;
    if (entry.who === "user") { this.scrollToEnd(); }
    return first;
  };

  ChatWidget.prototype.renderEntry = function (entry, interactive) {
    if (entry.who === "user") {
      var bubble = el("div", "pm-msg pm-msg--user");
      bubble.appendChild(el("span", "sr-only", TEXT.you));
      bubble.appendChild(document.createTextNode(String(entry.text)));
      this.log.appendChild(bubble);
    } else if (entry.who === "bot" && entry.msg && typeof entry.msg === "object") {
      this.renderBotMessage(entry.msg, interactive, Boolean(entry.degraded));
    }
  };

  ChatWidget.prototype.renderBotMessage = function (msg, interactive, degraded) {
    if (typeof msg.text === "string" && msg.text.trim() !== "") {
      var bubble = el("div", "pm-msg pm-msg--bot" + (degraded ? " pm-msg--degraded" : ""));
      bubble.appendChild(el("span", "sr-only", TEXT.bot));
      renderMarkdown(bubble, msg.text);
      this.log.appendChild(bubble);
    }
    var custom = (msg.custom && typeof msg.custom === "object") ? msg.custom : {};
    if (typeof msg.image === "string" && safeUrl(msg.image)) {
      var imageBubble = el("div", "pm-msg pm-msg--bot");
      imageBubble.appendChild(externalLink(safeUrl(msg.image), TEXT.image));
      this.log.appendChild(imageBubble);
    }
    if (typeof custom.text === "string" && custom.text.trim() !== "" && !msg.text) {
      var customBubble = el("div", "pm-msg pm-msg--bot");
      customBubble.appendChild(el("span", "sr-only", TEXT.bot));
      renderMarkdown(customBubble, custom.text);
      this.log.appendChild(customBubble);
    }
    if (Array.isArray(custom.sources) && custom.sources.length) {
      this.renderSources(custom.sources);
    }
    var choices = [];
    [msg.buttons, msg.quick_replies, custom.buttons, custom.quick_replies].forEach(function (list) {
      if (Array.isArray(list)) { choices = choices.concat(list); }
    });
    if (choices.length) { this.renderChoices(choices, interactive); }
  };

  ChatWidget.prototype.renderSources = function (sources) {
    var box = el("div", "pm-sources");
    box.appendChild(el("p", "pm-sources__title", TEXT.sources));
    var list = el("ul");
    sources.forEach(function (source) {
      if (!source || typeof source !== "object") { return; }
      var label = String(source.title || source.url || "");
      if (source.section) { label += " — " + String(source.section); }
      if (!label) { return; }
      var item = el("li");
      var href = safeUrl(source.url);
      item.appendChild(href ? externalLink(href, label) : document.createTextNode(label));
      list.appendChild(item);
    });
    box.appendChild(list);
    this.log.appendChild(box);
  };

  ChatWidget.prototype.renderChoices = function (choices, interactive) {
    var self = this;
    var group = el("div", "pm-choices");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", TEXT.choices);
    choices.forEach(function (choice) {
      if (!choice || typeof choice !== "object") { return; }
      var title = String(choice.title || choice.payload || "");
      var payload = String(choice.payload || choice.title || "");
      if (!title) { return; }
      var button = el("button", "pm-choice", title);
      button.type = "button";
      button.disabled = !interactive;
      button.addEventListener("click", function () {
        if (self.busy) { return; }
        button.setAttribute("aria-pressed", "true");
        self.send(payload, title);
      });
      group.appendChild(button);
    });
    this.log.appendChild(group);
  };

  ChatWidget.prototype.disableChoices = function () {
    Array.prototype.forEach.call(this.log.querySelectorAll(".pm-choice"), function (button) {
      button.disabled = true;
    });
  };

  ChatWidget.prototype.setBusy = function (busy) {
    this.busy = busy;
    this.sendButton.disabled = busy;
    this.log.setAttribute("aria-busy", busy ? "true" : "false");
    this.typing.textContent = "";
    if (busy) {
      var dots = el("span", "pm-dots");
      dots.setAttribute("aria-hidden", "true");
      dots.appendChild(el("span"));
      dots.appendChild(el("span"));
      dots.appendChild(el("span"));
      this.typing.appendChild(dots);
      this.typing.appendChild(el("span", null, TEXT.typing));
    }
  };

  ChatWidget.prototype.showError = function (message, display) {
    var self = this;
    var box = el("div", "pm-msg pm-msg--error");
    box.setAttribute("role", "alert");
    box.appendChild(el("p", null, TEXT.error));
    var retry = el("button", "pm-retry", TEXT.retry);
    retry.type = "button";
    retry.addEventListener("click", function () {
      box.remove();
      self.send(message, null, display);
    });
    box.appendChild(retry);
    this.log.appendChild(box);
    this.scrollToEnd();
  };

  // ------------------------------------------------------------ sending
  ChatWidget.prototype.submitInput = function () {
    var text = this.input.value.trim();
    if (!text || this.busy) { return; }
    this.input.value = "";
    this.autoGrow();
    this.send(text, text);
  };

  /** Send `message` to the assistant; `display` is what the user sees as their message (null: nothing). */
  ChatWidget.prototype.send = function (message, display, retriedDisplay) {
    var self = this;
    if (this.busy) { return; }
    var generation = this.generation;
    Array.prototype.forEach.call(this.log.querySelectorAll(".pm-msg--error"), function (node) { node.remove(); });
    this.disableChoices();
    if (display) { this.record({ who: "user", text: display }); }
    this.setBusy(true);
    this.scrollToEnd();

    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS) : null;
    window.fetch(this.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ sender: senderId(), message: message }),
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (data) {
      if (generation !== self.generation) { return; }
      var messages = (data && Array.isArray(data.messages)) ? data.messages : [];
      var degraded = Boolean(data && data.degraded);
      self.setBusy(false);
      var replies = mergeTexts(messages);
      if (replies.length === 0) { replies = [{ text: TEXT.empty }]; }
      var first = null;
      replies.forEach(function (msg) {
        var node = self.record({ who: "bot", msg: msg, degraded: degraded });
        first = first || node;
      });
      self.scrollToReply(first);
    }).catch(function () {
      if (generation !== self.generation) { return; }
      self.setBusy(false);
      self.showError(message, display || retriedDisplay || null);
    }).then(function () {
      if (timer) { window.clearTimeout(timer); }
    });
  };

  function isPlainText(msg) {
    return typeof msg.text === "string" && !msg.buttons && !msg.quick_replies && !msg.custom && !msg.image;
  }

  /** Rasa's REST channel splits a text on blank lines: glue consecutive plain texts back into one bubble. */
  function mergeTexts(messages) {
    var merged = [];
    messages.forEach(function (raw) {
      if (!raw || typeof raw !== "object") { return; }
      var msg = keepKnownFields(raw);
      var previous = merged[merged.length - 1];
      if (previous && isPlainText(previous) && isPlainText(msg)) {
        previous.text += "\n\n" + msg.text;
      } else if (previous && isPlainText(previous) && typeof msg.text === "string" && !msg.custom && !msg.image) {
        previous.text += "\n\n" + msg.text; // text followed by its buttons
        if (msg.buttons) { previous.buttons = msg.buttons; }
        if (msg.quick_replies) { previous.quick_replies = msg.quick_replies; }
      } else {
        merged.push(msg);
      }
    });
    return merged;
  }

  function keepKnownFields(msg) {
    var kept = {};
    ["text", "buttons", "quick_replies", "custom", "image"].forEach(function (key) {
      if (msg[key] !== undefined && msg[key] !== null) { kept[key] = msg[key]; }
    });
    return kept;
  }

  ChatWidget.prototype.reset = function () {
    this.generation += 1;
    this.history = [];
    storeRemove(KEY_HISTORY);
    storeSet(KEY_SENDER, newSenderId());
    this.log.textContent = "";
    this.log.appendChild(el("p", "pm-msg pm-msg--notice", TEXT.restarted));
    this.setBusy(false);
    this.input.value = "";
    this.input.focus();
    if (this.greeting) { this.send(this.greeting, null); }
  };

  function start() {
    var root = document.getElementById("pm-chat");
    if (root && !root.pmChat) {
      root.pmChat = new ChatWidget(root);
      root.hidden = false; // the widget is hidden in the HTML: without JavaScript there is nothing to show
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
