/* Network: one POST to the application's chat endpoint, and the Rasa REST messages made ready to render. */

const REQUEST_TIMEOUT_MS = 45000;

/** POST {sender, message} to `endpoint`; resolves to {messages, degraded} (messages merged, see mergeTexts). */
export function postMessage(endpoint, sender, message) {
  const controller = window.AbortController ? new AbortController() : null;
  const timer = controller ? window.setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS) : null;
  return window.fetch(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept": "application/json" },
    body: JSON.stringify({ sender: sender, message: message }),
    credentials: "same-origin",
    signal: controller ? controller.signal : undefined
  }).then(function (response) {
    if (!response.ok) { throw new Error("HTTP " + response.status); }
    return response.json();
  }).then(function (data) {
    const messages = (data && Array.isArray(data.messages)) ? data.messages : [];
    return { messages: mergeTexts(messages), degraded: Boolean(data && data.degraded) };
  }).finally(function () {
    if (timer) { window.clearTimeout(timer); }
  });
}

function isPlainText(msg) {
  return typeof msg.text === "string" && !msg.buttons && !msg.quick_replies && !msg.custom && !msg.image;
}

/** Rasa's REST channel splits a text on blank lines: glue consecutive plain texts back into one bubble. */
export function mergeTexts(messages) {
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
