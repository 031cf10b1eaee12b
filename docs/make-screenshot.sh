#!/usr/bin/env bash
# Regenerates docs/kedro-viz.png: the `vae` pipeline in kedro-viz, from `kedro viz build`,
# served on localhost and shot with Debian's headless Chromium (apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
KEDRO_DISABLE_TELEMETRY=true .venv/bin/kedro viz build --include-previews
# Same origin as the app: turn the onboarding hints off, then open the vae pipeline.
echo '<script>localStorage.setItem("KedroViz", JSON.stringify({showFeatureHints: false})); location.href = "/?pid=vae";</script>' > build/screenshot.html
python3 -m http.server 8765 --bind 127.0.0.1 --directory build > /dev/null 2>&1 &
server=$!
trap 'kill $server' EXIT
sleep 1
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$(mktemp -d)" --window-size=1600,1000 \
  --virtual-time-budget=15000 --screenshot=docs/kedro-viz.png http://127.0.0.1:8765/screenshot.html
