/* The first page after a launch carries the launch's one-time hand-off, used up by the time this runs: drop it
   from the address, so a copied or bookmarked link is the plain page address. */
(function () {
  "use strict";
  var url = new URL(window.location.href);
  if (url.searchParams.has("handoff")) {
    url.searchParams.delete("handoff");
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  }
})();
