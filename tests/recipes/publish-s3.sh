#!/bin/sh
# Upload a statusfleet output folder to S3 in an order that never serves a
# link to a file that is not up yet: what a page links to goes up before the
# page, and old files are deleted only when everything new is up.
# usage: publish-s3.sh public s3://bucket[/prefix]
# (another S3-compatible store: export AWS_ENDPOINT_URL=https://…)
set -eu
src="${1%/}/"
dst="${2%/}/"

pass() { aws s3 sync "$src" "$dst" --no-progress --only-show-errors "$@"; }

# 1. stylesheets, images, badges
pass --exclude '*.html' --exclude '*.atom' --exclude '*.ics' --exclude '*.json' --exclude '*.xml' --exclude '*.txt'
# 2-4. detail pages: incidents (linked from service pages), services, history
pass --exclude '*' --include '*/incidents/*.html'
pass --exclude '*' --include '*/services/*.html'
pass --exclude '*' --include '*/history/*.html'
# 5. the other pages of each locale: overview, maintenance, support
pass --exclude '*' --include '*/*/*.html'
# 6. each customer's language chooser
pass --exclude '*' --include '*.html' --exclude 'index.html'
# 7. the fleet index, then feeds, calendars, JSON and sitemaps (they link pages by URL)
pass --exclude '*' --include '*.ics' --content-type 'text/calendar; charset=utf-8'
pass --exclude '*' --include '*.atom' --content-type 'application/atom+xml; charset=utf-8'
pass
# 8. only now remove what the new site no longer has
pass --delete
