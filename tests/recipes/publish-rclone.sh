#!/bin/sh
# Upload a statusfleet output folder to any rclone remote so readers never
# see a link to a file that is not up yet, nor a page without its stylesheet.
# usage: publish-rclone.sh public remote:bucket[/prefix]
set -eu
src="${1%/}"
dst="${2%/}"

# 1. files the remote does not have yet: nothing up there links to them yet
rclone copy "$src" "$dst" --ignore-existing
# 2. changed stylesheets and images, 3. every other changed file;
#    --checksum compares MD5s (the S3 ETag), not times: a rebuilt or freshly
#    checked-out public/ re-uploads only the files whose bytes changed
rclone copy "$src" "$dst" --checksum --filter '- *.{html,atom,ics,json,xml,txt}'
rclone copy "$src" "$dst" --checksum
# 4. delete what the new site no longer has (skipped if anything failed)
rclone sync "$src" "$dst" --checksum --delete-after
