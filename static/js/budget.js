// The budget page works without JavaScript: every change of the basket is
// a form post and the server answers with the page. This only spares the
// reload: it posts the same forms, puts the parts of the returned page
// that changed in place, keeps the focus where the resident was and says
// in the live region how much is left ("Nog € 4.500 over").
(function () {
  "use strict";
  var root = document.querySelector("[data-budget-page]");
  if (!root || !window.fetch || !window.DOMParser || !window.URLSearchParams) {
    return;
  }
  var live = document.getElementById("mandje-melding");

  function announce(text) {
    if (!live || !text) {
      return;
    }
    // Empty first, so the same words twice are still read out.
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 100);
  }

  function replaceByID(doc, id) {
    var old = document.getElementById(id);
    var fresh = doc.getElementById(id);
    if (old && fresh) {
      old.replaceWith(document.importNode(fresh, true));
      return true;
    }
    return false;
  }

  function swap(doc, ok, form, submitter) {
    replaceByID(doc, "mandje-meldingen");
    replaceByID(doc, "mandje-stand");
    var oldBasket = document.getElementById("mandje-sectie");
    var newBasket = doc.getElementById("mandje-sectie");
    if (oldBasket && newBasket) {
      oldBasket.replaceWith(document.importNode(newBasket, true));
    }
    // Every card: a plan's button changes, and another plan may no
    // longer fit.
    document.querySelectorAll(".inspraak-plan-card").forEach(function (card) {
      replaceByID(doc, card.id);
    });
    var card = form.closest(".inspraak-plan-card");
    var target = null;
    if (!ok) {
      var err = document.querySelector("#mandje-meldingen [role=alert]");
      announce(err ? err.textContent.replace(/\s+/g, " ").trim() : "");
      target = card ? document.querySelector("#" + card.id + " button[type=submit]") : err;
    } else {
      var stand = document.getElementById("mandje-stand");
      announce(stand ? stand.getAttribute("data-announce") : "");
      if (card) {
        target = document.querySelector("#" + card.id + " button[type=submit]");
      } else if (form.closest("#mandje-sectie")) {
        target = document.getElementById("mandje");
      } else if (submitter && submitter.id) {
        target = document.getElementById(submitter.id);
      }
    }
    if (target) {
      target.focus();
    }
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-budget-form")) {
      return;
    }
    ev.preventDefault();
    var submitter = ev.submitter || null;
    var data = new URLSearchParams(new FormData(form));
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    if (form.getAttribute("aria-busy") === "true") {
      return;
    }
    form.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin", redirect: "follow",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (resp) {
      return resp.text().then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        if (!doc.getElementById("mandje-stand") && !doc.getElementById("mandje-meldingen")) {
          throw new Error("not a budget page");
        }
        swap(doc, resp.ok, form, submitter);
      });
    }).catch(function () {
      // Anything unexpected: post the form the ordinary way.
      form.removeAttribute("data-budget-form");
      if (submitter && submitter.name) {
        var h = document.createElement("input");
        h.type = "hidden";
        h.name = submitter.name;
        h.value = submitter.value;
        form.appendChild(h);
      }
      form.submit();
    }).finally(function () {
      form.removeAttribute("aria-busy");
    });
  });

  // Points: the running total follows every number typed, before saving.
  var total = parseInt(root.getAttribute("data-points-total"), 10) || 0;
  var timer = null;
  root.addEventListener("input", function (ev) {
    if (!ev.target.hasAttribute || !ev.target.hasAttribute("data-budget-points")) {
      return;
    }
    var used = 0;
    root.querySelectorAll("[data-budget-points]").forEach(function (inp) {
      var n = parseInt(inp.value, 10);
      if (n > 0) {
        used += n;
      }
    });
    var stand = document.getElementById("mandje-stand");
    if (!stand) {
      return;
    }
    document.querySelectorAll(".inspraak-budget-standing").forEach(function (box) {
      var u = box.querySelector("[data-budget=used]");
      var l = box.querySelector("[data-budget=left]");
      if (u) { u.textContent = used + " / " + total; }
      if (l) { l.textContent = String(total - used); }
    });
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var tpl = stand.getAttribute("data-points-template") || "%s";
      announce(tpl.replace("%s", String(total - used)));
    }, 600);
  });
}());
