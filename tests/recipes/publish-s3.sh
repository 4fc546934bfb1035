#!/bin/sh
# Upload a statusfleet output folder to S3 so readers never follow a link to
# a file that is not up yet: new files first (nothing up there links to them
# yet), then changed files, stylesheets before pages; old files are deleted
# only once everything new is up.
# usage: publish-s3.sh public s3://bucket[/prefix]
# (another S3-compatible store: export AWS_ENDPOINT_URL=https://…)
set -eu
src="${1%/}/"
dst="${2%/}/"
prefix="${dst#s3://}"
prefix="${prefix#*/}"
sync() { aws s3 sync "$src" "$dst" --no-progress --only-show-errors "$@"; }
remote="$(mktemp)"
trap 'rm -f "$remote"' EXIT

# 1. files the bucket does not have yet (.ics and .atom go in 2, typed);
#    skipped on a first upload to an empty bucket
aws s3 ls "$dst" --recursive | awk '{ print $4 }' | sed "s|^$prefix||" | sort >"$remote"
if [ -s "$remote" ]; then
  (cd "$src" && find . -type f | sed 's|^\./||' | sort) | comm -13 "$remote" - \
    | grep -v -E '\.(ics|atom)$' | sed 's/^/--include=/' \
    | xargs -r aws s3 cp "$src" "$dst" --recursive --no-progress --only-show-errors --exclude '*'
fi
# 2. not every system's MIME table knows .ics and .atom
sync --exclude '*' --include '*.ics' --content-type 'text/calendar; charset=utf-8'
sync --exclude '*' --include '*.atom' --content-type 'application/atom+xml; charset=utf-8'
# 3. changed stylesheets and images, then every other changed file
sync --exclude '*.html' --exclude '*.json' --exclude '*.xml' --exclude '*.txt'
sync
# 4. only now remove what the new site no longer has
sync --delete
