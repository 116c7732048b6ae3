/* Order list: keep the list fresh while someone looks at it. Everything here is an
   enhancement; without JavaScript the filter form and every link still work.

   Every 60 seconds, and only while the page is visible, an `orders:refresh` event goes
   to <body>. The results region listens for it (hx-trigger="orders:refresh from:body")
   and asks the server, which either swaps the rows in place (same orders on the page)
   or shows a "N new orders — show" notice (never moving rows under the user's finger). */
(function () {
  "use strict";

  var INTERVAL = 60 * 1000;
  var lastRefresh = Date.now();

  function results() {
    return document.getElementById("order-results");
  }

  function busy() {
    var region = results();
    if (!region) return true;
    // A swap the user asked for is in flight: it brings fresh data anyway.
    if (region.classList.contains("htmx-request") || document.querySelector(".htmx-request")) return true;
    // Never refresh under someone typing a search.
    var active = document.activeElement;
    return !!(active && active.id === "order-q");
  }

  function refresh() {
    if (document.visibilityState !== "visible" || busy()) return;
    lastRefresh = Date.now();
    document.body.dispatchEvent(new CustomEvent("orders:refresh"));
  }

  window.setInterval(function () {
    if (Date.now() - lastRefresh >= INTERVAL - 500) refresh();
  }, 5000);

  // Back on the tab after a while: catch up at once instead of waiting for the timer.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && Date.now() - lastRefresh >= INTERVAL) refresh();
  });

  // Any swap of the results is fresh data: restart the clock.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail && event.detail.target === results()) lastRefresh = Date.now();
  });

  // Phone: the status tabs are one row that scrolls inside itself. Keep the current tab
  // in sight on load, and keep the row where the user left it when a swap replaces it
  // (the tabs come back out of band with new counts).
  var tabsScroll = 0;

  function showCurrentTab(scrollLeft) {
    var list = document.querySelector("#order-tabs ul");
    if (!list || list.scrollWidth <= list.clientWidth) return;
    list.scrollLeft = scrollLeft;
    var current = list.querySelector("[aria-current=page]");
    if (!current) return;
    var box = list.getBoundingClientRect();
    var tab = current.getBoundingClientRect();
    var edge = 24; // show that there is more beyond the tab
    if (tab.left < box.left + edge) list.scrollLeft -= box.left + edge - tab.left;
    else if (tab.right > box.right - edge) list.scrollLeft += tab.right - (box.right - edge);
  }

  showCurrentTab(0);

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "order-tabs") {
      var list = target.querySelector("ul");
      tabsScroll = list ? list.scrollLeft : 0;
    }
  });

  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "order-tabs") showCurrentTab(tabsScroll);
  });

  // relay failing is answered with 502/503 and the results part saying so: app.js's one
  // rule for error answers swaps it.
})();
