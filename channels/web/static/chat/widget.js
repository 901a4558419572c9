/* The chat widget: a launcher, a dialog panel with the conversation log, and the message form. */

import { ESTIMATE_CARD, renderEstimateCard } from "./card.js";
import { el, externalLink, renderMarkdown, safeUrl } from "./markdown.js";
import { postMessage } from "./network.js";
import { loadHistory, resetConversation, saveHistory, senderId } from "./storage.js";

const SMALL_SCREEN = "(max-width: 600px)";

const TEXT = {
  you: "Vous : ",
  bot: "Assistant : ",
  typing: "L'assistant rédige une réponse…",
  open: "Ouvrir l'assistant Paris Méd'",
  close: "Fermer l'assistant Paris Méd'",
  choices: "Réponses proposées",
  sources: "Sources",
  document: "document : ",
  newTab: " (nouvel onglet)",
  error: "Désolé, votre message n'a pas pu être transmis : le service ne répond pas. Vérifiez votre connexion puis réessayez.",
  retry: "Réessayer",
  empty: "L'assistant n'a pas de réponse à ce message. Vous pouvez reformuler votre question ou demander à être mis en relation avec l'équipe Paris Méd'.",
  restarted: "Nouvelle conversation",
  image: "Voir l'image"
};

export function ChatWidget(root) {
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
  if (custom.type === ESTIMATE_CARD) {
    this.log.appendChild(renderEstimateCard(custom));
  } else if (Array.isArray(custom.sources) && custom.sources.length) {
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
    // A source without a public link is named plainly (« Rapport d'activité Paris Méd' 2023-2024, Ville de Paris »).
    if (!href && source.document) { label += " (" + TEXT.document + String(source.document) + ")"; }
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

  postMessage(this.endpoint, senderId(), message).then(function (reply) {
    if (generation !== self.generation) { return; }
    self.setBusy(false);
    var replies = reply.messages;
    if (replies.length === 0) { replies = [{ text: TEXT.empty }]; }
    var first = null;
    replies.forEach(function (msg) {
      var node = self.record({ who: "bot", msg: msg, degraded: reply.degraded });
      first = first || node;
    });
    self.scrollToReply(first);
  }).catch(function () {
    if (generation !== self.generation) { return; }
    self.setBusy(false);
    self.showError(message, display || retriedDisplay || null);
  });
};

ChatWidget.prototype.reset = function () {
  this.generation += 1;
  this.history = [];
  resetConversation();
  this.log.textContent = "";
  this.log.appendChild(el("p", "pm-msg pm-msg--notice", TEXT.restarted));
  this.setBusy(false);
  this.input.value = "";
  this.input.focus();
  if (this.greeting) { this.send(this.greeting, null); }
};
