#!/usr/bin/env bash
# Re-extract every translatable string into translations/fieldkit.pot and merge it into each
# language's catalog (new strings arrive untranslated; translators fill them in).
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=.venv/bin/pybabel
"$pybabel" extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 -k pgettext:1c,2 --no-wrap --sort-by-file --omit-header \
    -o translations/fieldkit.pot . >/dev/null 2>&1
for po in translations/*/LC_MESSAGES/fieldkit.po; do
    lang=$(basename "$(dirname "$(dirname "$po")")")
    "$pybabel" update -i translations/fieldkit.pot -d translations -D fieldkit -l "$lang" --no-wrap \
        --ignore-obsolete --no-fuzzy-matching >/dev/null 2>&1
done
echo "translations/fieldkit.pot and the catalogs are up to date"
