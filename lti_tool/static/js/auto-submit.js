/* Post a protocol form at once (deep-linking response back to the platform); the page keeps a button for no-JS. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-auto-submit]");
  if (form) { form.submit(); }
})();
