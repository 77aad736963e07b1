// Partner event form: one map for every event block; "use my location" per block.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var picker = window.trygghetskartan;
    if (!picker) { return; }
    document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    var blocks = document.querySelectorAll("fieldset.event");
    // The map marks the place of the last event block unless another one is chosen.
    var active = blocks.length - 1;
    function field(index, name) { return document.getElementById("e" + index + "-" + name); }
    function setActive(index) {
      active = index;
      blocks.forEach(function (b) { b.classList.toggle("active-event", Number(b.dataset.event) === index); });
    }
    setActive(active);
    document.addEventListener("trygghetskartan:pin", function (e) {
      field(active, "lat").value = e.detail.lat;
      field(active, "lon").value = e.detail.lon;
      var place = field(active, "place");
      if (place) { place.value = ""; }
      var status = document.getElementById("pin-status");
      field(active, "pin").textContent = status ? status.textContent : picker.texts.placed_plain;
    });
    document.querySelectorAll(".use-map").forEach(function (button) {
      button.addEventListener("click", function () {
        setActive(Number(button.dataset.event));
        document.querySelector(".map-box").scrollIntoView({behavior: "smooth", block: "center"});
      });
    });
    document.querySelectorAll(".use-location").forEach(function (button) {
      if (!("geolocation" in navigator)) { button.hidden = true; return; }
      button.addEventListener("click", function () {
        var index = Number(button.dataset.event);
        setActive(index);
        navigator.geolocation.getCurrentPosition(function (pos) {
          picker.place(pos.coords.latitude, pos.coords.longitude);
          field(index, "pin").textContent = picker.texts.located;
        }, function () {
          field(index, "pin").textContent = picker.texts.no_location;
        }, {enableHighAccuracy: true, timeout: 10000});
      });
    });
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
