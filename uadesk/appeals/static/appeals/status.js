// The sent page's statuses, asked again from the desk while a letter is on its way (the supporter
// confirms their email in another tab, staff read it, the worker sends it), so the page changes
// without a reload. Without JavaScript the page is the same, as of when it was loaded.
(function () {
  "use strict";
  var list = document.querySelector("ul.appeal-status[data-status-url]");
  if (!list || !window.fetch || !document.createElement("template").content) return;
  var url = list.getAttribute("data-status-url");
  var MAX_DELAY = 30000, MAX_ASKS = 150; // about an hour; after that a reload tells the rest
  var delay = 2000, asked = 0, settled = false, busy = false; // busy: a wait or a request under way

  function show(data) {
    data.appeals.forEach(function (appeal) {
      var shown = list.querySelector('.appeal-state[data-target="' + appeal.target + '"]');
      if (!shown) return;
      var template = document.createElement("template");
      template.innerHTML = appeal.html; // the desk's own template, its text escaped there
      var fresh = template.content.querySelector(".appeal-state");
      // The words inside change, the element stays: a screen reader reads its live region again.
      if (fresh && fresh.innerHTML !== shown.innerHTML) {
        shown.replaceChildren.apply(shown, Array.from(fresh.childNodes));
      }
    });
    if (!data.unconfirmed) {
      document.querySelectorAll("[data-while-unconfirmed]").forEach(function (notice) { notice.remove(); });
    }
  }

  function later() {
    busy = !settled && asked < MAX_ASKS;
    if (!busy) return;
    window.setTimeout(ask, delay);
    delay = Math.min(delay * 1.5, MAX_DELAY);
  }

  function ask() {
    if (document.hidden) { busy = false; return; } // asked again when the tab is seen
    asked += 1;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        show(data);
        settled = !(data.on_its_way || data.unconfirmed);
      })
      .catch(function () { /* the network or the desk failed once: ask again later */ })
      .then(later);
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !busy && !settled && asked < MAX_ASKS) { busy = true; ask(); }
  });
  later();
})();
