/* The estimate card (custom payload `estimate_card`, see docs/contracts.md « carte d'estimation »):
 * eligible or not, the floor amount, the 2–3 reasons that matter, the partners, and a « Voir le détail du
 * calcul » disclosure holding the table, the assumptions and the sources. Texts are inserted as text. */

import { appendInline, el, externalLink, safeUrl } from "./markdown.js";

export const ESTIMATE_CARD = "estimate_card";
const MAX_REASONS = 3;
const MAX_PARTNERS = 3;

const TEXT = {
  label: "Estimation de l'aide Paris Méd'",
  eligible: "Votre projet semble éligible",
  notEligible: "Votre projet ne semble pas éligible",
  amount: "Aide plancher estimée : ",
  atLeast: "au moins ",
  partners: "Partenaires à contacter",
  detail: "Voir le détail du calcul",
  tableCaption: "Calcul de l'aide plancher",
  line: "Élément",
  sum: "Montant",
  basis: "Fondement",
  assumptions: "Hypothèses",
  toClarify: "À préciser",
  sources: "Sources",
  team: "Répartition supposée de l'équipe : ",
  grid: "Grille de calcul : version ",
  // The grid is a reconstitution (the official one is not published): its version is labelled as such.
  gridStatus: " (hypothèse de travail)"
};

function strings(value, max) {
  if (!Array.isArray(value)) { return []; }
  const out = value.filter(function (v) { return typeof v === "string" && v.trim() !== ""; });
  return max ? out.slice(0, max) : out;
}

function list(items, className) {
  const ul = el("ul", className);
  items.forEach(function (text) {
    const li = el("li");
    appendInline(li, text);
    ul.appendChild(li);
  });
  return ul;
}

function titled(parent, title, node) {
  parent.appendChild(el("p", "pm-card__subtitle", title));
  parent.appendChild(node);
}

function detailTable(rows) {
  const wrap = el("div", "pm-table");
  wrap.setAttribute("role", "region");
  wrap.setAttribute("aria-label", TEXT.tableCaption);
  wrap.tabIndex = 0;
  const table = el("table");
  table.appendChild(el("caption", "sr-only", TEXT.tableCaption));
  const head = el("thead");
  const headRow = el("tr");
  [TEXT.line, TEXT.sum, TEXT.basis].forEach(function (label, index) {
    const th = el("th", index === 1 ? "pm-align-right" : null, label);
    th.scope = "col";
    headRow.appendChild(th);
  });
  head.appendChild(headRow);
  table.appendChild(head);
  const body = el("tbody");
  rows.forEach(function (row) {
    if (!row || typeof row !== "object") { return; }
    const tr = el("tr");
    tr.appendChild(el("td", null, row.ligne || ""));
    tr.appendChild(el("td", "pm-align-right", row.montant || ""));
    tr.appendChild(el("td", null, row.fondement || ""));
    body.appendChild(tr);
  });
  table.appendChild(body);
  wrap.appendChild(table);
  return wrap;
}

export function renderEstimateCard(card) {
  const eligible = card.eligible === true;
  const box = el("section", "pm-card " + (eligible ? "pm-card--eligible" : "pm-card--not-eligible"));
  box.setAttribute("aria-label", TEXT.label);

  const title = el("p", "pm-card__title");
  title.appendChild(el("strong", null, typeof card.titre === "string" && card.titre ? card.titre
    : (eligible ? TEXT.eligible : TEXT.notEligible)));
  box.appendChild(title);

  if (eligible && typeof card.montant === "string" && card.montant) {
    const amount = el("p", "pm-card__amount", TEXT.amount + TEXT.atLeast);
    amount.appendChild(el("strong", null, card.montant));
    box.appendChild(amount);
  }

  const reasons = strings(card.motifs, MAX_REASONS);
  if (reasons.length) { box.appendChild(list(reasons, "pm-card__reasons")); }

  const partners = Array.isArray(card.partenaires) ? card.partenaires.slice(0, MAX_PARTNERS) : [];
  if (partners.length) {
    const ul = el("ul", "pm-card__partners");
    partners.forEach(function (p) {
      if (!p || typeof p !== "object" || !p.nom) { return; }
      const li = el("li");
      const href = safeUrl(p.url);
      li.appendChild(href ? externalLink(href, String(p.nom)) : el("strong", null, p.nom));
      if (p.raison) { li.appendChild(document.createTextNode(" — " + String(p.raison))); }
      ul.appendChild(li);
    });
    titled(box, TEXT.partners, ul);
  }

  const details = el("details", "pm-card__detail");
  details.appendChild(el("summary", null, TEXT.detail));
  const rows = Array.isArray(card.detail) ? card.detail : [];
  if (rows.length) { details.appendChild(detailTable(rows)); }
  if (typeof card.repartition_supposee === "string" && card.repartition_supposee) {
    details.appendChild(el("p", null, TEXT.team + card.repartition_supposee));
  }
  const assumptions = strings(card.hypotheses);
  if (assumptions.length) { titled(details, TEXT.assumptions, list(assumptions)); }
  const toClarify = strings(card.a_preciser);
  if (toClarify.length) { titled(details, TEXT.toClarify, list(toClarify)); }
  const sources = strings(card.sources);
  if (sources.length) { titled(details, TEXT.sources, list(sources, "pm-card__sources")); }
  if (typeof card.version_grille === "string" && card.version_grille) {
    details.appendChild(el("p", "pm-card__grid", TEXT.grid + card.version_grille + TEXT.gridStatus));
  }
  box.appendChild(details);

  if (typeof card.avertissement === "string" && card.avertissement) {
    box.appendChild(el("p", "pm-card__warning", card.avertissement));
  }
  return box;
}
