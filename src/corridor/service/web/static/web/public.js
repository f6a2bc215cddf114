// The public page's charts (Chart.js) and incident map (Leaflet on files this server serves, no tiles from
// anywhere: the world's outlines, and a regional extract of the operation's area with borders at 1:10m and
// its towns and villages, static/vendor/basemap/region.json, built by frontend/basemap.js).
(function () {
  "use strict";
  const totalsElement = document.getElementById("totals-data");
  const totals = totalsElement ? JSON.parse(totalsElement.textContent) || {} : {};
  const incidentsElement = document.getElementById("incidents-data");
  const incidents = incidentsElement ? JSON.parse(incidentsElement.textContent) || [] : [];
  const categoriesElement = document.getElementById("category-labels");
  const categories = categoriesElement ? JSON.parse(categoriesElement.textContent) || {} : {};
  const rtl = document.documentElement.dir === "rtl";
  const COLOURS = { route: "#1f5f8b", claim: "#8b1f1f", disputed: "#b35c00", place: "#555" };

  // A popup's content is built as a text node, never as HTML: names and places come from statements any
  // party signs, and Leaflet would parse a string as markup (tests/service/web/test_markup.py holds to it).
  function text(value) {
    const element = document.createElement("span");
    element.textContent = value;
    return element;
  }

  // A long name is split into lines of at most `width` characters (Chart.js draws an array as lines), so
  // an axis label is never cut off, whatever the language.
  function wrap(label, width) {
    const lines = [];
    let line = "";
    String(label).split(/\s+/).forEach(word => {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; } else { line = line ? line + " " + word : word; }
    });
    if (line) lines.push(line);
    return lines.length > 1 ? lines : String(label);
  }

  function bar(id, rows) {
    const canvas = document.getElementById(id);
    if (!canvas || !rows || !rows.length || typeof Chart === "undefined") return;
    const box = canvas.parentElement;  // tall enough for every bar and its wrapped label
    box.style.height = Math.max(160, rows.length * 44 + 48) + "px";
    new Chart(canvas, {
      type: "bar",
      data: { labels: rows.map(r => wrap(r[0], 22)), datasets: [{ data: rows.map(r => r[1]), backgroundColor: COLOURS.route }] },
      options: { indexAxis: "y", animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } },
                 scales: { x: { reverse: rtl, beginAtZero: true }, y: { position: rtl ? "right" : "left",
                                                                         ticks: { autoSkip: false } } } },
    });
  }
  const months = totals.by_month || [];
  const monthsCanvas = document.getElementById("chart-months");
  if (monthsCanvas && months.length && typeof Chart !== "undefined") {
    const labels = monthsCanvas.dataset;
    new Chart(monthsCanvas, {
      type: "bar",
      data: { labels: months.map(m => m.month), datasets: [
        { label: labels.plans, data: months.map(m => m.plans), backgroundColor: COLOURS.route },
        { label: labels.vehicles, data: months.map(m => m.vehicles), backgroundColor: "#6a9fc4" },
        { label: labels.tonnes, data: months.map(m => m.tonnes), type: "line", yAxisID: "tonnes",
          borderColor: COLOURS.claim, backgroundColor: COLOURS.claim },
      ] },
      options: { animation: false, scales: { x: { reverse: rtl }, y: { beginAtZero: true, position: rtl ? "right" : "left" },
                 tonnes: { position: rtl ? "left" : "right", beginAtZero: true, grid: { drawOnChartArea: false } } } },
    });
  }
  bar("chart-categories", totals.tonnes_by_category);
  bar("chart-routes", totals.tonnes_by_route);
  bar("chart-organisations", totals.tonnes_by_organisation);

  const mapElement = document.getElementById("map");
  if (!mapElement) return;
  const words = mapElement.dataset;
  const map = L.map(mapElement, { attributionControl: false }).setView([30, 35], 3);
  // the basemap under everything, its towns above it and under the routes and claims (overlayPane: 400)
  map.createPane("basemap").style.zIndex = 250;
  map.createPane("places").style.zIndex = 350;
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

  function legend(withLines) {
    if (!words.legendTitle) return;
    const control = L.control({ position: rtl ? "bottomleft" : "bottomright" });
    control.onAdd = function () {
      const box = L.DomUtil.create("div", "map-legend");
      box.setAttribute("role", "list");
      box.setAttribute("aria-label", words.legendTitle);
      [["route", withLines && words.legendRoute], ["checkpoint", words.legendCheckpoint], ["claim", words.legendClaim],
       ["disputed", words.legendDisputed], ["place", words.legendPlace]].filter(([, label]) => label).forEach(([kind, label]) => {
        const item = L.DomUtil.create("div", "legend-item", box);
        item.setAttribute("role", "listitem");
        L.DomUtil.create("span", "legend-key legend-" + kind, item).setAttribute("aria-hidden", "true");
        item.appendChild(text(label));
      });
      return box;
    };
    control.addTo(map);
  }

  // Towns and villages: the larger ones labelled from the start, the smaller as one zooms in.
  function places(features) {
    const byZoom = [[0, 50000], [8, 15000], [9, 5000], [10, 2000], [11, 0]];
    const layers = byZoom.map(() => L.layerGroup());
    features.forEach(feature => {
      const [lon, lat] = feature.geometry.coordinates;
      const p = feature.properties;
      const level = byZoom.findIndex(([, population]) => p.population >= population);
      L.circleMarker([lat, lon], { pane: "places", radius: p.capital ? 4 : 2.5, color: COLOURS.place, weight: 1,
                                   fillColor: "#fff", fillOpacity: 1, interactive: false })
        .bindTooltip(text(p.name), { permanent: true, direction: "right", className: "place-label", pane: "places" })
        .addTo(layers[level]);
    });
    function show() {
      byZoom.forEach(([zoom], i) => (map.getZoom() >= zoom ? layers[i].addTo(map) : layers[i].remove()));
    }
    map.on("zoomend", show);
    show();
  }

  function basemap(region) {
    if (!region) return;
    const countries = region.features.filter(f => f.properties.kind === "country");
    L.geoJSON(countries, { pane: "basemap", interactive: false,
                           style: { color: "#777", weight: 1.2, fillColor: "#f4f1ea", fillOpacity: 1 } }).addTo(map);
    places(region.features.filter(f => f.properties.kind === "place"));
  }

  function checkpointLabel(c, route) {
    const by = (c.inspected_by_names || c.inspected_by || []).join(", ");
    return `${c.name} — ${route.name}${by ? " (" + words.inspectedBy + ": " + by + ")" : ""}`;
  }

  function overlays() {
    const routesElement = document.getElementById("routes-data");
    const routes = routesElement ? JSON.parse(routesElement.textContent) || [] : [];
    const drawn = [];
    routes.forEach(route => {
      const line = route.checkpoints.map(c => [c.lat, c.lon]);
      if (line.length > 1) drawn.push(L.polyline(line, { color: COLOURS.route, weight: 4 }).bindPopup(text(route.name)).addTo(map));
      route.checkpoints.forEach(c => drawn.push(L.circleMarker([c.lat, c.lon],
        { radius: 9, color: COLOURS.route, weight: 3, fillColor: "#ffffff", fillOpacity: 1 })
        .bindPopup(text(checkpointLabel(c, route)))
        .bindTooltip(text(c.name), { permanent: true, direction: rtl ? "left" : "right", offset: [rtl ? -10 : 10, 0],
                                     className: "checkpoint-label" })
        .addTo(map)));
    });
    incidents.forEach(i => drawn.push(L.circleMarker([i.lat, i.lon], {
      radius: 7, color: i.disputed ? COLOURS.disputed : COLOURS.claim, weight: 2, fillOpacity: 0.7,
    }).bindPopup(text(`${categories[i.category] || i.category} — ${i.place} (${i.reporter_name || i.reporter})` +
                      `${i.disputed ? " — " + (words.disputed || "disputed") : ""}`)).addTo(map)));
    return drawn;
  }

  function frame(drawn, region) {
    if (drawn.length) {
      // room around the markers so that their labels are never cut off at the map's edge
      map.fitBounds(L.featureGroup(drawn).getBounds(), { padding: [90, 90], maxZoom: 9 });
    } else if (region && region.bbox) {
      const [west, south, east, north] = region.bbox;
      map.fitBounds([[south, west], [north, east]]);
    }
  }

  const script = document.getElementById("public-js").dataset;
  const getJSON = url => (url ? fetch(url).then(r => r.json()) : Promise.resolve(null));
  Promise.all([getJSON(script.atlas), getJSON(script.basemap)]).then(([world, region]) => {
    if (world) {
      L.geoJSON(topojson.feature(world, world.objects.countries),
                { pane: "basemap", interactive: false,
                  style: { color: "#999", weight: 0.6, fillColor: "#eef1f4", fillOpacity: 1 } }).addTo(map);
    }
    basemap(region);
    const drawn = overlays();
    legend(drawn.some(layer => layer instanceof L.Polyline && !(layer instanceof L.CircleMarker)));
    frame(drawn, region);
  });
})();
