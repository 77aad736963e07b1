// Resident page: one concern per intent, the right list of reasons, and the pin buttons.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  // The form's idempotency key belongs to this history entry: Back, reload or a second
  // tap send the same key, so the server answers with the first receipt instead of
  // storing the concern twice. A fresh visit (a link, the address bar) gets a new key.
  function keepOneIntent(form) {
    var key = document.getElementById("idempotency_key");
    var button = document.getElementById("submit-report");
    var state = history.state || {};
    if (state.idempotencyKey && key) { key.value = state.idempotencyKey; }
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending === "1") { event.preventDefault(); return; }
      form.dataset.sending = "1";
      if (key && key.value) {
        try {
          history.replaceState(Object.assign({}, history.state || {}, {idempotencyKey: key.value}), "");
        } catch (e) { /* history unavailable: the server still answers replays */ }
      }
      if (button) { button.setAttribute("aria-disabled", "true"); }
    });
    // A page restored from the back-forward cache may be sent again (with the same key).
    window.addEventListener("pageshow", function () {
      form.dataset.sending = "";
      if (button) { button.removeAttribute("aria-disabled"); }
    });
  }

  // "Trygg plats" asks why the place feels safe: the list shows that kind's reasons only.
  function reasonsFollowKind(form) {
    var select = document.getElementById("category");
    var label = document.getElementById("category-label");
    if (!select) { return; }
    var groups = {};
    select.querySelectorAll("optgroup").forEach(function (group) {
      groups[group.dataset.kind] = Array.prototype.slice.call(group.querySelectorAll("option"));
      group.remove();
    });
    var placeholder = select.querySelector("option[value='']");
    function show(kind) {
      var chosen = select.value;
      while (select.options.length > 1) { select.remove(1); }
      (groups[kind] || []).forEach(function (option) { select.appendChild(option); });
      select.value = (groups[kind] || []).some(function (o) { return o.value === chosen; }) ? chosen : "";
      if (!select.value && placeholder) { placeholder.selected = true; }
      if (label) { label.textContent = label.dataset[kind] || label.textContent; }
    }
    form.querySelectorAll("input[name=kind]").forEach(function (radio) {
      radio.addEventListener("change", function () { if (radio.checked) { show(radio.value); } });
    });
    var checked = form.querySelector("input[name=kind]:checked");
    show(checked ? checked.value : "unsafe");
  }

  function pinButtons(picker) {
    var status = document.getElementById("pin-status");
    var locate = document.getElementById("use-location");
    var centre = document.getElementById("use-centre");
    var centreHint = document.getElementById("centre-hint");
    var confirm = document.getElementById("confirm-pin");
    if (locate) {
      if (!("geolocation" in navigator)) { locate.hidden = true; }
      locate.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (pos) {
          picker.place(pos.coords.latitude, pos.coords.longitude, pos.coords.accuracy);
        }, function () {
          status.textContent = picker.texts.no_location;
        }, {enableHighAccuracy: true, timeout: 10000});
      });
    }
    function streetLevel(yes) {
      if (!centre) { return; }
      centre.disabled = !yes;
      if (centreHint) { centreHint.hidden = yes; }
    }
    if (centre) {
      centre.addEventListener("click", function () { picker.placeCentre(); });
      streetLevel(picker.atStreetLevel());
      document.addEventListener("trygghetskartan:zoom", function (e) { streetLevel(e.detail.street); });
    }
    if (confirm) {
      confirm.addEventListener("click", function () { picker.confirm(); });
      document.addEventListener("trygghetskartan:pending", function (e) { confirm.hidden = !e.detail; });
    }
  }

  ready(function () {
    var form = document.getElementById("report-form");
    if (form) {
      keepOneIntent(form);
      reasonsFollowKind(form);
    }
    var picker = window.trygghetskartan;
    if (picker) {
      document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
      pinButtons(picker);
    }
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
