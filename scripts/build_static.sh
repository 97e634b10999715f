#!/bin/sh
# Copies the front-end assets installed by npm into the service's static folder.
set -eu
out="$1"
mkdir -p "$out"
cp node_modules/@digdir/designsystemet-css/dist/src/index.css "$out/designsystemet.css"
cp node_modules/@digdir/designsystemet-theme/brand/digdir.css "$out/designsystemet-theme.css"
cp node_modules/axe-core/axe.min.js "$out/axe.min.js"
cp node_modules/jsqr/dist/jsQR.js "$out/jsQR.js"
