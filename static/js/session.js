// Session warning. Without JavaScript the header already says when the
// session ends and offers "Blijf ingelogd" as a plain form. This script
// only adds: a warning two minutes before, announced to screen readers;
// extending without leaving the page; and a reload when the session has
// ended, so the page never pretends someone is still logged in.
(function () {
  "use strict";
  var box = document.querySelector(".inspraak-session");
  if (!box || !window.fetch) { return; }
  var warning = box.querySelector(".inspraak-session__warning");
  var form = box.querySelector(".inspraak-session__form");
  var timeEl = box.querySelector(".inspraak-session__time");
  var warnBefore = (parseInt(box.getAttribute("data-warning-seconds"), 10) || 120) * 1000;
  var timers = [];
  var fmt = new Intl.DateTimeFormat(document.documentElement.lang || "nl", {
    hour: "2-digit", minute: "2-digit", timeZone: "Europe/Amsterdam"
  });

  function schedule(deadline) {
    timers.forEach(clearTimeout);
    timers = [];
    var left = deadline.getTime() - Date.now();
    warning.hidden = true;
    box.classList.remove("inspraak-session--warning");
    if (timeEl) {
      timeEl.textContent = fmt.format(deadline);
      timeEl.setAttribute("datetime", deadline.toISOString());
    }
    timers.push(setTimeout(function () {
      warning.hidden = false;
      box.classList.add("inspraak-session--warning");
    }, Math.max(left - warnBefore, 0)));
    timers.push(setTimeout(function () { window.location.reload(); }, Math.max(left + 1000, 0)));
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(new FormData(form))
    }).then(function (r) {
      if (!r.ok) { window.location.reload(); return null; }
      return r.json();
    }).then(function (data) {
      if (data && data.idle_deadline) { schedule(new Date(data.idle_deadline)); }
    }).catch(function () { form.submit(); });
  });

  schedule(new Date(box.getAttribute("data-idle-deadline")));
})();
