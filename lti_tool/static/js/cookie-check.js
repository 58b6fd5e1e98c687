/* Before the login goes on, check that this browser keeps the tool's cookies where it is shown (inside the course
 * iframe, third-party cookies may be blocked); if not, offer a new window instead of a launch that would fail. */
(function () {
  "use strict";
  var root = document.getElementById("cookie-check");
  if (!root) { return; }
  document.cookie = "btg_cookie_check=1; path=/; max-age=60; SameSite=None; Secure; Partitioned";
  if (document.cookie.indexOf("btg_cookie_check=1") !== -1) {
    window.location.replace(root.dataset.continue);
  } else {
    document.getElementById("checking").hidden = true;
    document.getElementById("blocked").hidden = false;
  }
})();
