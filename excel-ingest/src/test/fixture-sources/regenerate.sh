#!/bin/sh
# Converts the LibreOffice sources in this folder to the .xlsx fixtures under ../resources/fixtures, with
# LibreOffice Calc (Debian: libreoffice-calc-nogui) and a private profile so a running LibreOffice is not disturbed.
# Run from this folder: ./regenerate.sh   (or name the sources to convert: ./regenerate.sh layout-hidden.fods)
set -e
cd "$(dirname "$0")"
if [ $# -eq 0 ]; then
    set -- *.fods libreoffice-from-csv.csv
fi
soffice -env:UserInstallation=file:///tmp/lo-profile-intake-fixtures --headless --convert-to xlsx \
    --outdir ../resources/fixtures "$@"
