// The CSO's phone: report position now and then, and attach it to emergency and field forms.
(function () {
  "use strict";
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  let last = null;
  function fill(position) {
    last = position.coords;
    document.querySelectorAll("input[data-geo=lat]").forEach((i) => { i.value = last.latitude.toFixed(6); });
    document.querySelectorAll("input[data-geo=lon]").forEach((i) => { i.value = last.longitude.toFixed(6); });
  }
  function report() {
    if (!last) { return; }
    const body = new URLSearchParams({ lat: last.latitude.toFixed(6), lon: last.longitude.toFixed(6) });
    fetch("/roster/me/position/", { method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json", "X-Beatbook-Poll": "1" } }).catch(() => {});
  }
  if ("geolocation" in navigator) {
    navigator.geolocation.watchPosition(fill, () => {}, { enableHighAccuracy: true, maximumAge: 30000 });
    setInterval(report, 60000);
  }
  document.querySelectorAll("[data-use-location]").forEach((button) => {
    button.addEventListener("click", () => {
      if (!("geolocation" in navigator)) { return; }
      navigator.geolocation.getCurrentPosition((p) => { fill(p); button.textContent = "Location added ✓"; });
    });
  });
})();
