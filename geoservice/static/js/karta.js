// Public map: choosing count or rate shows it at once (without JavaScript: the button).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("map-filters");
    if (!form) { return; }
    form.querySelectorAll("input[name=measure]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      });
    });
  });
})();
