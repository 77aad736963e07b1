// Safety walks: route buttons on the planning page, "use my location" when recording.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    var undo = document.getElementById("route-undo");
    var clear = document.getElementById("route-clear");
    if (undo && window.walkRoute) { undo.addEventListener("click", function () { window.walkRoute.undo(); }); }
    if (clear && window.walkRoute) { clear.addEventListener("click", function () { window.walkRoute.clear(); }); }
    var picker = window.trygghetskartan;
    var locate = document.getElementById("use-location");
    if (locate && picker) {
      if (!("geolocation" in navigator)) { locate.hidden = true; }
      locate.addEventListener("click", function () {
        var status = document.getElementById("pin-status");
        navigator.geolocation.getCurrentPosition(function (pos) {
          picker.place(pos.coords.latitude, pos.coords.longitude);
          status.textContent = picker.texts.located;
        }, function () {
          status.textContent = picker.texts.no_location;
        }, {enableHighAccuracy: true, timeout: 10000});
      });
    }
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
