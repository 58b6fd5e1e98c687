/* Live preview for the Markdown editor, and the draft kept while an image upload reloads the page. Without this
 * script the "Preview" button renders the same preview on the server. The preview URL and file come from data-*
 * attributes; the CSRF token from the form's hidden field. */
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  var textarea = document.getElementById("markdown");
  var panel = document.getElementById("preview-panel");
  var status = document.getElementById("preview-status");
  if (!form || !textarea || !panel || !window.fetch) { return; }
  var token = form.querySelector("input[name=csrf_token]").value;
  var delayMs = 500;
  var timer = null;
  var latest = 0;

  function refresh() {
    var request = ++latest;
    var body = new URLSearchParams();
    body.set("path", form.dataset.path);
    body.set("text", textarea.value);
    body.set("base_version", form.elements.base_version.value);
    fetch(form.dataset.previewUrl, {
      method: "POST", credentials: "same-origin", body: body,
      headers: {"X-CSRFToken": token, "Accept": "text/html"}
    }).then(function (response) {
      if (!response.ok) { throw new Error("preview failed: " + response.status); }
      return response.text();
    }).then(function (html) {
      if (request !== latest) { return; }
      panel.innerHTML = html;
      var summary = panel.querySelector("[data-preview-summary]");
      status.textContent = summary ? summary.dataset.previewSummary : "";
      form.dataset.previewed = String(request);
    }).catch(function () {
      if (request === latest) { status.textContent = "The preview could not be updated. Use the Preview button."; }
    });
  }

  function goToLine(number) {
    var lines = textarea.value.split("\n");
    var index = Math.min(Math.max(number, 1), lines.length) - 1;
    var start = 0;
    for (var i = 0; i < index; i++) { start += lines[i].length + 1; }
    textarea.focus();
    textarea.setSelectionRange(start, start + lines[index].length);
    textarea.scrollTop = Math.max(0, (index - 3) * (textarea.scrollHeight / lines.length));
  }

  function keepDraftAcrossUpload() {
    var key = "btg-draft:" + window.location.pathname + ":" + form.elements.base_version.value;
    var imageForm = document.getElementById("image-form");
    try {
      var draft = window.sessionStorage.getItem(key);
      window.sessionStorage.removeItem(key);
      if (draft !== null && draft !== textarea.value) {
        textarea.value = draft;
        refresh();
      }
      if (imageForm) {
        imageForm.addEventListener("submit", function () { window.sessionStorage.setItem(key, textarea.value); });
      }
    } catch (blocked) {
      return;  // storage can be switched off (e.g. inside some iframes); the page warns that edits are lost
    }
  }

  keepDraftAcrossUpload();
  textarea.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, delayMs);
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-line]") : null;
    if (!link) { return; }
    event.preventDefault();
    goToLine(parseInt(link.dataset.line, 10));
  });
}());
