#!/usr/bin/env bash
# Refresh the third-party web assets in webmap/static/vendor from the npm registry.
# Run by hand when upgrading; the result is committed so the map works offline.
set -euo pipefail
cd "$(dirname "$0")/.."
out=webmap/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pkgs=(leaflet@1.9.4 leaflet.markercluster@1.5.3 leaflet-draw@1.0.4 chart.js@4.5.1 @fontsource/be-vietnam-pro@5.2.5 leaflet.vectorgrid@1.3.0)
(cd "$tmp" && for p in "${pkgs[@]}"; do npm pack --silent "$p" >/dev/null; done && for f in *.tgz; do mkdir -p "${f%.tgz}" && tar -xzf "$f" -C "${f%.tgz}"; done)
rm -rf "$out" && mkdir -p "$out"/{leaflet,markercluster,draw,chartjs,fonts,vectorgrid}
cp "$tmp"/leaflet-1.9.4/package/dist/leaflet.{js,css} "$out/leaflet/"
cp -r "$tmp"/leaflet-1.9.4/package/dist/images "$out/leaflet/"
cp "$tmp"/leaflet-1.9.4/package/LICENSE "$out/leaflet/"
cp "$tmp"/leaflet.markercluster-1.5.3/package/dist/{leaflet.markercluster.js,MarkerCluster.css,MarkerCluster.Default.css} "$out/markercluster/"
cp "$tmp"/leaflet.markercluster-1.5.3/package/MIT-LICENCE.txt "$out/markercluster/LICENSE"
cp "$tmp"/leaflet-draw-1.0.4/package/dist/leaflet.draw.{js,css} "$out/draw/"
cp -r "$tmp"/leaflet-draw-1.0.4/package/dist/images "$out/draw/"
cp "$tmp"/leaflet-draw-1.0.4/package/LICENSE "$out/draw/" 2>/dev/null || true
cp "$tmp"/chart.js-4.5.1/package/dist/chart.umd.js "$out/chartjs/" 2>/dev/null || cp "$tmp"/chart.js-4.5.1/package/dist/chart.umd.min.js "$out/chartjs/chart.umd.js"
cp "$tmp"/chart.js-4.5.1/package/LICENSE.md "$out/chartjs/LICENSE.md"
font="$tmp"/fontsource-be-vietnam-pro-5.2.5/package/files
for w in 400 600; do for s in latin vietnamese latin-ext; do cp "$font/be-vietnam-pro-$s-$w-normal.woff2" "$out/fonts/"; done; done
cp "$tmp"/fontsource-be-vietnam-pro-5.2.5/package/LICENSE "$out/fonts/LICENSE" 2>/dev/null || true
# Leaflet.VectorGrid ships no LICENSE file: its README states the Beerware licence, and its
# bundled build carries pbf, vector-tile, point-geometry, ieee754, topojson-client, whatwg-fetch
# and geojson-vt, whose licences webmap/static/vendor/vectorgrid/LICENSE collects (kept by hand).
cp "$tmp"/leaflet.vectorgrid-1.3.0/package/dist/Leaflet.VectorGrid.bundled.js "$out/vectorgrid/"
git show HEAD:webmap/static/vendor/vectorgrid/LICENSE > "$out/vectorgrid/LICENSE"
ls -R "$out" | head -50
