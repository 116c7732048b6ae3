/* Back office pages (customers, properties, addresses, import): small enhancements only.
   Loaded with defer and the CSP nonce; no inline scripts. Everything works without it. */
(function () {
  "use strict";

  // A form marked data-swap-errors answers invalid input with 422 (or relay's failure
  // with 4xx/5xx) and the re-rendered form. htmx does not swap error responses by
  // default; for these forms the answer *is* the form with its messages, so swap it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!detail || !detail.xhr || detail.xhr.status < 400) return;
    var source = detail.requestConfig && detail.requestConfig.elt;
    var form = source && source.closest ? source.closest("[data-swap-errors]") : null;
    if (form && detail.xhr.responseText) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
})();
