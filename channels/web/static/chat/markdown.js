/* Safe rendering: every text from the user or the bot is inserted with textContent / createTextNode — never
 * innerHTML — and links are kept only for http(s) URLs. Minimal Markdown of the bot's answers. */

export const NEW_TAB = " (nouvel onglet)";

export function el(tag, className, text) {
  var node = document.createElement(tag);
  if (className) { node.className = className; }
  if (text !== undefined && text !== null) { node.textContent = String(text); }
  return node;
}

/** The URL if it is an absolute http(s) URL, otherwise null (no javascript:, data:, …). */
export function safeUrl(raw) {
  if (typeof raw !== "string" || !/^https?:\/\//i.test(raw.trim())) { return null; }
  try {
    var url = new URL(raw.trim());
    return (url.protocol === "http:" || url.protocol === "https:") ? url.href : null;
  } catch (e) {
    return null;
  }
}

export function externalLink(href, label) {
  var a = el("a", null, label);
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.appendChild(el("span", "sr-only", NEW_TAB));
  return a;
}

// **bold**, [label](http…) and bare http(s) URLs; everything else is plain text.
var INLINE = /\*\*([^*\n]+?)\*\*|\[([^\]\n]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)|(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)'»])/g;

export function appendInline(parent, text) {
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

export function renderTable(header, separator, rows) {
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
export function renderMarkdown(container, text) {
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
