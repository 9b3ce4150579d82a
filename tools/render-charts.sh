#!/usr/bin/env bash
# Renders a result folder's charts to PNG, to look at them as a reader would.
#
#   tools/render-charts.sh RESULT_DIR [OUT_DIR]
#
#   RESULT_DIR/plots/*.svg  -> OUT_DIR/<name>.png          (headless Chromium)
#   RESULT_DIR/results.xlsx -> OUT_DIR/results.pdf          (LibreOffice, one page per sheet)
#                           -> OUT_DIR/results-<page>.png   (pdftoppm)
#
# OUT_DIR defaults to RESULT_DIR/../<name>.png (a folder beside the result folder, so
# that drawdown's own folder is left as it wrote it). OUT_DIR must not lie inside
# RESULT_DIR and must be missing or empty: the script never overwrites or deletes files
# there. Everything is rendered into a scratch folder first and moved in at the end.
# Installs chromium,
# libreoffice-calc and poppler-utils with apt-get when they are missing (as root).
#
# Example:
#   drawdown run configs/example.toml -n 1000 --xlsx --plots -o results/example
#   tools/render-charts.sh results/example /tmp/example-png
set -euo pipefail

usage() { echo "usage: $0 RESULT_DIR [OUT_DIR]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
results=$(cd "$1" && pwd) || usage
out=$(realpath -m -- "${2:-"$(dirname "$results")/$(basename "$results").png"}")
case "$out/" in
"$results"/*)
    echo "$0: OUT_DIR $out lies inside RESULT_DIR $results; choose a folder outside it" >&2
    exit 2
    ;;
esac
if [ -e "$out" ] && { [ ! -d "$out" ] || [ -n "$(ls -A -- "$out")" ]; }; then
    echo "$0: OUT_DIR $out exists and is not an empty folder; remove it or choose another" >&2
    exit 2
fi

need_install=()
command -v chromium >/dev/null || need_install+=(chromium)
command -v libreoffice >/dev/null || need_install+=(libreoffice-calc)
command -v pdftoppm >/dev/null || need_install+=(poppler-utils)
if [ ${#need_install[@]} -gt 0 ]; then
    echo "installing ${need_install[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_install[@]}" fonts-dejavu-core >/dev/null
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
render="$scratch/out"
mkdir "$render"

# SVG -> PNG at the SVG's own size.
shopt -s nullglob
for svg in "$results"/plots/*.svg; do
    name=$(basename "$svg" .svg)
    width=$(grep -o 'width="[0-9]*"' "$svg" | head -1 | tr -dc 0-9)
    height=$(grep -o 'height="[0-9]*"' "$svg" | head -1 | tr -dc 0-9)
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d -p "$scratch")" --hide-scrollbars \
        --window-size="${width:-1280},${height:-720}" \
        --screenshot="$render/$name.png" "file://$svg" >/dev/null 2>&1
done

# Workbook -> PDF (each sheet on one page) -> PNG per page.
if [ -f "$results/results.xlsx" ]; then
    profile="file://$scratch/libreoffice"
    filter='pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
    libreoffice -env:UserInstallation="$profile" --headless --convert-to "$filter" \
        --outdir "$render" "$results/results.xlsx" >/dev/null 2>&1 ||
        libreoffice -env:UserInstallation="$profile" --headless --convert-to pdf \
            --outdir "$render" "$results/results.xlsx" >/dev/null 2>&1
    pdftoppm -png -scale-to 1600 "$render/results.pdf" "$render/results"
fi

# Move the finished files in (OUT_DIR was checked to be missing or empty above).
mkdir -p "$out"
for file in "$render"/*; do
    mv -- "$file" "$out/"
    echo "$out/$(basename "$file")"
done
