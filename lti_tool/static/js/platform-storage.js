/* LTI platform storage (1EdTech lti-cs-oidc / lti-pm-s): keep the login state in the platform's frame when the
 * browser will not keep this tool's cookies inside the course iframe. Data comes from data-* attributes. */
(function () {
  "use strict";
  var root = document.getElementById("platform-storage");
  if (!root) { return; }
  var target = root.dataset.target;
  var origin = "*";  // learnt from the platform's answer to lti.capabilities, then used for every message
  var frame = target === "_parent" ? window.parent : (window.parent.frames[target] || window.parent);

  function send(message) {
    return new Promise(function (resolve, reject) {
      var id = "btg-" + Math.random().toString(36).slice(2);
      var timer = setTimeout(function () { window.removeEventListener("message", listen); reject(new Error("timeout")); }, 4000);
      function listen(event) {
        if ((origin !== "*" && event.origin !== origin) || !event.data || event.data.message_id !== id) { return; }
        if (origin === "*") { origin = event.origin; }
        clearTimeout(timer);
        window.removeEventListener("message", listen);
        if (event.data.error) { reject(new Error(event.data.error.code || "error")); } else { resolve(event.data); }
      }
      window.addEventListener("message", listen);
      message.message_id = id;
      frame.postMessage(message, origin);
    });
  }

  function showFallback() {
    var fallback = document.getElementById("storage-fallback");
    var waiting = document.getElementById("storage-waiting");
    if (waiting) { waiting.hidden = true; }
    if (fallback) { fallback.hidden = false; }
  }

  var capabilities = send({subject: "lti.capabilities"});
  if (root.dataset.mode === "login") {
    var next = function () { window.location.replace(root.dataset.next); };
    capabilities.then(function () {
      return Promise.all([
        send({subject: "lti.put_data", key: "state_" + root.dataset.state, value: root.dataset.state}),
        send({subject: "lti.put_data", key: "nonce_" + root.dataset.nonce, value: root.dataset.nonce})
      ]);
    }).then(next, next);
  } else if (root.dataset.mode === "launch") {
    capabilities.then(function () {
      return send({subject: "lti.get_data", key: "state_" + root.dataset.state});
    }).then(function (reply) {
      if (reply.value === root.dataset.state) {
        document.getElementById("storage-form").submit();
      } else { showFallback(); }
    }, showFallback);
  }
})();
