/* Saves each answer on the server as it is given, and says so in a live region. Without JavaScript the
   submit button sends everything; with it, nothing is lost if the session or the iframe drops mid-quiz. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = document.getElementById("save-status");
  var timers = {};

  function save(fieldset) {
    var question = fieldset.getAttribute("data-question");
    clearTimeout(timers[question]);
    var data = new FormData();
    data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    data.append("question", question);
    fieldset.querySelectorAll("input, select, textarea").forEach(function (field) {
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) { return; }
      data.append(field.name, field.value);
    });
    var number = fieldset.querySelector(".nhsuk-fieldset__heading").textContent.split(":")[0];
    status.textContent = "Saving…";
    fetch(form.getAttribute("data-autosave-url"), {
      method: "POST", body: data, credentials: "same-origin", headers: {"Accept": "application/json"}
    }).then(function (response) {
      status.textContent = response.ok ? "Saved your answer to " + number.toLowerCase()
        : "Not saved. Your answers will be sent when you submit.";
    }).catch(function () {
      status.textContent = "Not saved: check your connection. Your answers will be sent when you submit.";
    });
  }

  function fieldsetOf(target) { return target.closest ? target.closest("[data-question]") : null; }

  form.addEventListener("change", function (event) {
    var fieldset = fieldsetOf(event.target);
    if (fieldset) { save(fieldset); }
  });
  form.addEventListener("input", function (event) {
    var fieldset = fieldsetOf(event.target);
    var typed = event.target.tagName === "TEXTAREA" || event.target.type === "text";
    if (!fieldset || !typed) { return; }
    var key = fieldset.getAttribute("data-question");
    clearTimeout(timers[key]);
    timers[key] = setTimeout(function () { save(fieldset); }, 800);
  });
  // Listening from here on: tests (and anything else that needs to know) wait for this mark before typing.
  form.setAttribute("data-autosave-ready", "");
}());
