// Resident page: "use my location" and "map centre" buttons for the pin picker.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var picker = window.trygghetskartan;
    if (!picker) { return; }
    document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    var status = document.getElementById("pin-status");
    var locate = document.getElementById("use-location");
    if (locate) {
      if (!("geolocation" in navigator)) { locate.hidden = true; }
      locate.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (pos) {
          picker.place(pos.coords.latitude, pos.coords.longitude);
          status.textContent = picker.texts.located;
        }, function () {
          status.textContent = picker.texts.no_location;
        }, {enableHighAccuracy: true, timeout: 10000});
      });
    }
    var centre = document.getElementById("use-centre");
    if (centre) {
      centre.addEventListener("click", function () {
        var c = picker.map.getCenter();
        picker.place(c.lat, c.lng);
      });
    }
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
