/* relaydash: small progressive enhancements shared by every page. Everything works
   without this file; it only makes pages nicer with JavaScript on. No inline scripts. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // A select marked data-autosubmit (the language switch) submits on change, so its
  // button is only needed without JavaScript.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.requestSubmit();
    }
  });

  // Copy buttons: <button data-copy="text"> copies and says so in its live region.
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.getAttribute("data-copy") || "").then(function () {
      var done = button.getAttribute("data-copied-label");
      var status = document.getElementById(button.getAttribute("aria-controls") || "");
      if (status && done) status.textContent = done;
    });
  });

  // After an htmx swap, move focus to the element the server marked, so keyboard and
  // screen-reader users land on the result of what they just did.
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail && event.detail.elt ? event.detail.elt : document;
    var target = root.querySelector ? root.querySelector("[data-focus-after-swap]") : null;
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: false });
    }
  });
})();
