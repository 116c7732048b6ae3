/* Back office pages (customers, properties, addresses, import): small enhancements only.
   Loaded with defer and the CSP nonce; no inline scripts. Everything works without it. */
(function () {
  "use strict";

  // Error answers (invalid input, relay failing) are swapped by the one rule in app.js.
})();
