/* Conversation storage: the sender id and the rendered history, in localStorage (memory if refused). */

const STORE_PREFIX = "parismed.chat.v1.";
const KEY_SENDER = STORE_PREFIX + "sender";
const KEY_HISTORY = STORE_PREFIX + "history";
const MAX_HISTORY = 200;

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

export function newSenderId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  var bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
}

export function senderId() {
  var id = storeGet(KEY_SENDER);
  if (!id) {
    id = newSenderId();
    storeSet(KEY_SENDER, id);
  }
  return id;
}

export function loadHistory() {
  try {
    var parsed = JSON.parse(storeGet(KEY_HISTORY) || "[]");
    return Array.isArray(parsed) ? parsed : [];
  } catch (e) {
    return [];
  }
}

export function saveHistory(history) {
  storeSet(KEY_HISTORY, JSON.stringify(history.slice(-MAX_HISTORY)));
}

/** Forget the conversation: no history, a new sender id (a new conversation for Rasa). */
export function resetConversation() {
  storeRemove(KEY_HISTORY);
  storeSet(KEY_SENDER, newSenderId());
}
