#!/usr/bin/env bash
# Re-vendors the front-end assets pinned in package.json / package-lock.json.
# The Go build never runs npm; it only uses the files this script copies.
# Usage: cd static && ./vendor.sh   (or: npm run vendor)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

npm ci --no-audit --no-fund

nm=node_modules
vendor=vendor
testdata=../internal/browsertest/testdata

copy() { # copy SRC DST, creating DST's directory
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2"
  echo "vendored $2"
}

# Utrecht component library: the complete built CSS bundle of all components.
copy "$nm/@utrecht/component-library-css/dist/index.css" "$vendor/utrecht/component-library.css"
copy "$nm/@utrecht/component-library-css/LICENSE.md"     "$vendor/utrecht/LICENSE"

# Voorbeeld theme design tokens, scoped to the .voorbeeld-theme class.
copy "$nm/@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css"  "$vendor/voorbeeld/design-tokens.css"
copy "$nm/@nl-design-system-unstable/voorbeeld-design-tokens/LICENSE.md"      "$vendor/voorbeeld/LICENSE"

# Noto Sans (body text) and Noto Serif (headings), the families the voorbeeld
# tokens name: only the latin subset, weights 400 and 700, woff2. Our own
# @font-face rules for them are in css/app.css. The OFL licence is kept next
# to the fonts (in the repo, not embedded in the binary).
for family in noto-sans noto-serif; do
  for weight in 400 700; do
    copy "$nm/@fontsource/$family/files/$family-latin-$weight-normal.woff2" "$vendor/fonts/$family-latin-$weight-normal.woff2"
  done
  copy "$nm/@fontsource/$family/LICENSE" "$vendor/fonts/$family.OFL.txt"
done

# htmx.
copy "$nm/htmx.org/dist/htmx.min.js" "$vendor/htmx/htmx.min.js"
copy "$nm/htmx.org/LICENSE"          "$vendor/htmx/LICENSE"

# axe-core: only for browser tests, never served.
copy "$nm/axe-core/axe.min.js" "$testdata/axe.min.js"
copy "$nm/axe-core/LICENSE"    "$testdata/axe-core.LICENSE"
copy "$nm/axe-core/LICENSE-3RD-PARTY.txt" "$testdata/axe-core.LICENSE-3RD-PARTY.txt"
