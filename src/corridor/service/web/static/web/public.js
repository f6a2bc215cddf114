// The public page's charts (Chart.js) and incident map (Leaflet on the world-atlas outlines, no tiles
// from anywhere: the basemap is a file this server serves).
(function () {
  "use strict";
  const totalsElement = document.getElementById("totals-data");
  const totals = totalsElement ? JSON.parse(totalsElement.textContent) || {} : {};
  const incidents = JSON.parse(document.getElementById("incidents-data").textContent);
  const rtl = document.documentElement.dir === "rtl";

  // A popup's content is built as a text node, never as HTML: names and places come from statements any
  // party signs, and Leaflet would parse a string as markup (tests/service/web/test_markup.py holds to it).
  function text(value) {
    const element = document.createElement("span");
    element.textContent = value;
    return element;
  }

  function bar(id, rows, horizontal) {
    const canvas = document.getElementById(id);
    if (!canvas || !rows || !rows.length || typeof Chart === "undefined") return;
    new Chart(canvas, {
      type: "bar",
      data: { labels: rows.map(r => r[0]), datasets: [{ data: rows.map(r => r[1]), backgroundColor: "#1f5f8b" }] },
      options: { indexAxis: horizontal ? "y" : "x", animation: false, plugins: { legend: { display: false } },
                 scales: { x: { reverse: rtl && !horizontal } } },
    });
  }
  const months = totals.by_month || [];
  const monthsCanvas = document.getElementById("chart-months");
  if (monthsCanvas && months.length && typeof Chart !== "undefined") {
    const labels = monthsCanvas.dataset;
    new Chart(monthsCanvas, {
      type: "bar",
      data: { labels: months.map(m => m.month), datasets: [
        { label: labels.plans, data: months.map(m => m.plans), backgroundColor: "#1f5f8b" },
        { label: labels.vehicles, data: months.map(m => m.vehicles), backgroundColor: "#6a9fc4" },
        { label: labels.tonnes, data: months.map(m => m.tonnes), type: "line", yAxisID: "tonnes",
          borderColor: "#8b1f1f", backgroundColor: "#8b1f1f" },
      ] },
      options: { animation: false, scales: { x: { reverse: rtl }, y: { beginAtZero: true },
                 tonnes: { position: rtl ? "left" : "right", beginAtZero: true, grid: { drawOnChartArea: false } } } },
    });
  }
  bar("chart-categories", totals.tonnes_by_category, true);
  bar("chart-routes", totals.tonnes_by_route, true);
  bar("chart-organisations", totals.tonnes_by_organisation, true);

  const mapElement = document.getElementById("map");
  if (!mapElement) return;
  const map = L.map(mapElement, { attributionControl: false }).setView([30, 35], 3);
  // On the incidents page a click on the map places the incident: it fills the latitude and longitude fields.
  const latField = document.getElementById("lat"), lonField = document.getElementById("lon");
  if (latField && lonField) {
    let placed = null;
    map.on("click", event => {
      latField.value = event.latlng.lat.toFixed(4);
      lonField.value = event.latlng.lng.toFixed(4);
      if (placed) placed.remove();
      placed = L.circleMarker(event.latlng, { radius: 8, color: "#f0b400", weight: 3 }).addTo(map);
    });
  }
  const atlas = document.getElementById("public-js").dataset.atlas;
  fetch(atlas).then(r => r.json()).then(world => {
    L.geoJSON(topojson.feature(world, world.objects.countries),
              { style: { color: "#777", weight: 0.6, fillColor: "#eef1f4", fillOpacity: 1 } }).addTo(map);
    const routesElement = document.getElementById("routes-data");
    const routes = routesElement ? JSON.parse(routesElement.textContent) || [] : [];
    const checkpoints = [];
    routes.forEach(route => {
      const line = route.checkpoints.map(c => [c.lat, c.lon]);
      if (line.length > 1) L.polyline(line, { color: "#1f5f8b", weight: 3 }).bindPopup(text(route.name)).addTo(map);
      route.checkpoints.forEach(c => checkpoints.push(L.circleMarker([c.lat, c.lon],
        { radius: 9, color: "#1f5f8b", weight: 3, fillColor: "#ffffff", fillOpacity: 1 })
        .bindPopup(text(`${c.name} — ${route.name}${c.inspected_by.length ? " (" + c.inspected_by.join(", ") + ")" : ""}`))
        .addTo(map)));
    });
    const points = incidents.map(i => L.circleMarker([i.lat, i.lon], {
      radius: 7, color: i.disputed ? "#b35c00" : "#8b1f1f", weight: 2, fillOpacity: 0.7,
    }).bindPopup(text(`${i.id}: ${i.category} — ${i.place} (${i.reporter})${i.disputed ? " — disputed" : ""}`)).addTo(map));
    const everything = points.concat(checkpoints);
    if (everything.length) map.fitBounds(L.featureGroup(everything).getBounds().pad(0.5), { maxZoom: 8 });
  });
})();
