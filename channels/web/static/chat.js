/* Chat widget of the Paris Méd' assistant (ES modules, no build step):
 *   chat/storage.js   sender id and history in localStorage
 *   chat/markdown.js  safe rendering (text nodes only, http(s) links only) and minimal Markdown
 *   chat/network.js   POST to the chat endpoint, Rasa REST messages merged for display
 *   chat/card.js      the estimate card (custom payload `estimate_card`)
 *   chat/widget.js    the widget itself
 * Talks to POST <data-endpoint> with {"sender", "message"} and renders the Rasa REST messages it gets back
 * ({"messages": [...], "degraded": bool}). */

import { ChatWidget } from "./chat/widget.js";

function start() {
  const root = document.getElementById("pm-chat");
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
