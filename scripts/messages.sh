#!/usr/bin/env bash
# Refresh the server's message catalogue (locale/zh_Hans/LC_MESSAGES/django.po) from the
# code, then compile it. Needs GNU gettext (apt-get install gettext). Translate the new
# and fuzzy entries in the .po, run this again, and commit the .po and the .mo together:
# the .mo is committed, so machines that only run the product need no gettext tools.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-invoice_assistant.settings.test}"
.venv/bin/python manage.py makemessages -l zh_Hans --no-obsolete --add-location file \
  --ignore='.venv/*' --ignore='frontend/*' --ignore='node_modules/*' --ignore='tests/*' \
  --ignore='bench/*' --ignore='var/*' --ignore='docker/*'
.venv/bin/python manage.py compilemessages -l zh_Hans --ignore='.venv/*'
