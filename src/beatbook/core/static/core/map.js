// Maps without a tile server: beats, streets and points come from the app's own vector data.
(function () {
  "use strict";
  const COLORS = { 1: "#b3261e", 2: "#c25e00", 3: "#1f4e79", 4: "#5b6776" };
  const UNIT_COLORS = { available: "#1e7b34", busy: "#1f4e79", en_route: "#c25e00",
                        on_scene: "#8a3b00", out_of_service: "#777" };

  // What a before-and-after compared its place against: the ring around an address or the
  // beats bordering a beat.
  const SURROUNDINGS = { color: "#6a3d9a", weight: 2.5, dashArray: "6 4", fillColor: "#cab2d6", fillOpacity: 0.3 };

  // The band between two circles, as a polygon with a hole (metres; flat over a few km).
  function ring(lat, lon, inner, outer) {
    const circle = (radius) => Array.from({ length: 72 }, (_, i) => {
      const a = (i / 72) * 2 * Math.PI;
      return [lat + (radius * Math.sin(a)) / 111320,
              lon + (radius * Math.cos(a)) / (111320 * Math.cos((lat * Math.PI) / 180))];
    });
    return [circle(outer), circle(inner)];
  }

  function pollHeaders() { return { "X-Beatbook-Poll": "1", "Accept": "application/json" }; }

  function setup(el) {
    // Drawn from vector data alone, a map can fit its beats or cells at any zoom; tiles would
    // blur between their whole-number zooms, so with a tile server the zoom stays whole.
    const map = L.map(el, { zoomControl: true, attributionControl: !!el.dataset.tileUrl,
                            zoomSnap: el.dataset.tileUrl ? 1 : 0.25 });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    }
    map.setView([47.61, -122.33], 12);
    // Beats, then streets, beneath everything a page draws on them (calls, hot-spot cells),
    // whichever of them arrives first.
    map.createPane("beats").style.zIndex = 380;
    map.createPane("streets").style.zIndex = 390;
    const pointsLayer = L.layerGroup().addTo(map);
    const surroundings = el.dataset.surroundings ? JSON.parse(el.dataset.surroundings) : null;
    if (el.dataset.streetsUrl && !el.dataset.tileUrl) {
      fetch(el.dataset.streetsUrl, { headers: pollHeaders(), credentials: "same-origin" })
        .then((r) => r.json()).then((geojson) => {
          L.geoJSON(geojson, {
            pane: "streets",
            style: { color: "#8a97a6", weight: 2, opacity: 0.8 },
            onEachFeature: (feature, layer) => layer.bindTooltip(feature.properties.name, { sticky: true }),
          }).addTo(map);
        });
    }
    if (el.dataset.beatsUrl) {
      fetch(el.dataset.beatsUrl, { headers: pollHeaders(), credentials: "same-origin" })
        .then((r) => r.json()).then((geojson) => {
          // A page about one beat (a watch group's, a filtered dashboard) picks it out; a
          // before-and-after of a beat also marks the bordering beats it compared.
          const picked = new Set((el.dataset.highlightBeats || "").split(",").filter(Boolean).map(Number));
          const around = new Set(surroundings ? surroundings.beats : []);
          const highlighted = [];
          const bordering = [];
          const beats = L.geoJSON(geojson, {
            pane: "beats",
            style: (feature) => {
              if (picked.has(feature.properties.id)) { return { color: "#222", weight: 3, fillColor: "#fff3c4", fillOpacity: 0.5 }; }
              if (around.has(feature.properties.id)) { return SURROUNDINGS; }
              return { color: "#1f4e79", weight: 1.2, fillColor: "#c9d8ea", fillOpacity: picked.size ? 0.15 : 0.35 };
            },
            onEachFeature: (feature, layer) => {
              if (around.has(feature.properties.id)) {
                layer.bindTooltip(`${feature.properties.name}. ${surroundings.text}`, { sticky: true });
                bordering.push(layer);
                return;
              }
              layer.bindTooltip(feature.properties.name, { permanent: !!el.dataset.labels || picked.has(feature.properties.id), direction: "center", className: "bb-label" });
              if (picked.has(feature.properties.id)) { highlighted.push(layer); }
            },
          }).addTo(map);
          highlighted.forEach((layer) => layer.bringToFront());
          if ((!el.dataset.pointsUrl || el.dataset.fit === "beats") && !el._areaFitted) {
            const framed = [...highlighted, ...bordering];
            map.fitBounds(framed.length ? L.featureGroup(framed).getBounds() : beats.getBounds(),
                          framed.length ? { padding: [20, 20] } : {});
          }
          el.dataset.beatsLoaded = "1";
          el.dataset.beatsHighlighted = String(highlighted.length);
          el.dataset.beatsBordering = String(bordering.length);
        });
    }
    if (el.dataset.pointsUrl) {
      let first = true;
      const refresh = () => fetch(el.dataset.pointsUrl, { headers: pollHeaders(), credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : null)).then((data) => {
          if (!data) { return; }
          pointsLayer.clearLayers();
          const bounds = [];
          (data.calls || []).forEach((c) => {
            const m = L.circleMarker([c.lat, c.lon], { radius: 8, weight: 2, color: c.flagged ? "#000" : "#fff",
              fillColor: COLORS[c.priority] || "#1f4e79", fillOpacity: 0.95 });
            m.bindTooltip(`${c.number} · ${c.type} · ${c.status.replace("_", " ")}`);
            m.on("click", () => { window.location.href = `/calls/${c.id}/`; });
            m.addTo(pointsLayer); bounds.push([c.lat, c.lon]);
          });
          (data.units || []).forEach((u) => {
            const icon = L.divIcon({ className: "", html: `<span class="pill" style="background:${UNIT_COLORS[u.status] || "#333"};color:#fff">${u.call_sign}</span>` });
            L.marker([u.lat, u.lon], { icon, keyboard: false }).bindTooltip(`${u.call_sign} · ${u.status.replace(/_/g, " ")}`).addTo(pointsLayer);
            bounds.push([u.lat, u.lon]);
          });
          (data.alarms || []).forEach((a) => {
            if (a.lat === null) { return; }
            L.circle([a.lat, a.lon], { radius: 120, color: "#b3261e", fillOpacity: 0.3 }).bindTooltip(`EMERGENCY ${a.call_sign}`, { permanent: true }).addTo(pointsLayer);
          });
          if (first && bounds.length) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 }); first = false; }
        }).catch(() => {});
      refresh();
      setInterval(refresh, (parseInt(el.dataset.pollSeconds, 10) || 3) * 1000);
    }
    if (el.dataset.publicUrl) {
      fetch(el.dataset.publicUrl, { headers: { Accept: "application/json" } }).then((r) => r.json()).then((data) => {
        const bounds = [];
        (data.reports || []).forEach((r) => {
          const marker = L.circleMarker([r.lat, r.lon], { radius: 7, weight: 2, color: "#fff",
            fillColor: r.open ? "#1f4e79" : "#1e7b34", fillOpacity: 0.9 });
          marker.bindTooltip(`${r.reference} · ${r.service} · ${r.place} · ${r.status}`);
          marker.on("click", () => { window.location.href = r.url; });
          marker.addTo(pointsLayer); bounds.push([r.lat, r.lon]);
        });
        if (bounds.length) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 }); }
      });
    }
    if (el.dataset.hexUrl) {
      fetch(el.dataset.hexUrl, { headers: pollHeaders(), credentials: "same-origin" })
        .then((r) => r.json()).then((geojson) => {
          const hexes = L.geoJSON(geojson, {
            style: (f) => ({ color: "#fff", weight: 0.6, fillColor: f.properties.colour, fillOpacity: 0.75 }),
            onEachFeature: (f, layer) => {
              const p = f.properties;
              const level = p.confidence ? ` · ${p.hot ? "hot" : "cold"} spot, ${p.confidence} %` : "";
              layer.bindTooltip(`${p.calls} calls · Gi* z ${p.z}${level}`);
            },
          }).addTo(map);
          if (geojson.features.length) {
            map.fitBounds(hexes.getBounds(), { maxZoom: 15 });
            el._areaFitted = true;  // the beats, arriving later, keep this view
          }
          el.dataset.hexLoaded = String(geojson.features.length);
        });
    }
    if (el.dataset.pickLat) {
      const latInput = document.getElementById(el.dataset.pickLat);
      const lonInput = document.getElementById(el.dataset.pickLon);
      let pin = null;
      const place = (latlng) => {
        if (pin) { pin.setLatLng(latlng); } else { pin = L.marker(latlng, { draggable: true }).addTo(map); pin.on("dragend", () => place(pin.getLatLng())); }
        latInput.value = latlng.lat.toFixed(6); lonInput.value = latlng.lng.toFixed(6);
        const note = document.getElementById("pin-note");
        if (note) { note.textContent = `${el.dataset.pinText || "Pin at"} ${latInput.value}, ${lonInput.value}`; }
      };
      map.on("click", (e) => place(e.latlng));
    }
    if (el.dataset.drawArea) {
      // Click corners to draw an area; the GeoJSON Polygon goes into the named field.
      const field = document.getElementById(el.dataset.drawArea);
      const corners = [];
      let shape = null;
      const write = () => {
        if (shape) { map.removeLayer(shape); shape = null; }
        if (corners.length) { shape = L.polygon(corners, { color: "#c05621" }).addTo(map); }
        const ring = corners.map((c) => [Number(c.lng.toFixed(6)), Number(c.lat.toFixed(6))]);
        field.value = ring.length >= 3 ? JSON.stringify({ type: "Polygon", coordinates: [[...ring, ring[0]]] }) : "";
        const note = document.getElementById("area-note");
        if (note) { note.textContent = `${corners.length} corner(s)`; }
      };
      if (field.value) {
        try {
          JSON.parse(field.value).coordinates[0].slice(0, -1).forEach(([lon, lat]) => corners.push(L.latLng(lat, lon)));
          write();
          if (shape) { map.fitBounds(shape.getBounds()); el._areaFitted = true; }
        } catch (error) { field.value = ""; }
      }
      map.on("click", (e) => { corners.push(e.latlng); write(); });
      const clear = document.getElementById("area-clear");
      if (clear) { clear.addEventListener("click", () => { corners.length = 0; write(); }); }
    }
    if (el.dataset.cells) {
      // Cells shaded by a change between two periods (the before-and-after page), and the
      // circle the comparison counted within, if it was one.
      const drawn = L.featureGroup().addTo(map);
      L.geoJSON(JSON.parse(el.dataset.cells), {
        style: (f) => ({ color: "#fff", weight: 0.6, fillColor: f.properties.colour, fillOpacity: 0.8 }),
        onEachFeature: (f, layer) => layer.bindTooltip(`${f.properties.before} before · ${f.properties.after} after`),
      }).addTo(drawn);
      if (el.dataset.circle) {
        const [lat, lon, radius] = el.dataset.circle.split(",").map(Number);
        L.circle([lat, lon], { radius, color: "#222", weight: 2.5, dashArray: "6 4", fill: false }).addTo(drawn);
        if (surroundings && surroundings.outer_m) {  // the ring it compared, out to here
          const band = L.polygon(ring(lat, lon, radius, surroundings.outer_m), SURROUNDINGS);
          band.bindTooltip(surroundings.text, { sticky: true }).addTo(drawn);
          band.bringToBack();  // under the place's own circle and its cells
          el.dataset.ringDrawn = "1";
        }
      }
      // Around a beat, the beat is the frame (its cells may be few); around an address, the
      // circle and the cells.
      if (drawn.getLayers().length && !el.dataset.highlightBeats) {
        map.fitBounds(drawn.getBounds(), { padding: [20, 20], maxZoom: 17, animate: false });
        el._areaFitted = true;
      }
    }
    if (el.dataset.area) {
      const area = L.geoJSON(JSON.parse(el.dataset.area), { style: { color: "#c05621" } }).addTo(map);
      map.fitBounds(area.getBounds());
      el._areaFitted = true;
    }
    el._beatbookMap = map;
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-map]").forEach(setup);
  });
  // Parts of a page redrawn by HTMX (the dashboard's figures) bring new maps with them.
  document.addEventListener("htmx:afterSettle", (event) => {
    const root = event.target;
    if (!root || !root.querySelectorAll) { return; }
    root.querySelectorAll("[data-map]").forEach((el) => { if (!el._beatbookMap) { setup(el); } });
  });
})();
