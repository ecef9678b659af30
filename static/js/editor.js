// Inspraak needs no JavaScript to work; this only improves the editors'
// forms. The server does the same without it.
(function () {
  "use strict";

  // The same folding as project.SlugFrom on the server.
  var fold = {
    "à": "a", "á": "a", "â": "a", "ã": "a", "ä": "a", "å": "a", "ā": "a",
    "ç": "c", "č": "c",
    "è": "e", "é": "e", "ê": "e", "ë": "e", "ē": "e", "ė": "e", "ę": "e",
    "ì": "i", "í": "i", "î": "i", "ï": "i", "ī": "i",
    "ñ": "n", "ń": "n",
    "ò": "o", "ó": "o", "ô": "o", "õ": "o", "ö": "o", "ø": "o", "ō": "o",
    "ù": "u", "ú": "u", "û": "u", "ü": "u", "ū": "u",
    "ý": "y", "ÿ": "y",
    "š": "s", "ž": "z", "ł": "l",
    "ĳ": "ij", "æ": "ae", "œ": "oe", "ß": "ss"
  };
  var maxSlug = 80;

  function slugFrom(title) {
    var out = "", hyphen = false;
    var put = function (s) {
      if (hyphen) { out += "-"; hyphen = false; }
      out += s;
    };
    var sep = function () { if (out !== "") { hyphen = true; } };
    Array.from(title.toLowerCase()).forEach(function (ch) {
      if (/[a-z0-9]/.test(ch)) {
        put(ch);
      } else if ("'’‘`´".indexOf(ch) >= 0) {
        // "Zoë's plein" → "zoes-plein"
      } else if (ch === "&") {
        sep(); put("en"); sep();
      } else if (fold[ch]) {
        put(fold[ch]);
      } else {
        sep();
      }
    });
    if (out.length > maxSlug) {
      out = out.slice(0, maxSlug);
      var i = out.lastIndexOf("-");
      if (i > maxSlug / 2) { out = out.slice(0, i); }
      out = out.replace(/^-+|-+$/g, "");
    }
    return out;
  }

  // The web address follows the title as it is typed, until the editor
  // types an address of their own (emptying it starts following again).
  document.querySelectorAll("form[data-slug-from]").forEach(function (form) {
    var title = form.querySelector("#" + form.getAttribute("data-slug-from"));
    var slug = form.querySelector("#slug");
    if (!title || !slug) { return; }
    var follow = slug.value === "" || slug.value === slugFrom(title.value);
    title.addEventListener("input", function () {
      if (follow) { slug.value = slugFrom(title.value); }
    });
    slug.addEventListener("input", function () { follow = slug.value === ""; });
  });

  // After moving a question, the address names the button to continue
  // with; browsers focus it themselves, this makes sure.
  if (location.hash.length > 1) {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.classList.contains("inspraak-move") && document.activeElement !== target) {
      target.focus();
    }
  }
}());
