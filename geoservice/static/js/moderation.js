// Keyboard shortcuts on a concern's page: one letter sets a common status and saves.
// Letters are read from the form's data-status-keys, so the page documents what it binds.
(function () {
  "use strict";
  var form = document.getElementById("moderate-form");
  if (!form) { return; }
  var keys = JSON.parse(form.getAttribute("data-status-keys") || "{}");
  var select = document.getElementById("status");
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.repeat) { return; }
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    if (tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable)) { return; }
    var status = keys[event.key.toLowerCase()];
    if (!status || !select) { return; }
    event.preventDefault();
    select.value = status;
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });
})();
