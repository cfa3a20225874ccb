// The report form: the phone's location fills the pin; a pin or address looks for open
// reports of the same kind nearby so the resident can join one instead of duplicating it.
(function () {
  "use strict";
  const form = document.getElementById("report-form");
  if (!form) { return; }
  const lat = document.getElementById("id_lat");
  const lon = document.getElementById("id_lon");
  const note = document.getElementById("pin-note");
  const nearby = document.getElementById("nearby");
  const list = document.getElementById("nearby-list");

  function lookNearby() {
    if (!lat.value || !lon.value) { return; }
    const url = `${form.dataset.nearbyUrl}?type=${encodeURIComponent(form.dataset.type)}&lat=${lat.value}&lon=${lon.value}`;
    fetch(url, { headers: { Accept: "application/json" } }).then((r) => r.json()).then((data) => {
      list.textContent = "";
      (data.reports || []).forEach((report) => {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = report.support_url;
        link.textContent = `${report.reference}: ${report.service}, ${report.place}. ${report.status}`;
        item.appendChild(link);
        list.appendChild(item);
      });
      nearby.hidden = !(data.reports || []).length;
    }).catch(() => {});
  }

  const button = document.getElementById("use-location");
  if (button && "geolocation" in navigator) {
    button.addEventListener("click", () => {
      navigator.geolocation.getCurrentPosition((position) => {
        lat.value = position.coords.latitude.toFixed(6);
        lon.value = position.coords.longitude.toFixed(6);
        note.textContent = button.dataset.done || "✓";
        const map = document.getElementById("report-map")._beatbookMap;
        if (map) { map.setView([position.coords.latitude, position.coords.longitude], 17); map.fire("click", { latlng: L.latLng(position.coords.latitude, position.coords.longitude) }); }
        lookNearby();
      });
    });
  } else if (button) { button.hidden = true; }
  // map.js fills the hidden fields when a pin is placed; look again each time.
  document.getElementById("report-map").addEventListener("click", () => setTimeout(lookNearby, 50));
})();
