#!/bin/sh
# Copies the front-end assets installed by npm into the service's static folder.
set -eu
out="$1"
mkdir -p "$out"
cp node_modules/@digdir/designsystemet-css/dist/src/index.css "$out/designsystemet.css"
cp node_modules/@digdir/designsystemet-theme/brand/digdir.css "$out/designsystemet-theme.css"
cp node_modules/axe-core/axe.min.js "$out/axe.min.js"
cp node_modules/jsqr/dist/jsQR.js "$out/jsQR.js"
# Inter, the typeface Designsystemet expects, served from our own origin: the latin and latin-ext subsets of the
# weights the pages use, woff2 only (every browser we support reads it), with the package's unicode ranges.
mkdir -p "$out/fonts"
: > "$out/inter.css"
for weight in 400 500 600 700; do
  for subset in latin-ext latin; do
    cp "node_modules/@fontsource/inter/files/inter-$subset-$weight-normal.woff2" "$out/fonts/"
    awk -v name="/* inter-$subset-$weight-normal */" '
      $0 == name { keep = 1 }
      keep { print }
      keep && /^}/ { keep = 0 }
    ' "node_modules/@fontsource/inter/$weight.css" \
      | sed -e 's#url(./files/\([^)]*\)\.woff2) format(.woff2.), url([^)]*) format(.woff.)#url(fonts/\1.woff2) format("woff2")#' \
      >> "$out/inter.css"
  done
done
