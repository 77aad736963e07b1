// Print views: the interactive map is printed only once its base map has loaded tiles.
// Without tiles (offline, blocked) the labelled orientation map beside it carries the
// sheet alone instead of an empty grey box.
(function () {
  "use strict";
  function mark(box) {
    if (box.querySelector("img.leaflet-tile-loaded")) { box.classList.add("has-tiles"); }
  }
  function watch() {
    document.querySelectorAll(".print-base-map").forEach(function (box) {
      var element = box.querySelector(".folium-map");
      var map = element && window[element.id];
      if (map && typeof map.eachLayer === "function") {
        map.eachLayer(function (layer) {
          if (typeof layer.getTileUrl === "function") { layer.on("tileload", function () { mark(box); }); }
        });
      }
      mark(box);
    });
  }
  window.addEventListener("load", watch);
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".print-base-map").forEach(mark);
  });
})();
