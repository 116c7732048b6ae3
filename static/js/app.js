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

  // The one rule for error answers (see relaydash/web.py SWAP_ERROR_HEADER): an answer
  // the server marked is the part to show, whatever its status, so htmx swaps it.
  var SWAP_ERROR_HEADER = "X-Relaydash-Swap";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.getResponseHeader(SWAP_ERROR_HEADER)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Any other failed update (no answer, or an error page that is not a part) is said
  // next to the control that asked, never silently dropped. The order page says it its
  // own way (order-detail.js).
  function sayFailure(event, text) {
    var elt = event.detail && event.detail.elt;
    if (!(elt instanceof Element) || elt.closest("[data-order-detail]")) return;
    var home = elt.closest("form") || event.detail.target || elt;
    var alert = home.querySelector ? home.querySelector("[data-update-failure]") : null;
    if (!alert) {
      alert = document.createElement("p");
      alert.className = "alert alert-error";
      alert.setAttribute("role", "alert");
      alert.setAttribute("data-update-failure", "");
      home.insertBefore(alert, home.firstChild);
    }
    alert.textContent = text || document.body.getAttribute("data-msg-update-failed") || "";
  }
  document.addEventListener("htmx:sendError", function (event) {
    sayFailure(event, "");
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var type = xhr ? xhr.getResponseHeader("Content-Type") || "" : "";
    sayFailure(event, type.indexOf("text/plain") === 0 ? xhr.responseText : "");
  });

  // relay can be slow: after a second without an answer, the control the person used
  // says that relaydash is waiting for relay (announced through aria-live), instead of
  // only looking dimmed. Background polls say nothing; an upload says it its own way.
  var WAIT_MS = 1000;
  var USER_EVENTS = /^(submit|click|change|input|keyup|search)$/;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var detail = event.detail;
    var cause = detail && detail.requestConfig ? detail.requestConfig.triggeringEvent : null;
    var elt = detail && detail.elt;
    if (!(elt instanceof Element) || !cause || !USER_EVENTS.test(cause.type)) return;
    var home = elt.closest("form") || elt;
    var note = document.createElement("span");
    note.className = "waiting-note";
    note.setAttribute("aria-live", "polite");
    note.setAttribute("data-waiting-note", "");
    if (home === elt && elt.tagName !== "FORM") {
      elt.insertAdjacentElement("afterend", note);
    } else {
      home.appendChild(note);
    }
    var timer = window.setTimeout(function () {
      var uploading = home.querySelector("[data-upload-progress-wrap]:not([hidden])");
      if (!uploading) note.textContent = document.body.getAttribute("data-msg-waiting") || "";
    }, WAIT_MS);
    var done = function () {
      window.clearTimeout(timer);
      note.remove();
      elt.removeEventListener("htmx:afterRequest", done);
    };
    elt.addEventListener("htmx:afterRequest", done);
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
