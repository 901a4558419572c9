/* Contact form of the Paris Méd' page: checks the fields, then POSTs JSON
 * {"nom", "email", "profession", "arrondissement", "message"} to <form data-endpoint>
 * (channels.staff: 201 {"id"} | 422 {"detail": [{"champ", "message"}]} | 429).
 * All messages are inserted with textContent.
 */
(function () {
  "use strict";

  var FIELDS = ["nom", "email", "profession", "arrondissement", "message"];
  var OPTIONAL = ["arrondissement"];
  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  var TEXT = {
    required: {
      nom: "Indiquez votre nom.",
      email: "Indiquez votre adresse e-mail.",
      profession: "Choisissez votre profession.",
      message: "Décrivez votre projet en quelques mots."
    },
    badEmail: "L'adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr).",
    tooShort: "Votre message est trop court : décrivez votre projet en quelques phrases.",
    invalid: "Certains champs sont à corriger.",
    sending: "Envoi en cours…",
    ok: "Merci, votre demande a bien été transmise à l'équipe Paris Méd'. Elle vous répondra par e-mail.",
    reference: "Référence de votre demande : ",
    tooMany: "Vous avez envoyé plusieurs demandes en peu de temps. Réessayez dans quelques minutes.",
    failed: "Votre demande n'a pas pu être envoyée. Réessayez plus tard ou écrivez directement à l'équipe Paris Méd' par e-mail."
  };

  function start() {
    var form = document.getElementById("contact-form");
    if (!form || form.pmContact) { return; }
    form.pmContact = true;
    var result = document.getElementById("contact-result");
    var submit = form.querySelector("button[type=submit]");

    function field(name) { return form.elements.namedItem(name); }

    function setError(name, message) {
      var input = field(name);
      var box = document.getElementById("contact-" + name + "-erreur");
      if (message) {
        input.setAttribute("aria-invalid", "true");
        box.textContent = message;
        box.hidden = false;
      } else {
        input.removeAttribute("aria-invalid");
        box.textContent = "";
        box.hidden = true;
      }
    }

    function showResult(kind, lines) {
      result.className = "form-result form-result--" + kind;
      result.textContent = "";
      lines.forEach(function (line, index) {
        if (index > 0) { result.appendChild(document.createElement("br")); }
        result.appendChild(document.createTextNode(line));
      });
    }

    function validate(values) {
      var errors = {};
      FIELDS.forEach(function (name) {
        if (!values[name] && OPTIONAL.indexOf(name) < 0) { errors[name] = TEXT.required[name]; }
      });
      if (values.email && !EMAIL.test(values.email)) { errors.email = TEXT.badEmail; }
      if (values.message && values.message.length < 10) { errors.message = TEXT.tooShort; }
      return errors;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var values = {};
      FIELDS.forEach(function (name) { values[name] = String(field(name).value || "").trim(); });
      var errors = validate(values);
      var firstInvalid = null;
      FIELDS.forEach(function (name) {
        setError(name, errors[name] || "");
        if (errors[name] && !firstInvalid) { firstInvalid = field(name); }
      });
      if (firstInvalid) {
        showResult("error", [TEXT.invalid]);
        firstInvalid.focus();
        return;
      }

      submit.disabled = true;
      showResult("pending", [TEXT.sending]);
      window.fetch(form.getAttribute("data-endpoint"), {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(values),
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, ok: response.ok, data: data || {} };
        });
      }).then(function (reply) {
        if (reply.ok) {
          var lines = [TEXT.ok];
          var ref = reply.data.reference || reply.data.id;
          if (typeof ref === "number" || typeof ref === "string") { lines.push(TEXT.reference + String(ref)); }
          form.reset();
          showResult("ok", lines);
        } else if (reply.status === 422 && Array.isArray(reply.data.detail)) {
          var marked = false;
          reply.data.detail.forEach(function (problem) {
            if (!problem || typeof problem !== "object") { return; }
            var name = problem.champ;
            if (!name && Array.isArray(problem.loc)) { name = problem.loc[problem.loc.length - 1]; }
            if (FIELDS.indexOf(name) >= 0) {
              var text = typeof problem.message === "string" && problem.message ? problem.message
                : (TEXT.required[name] || TEXT.invalid);
              setError(name, text);
              marked = true;
            }
          });
          showResult("error", [marked ? TEXT.invalid : TEXT.failed]);
        } else if (reply.status === 429) {
          showResult("error", [TEXT.tooMany]);
        } else {
          showResult("error", [TEXT.failed]);
        }
      }).catch(function () {
        showResult("error", [TEXT.failed]);
      }).then(function () {
        submit.disabled = false;
        result.focus();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
