#!/usr/bin/env bash
# Fetch the browser libraries the pages use and copy only their built files into server/static/vendor/.
#
# Run by hand when a version changes (needs npm and the npm registry); the copied files are committed,
# so neither npm nor a CDN is needed to run or test the server. Versions are pinned here.
set -euo pipefail
cd "$(dirname "$0")/.."

YASGUI_VERSION=4.6.2
CYTOSCAPE_VERSION=3.35.0
CHARTJS_VERSION=4.6.1

DEST=server/static/vendor
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

fetch() {  # fetch NAME@VERSION -> unpacked package folder path on stdout
  local spec=$1 dir
  dir="$WORK/$(echo "$spec" | tr '/@' '__')"
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$spec" >/dev/null && tar xzf ./*.tgz)
  echo "$dir/package"
}

y=$(fetch "@zazuko/yasgui@$YASGUI_VERSION")
mkdir -p "$DEST/yasgui"
cp "$y/build/yasgui.min.js" "$y/build/yasgui.min.css" "$DEST/yasgui/"
# The tarball has no LICENSE file; package.json says MIT (authors: Triply, Zazuko GmbH).
cat > "$DEST/yasgui/LICENSE" <<LIC
@zazuko/yasgui $YASGUI_VERSION - https://github.com/rdfjs/Yasgui
The npm package declares "license": "MIT" (package.json) but ships no licence file; the MIT text:

MIT License

Copyright (c) Triply B.V. and Zazuko GmbH

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the
following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial
portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO
EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE
USE OR OTHER DEALINGS IN THE SOFTWARE.
LIC

c=$(fetch "cytoscape@$CYTOSCAPE_VERSION")
mkdir -p "$DEST/cytoscape"
cp "$c/dist/cytoscape.min.js" "$DEST/cytoscape/"
cp "$c/LICENSE" "$DEST/cytoscape/LICENSE"

k=$(fetch "chart.js@$CHARTJS_VERSION")
mkdir -p "$DEST/chartjs"
cp "$k/dist/chart.umd.min.js" "$DEST/chartjs/"
cp "$k/LICENSE.md" "$DEST/chartjs/LICENSE.md"

# One VERSION file per library (server/static/vendor/ is shared with other vendored assets).
echo "@zazuko/yasgui $YASGUI_VERSION (MIT)" > "$DEST/yasgui/VERSION"
echo "cytoscape $CYTOSCAPE_VERSION (MIT)" > "$DEST/cytoscape/VERSION"
echo "chart.js $CHARTJS_VERSION (MIT)" > "$DEST/chartjs/VERSION"
echo "vendor_assets: copied into $DEST:"
find "$DEST/yasgui" "$DEST/cytoscape" "$DEST/chartjs" -type f | sort
