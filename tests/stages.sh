# Stage timing for .ci/run and tests/run.sh (sourced by both).
#   stage "name"   ends the running stage (if any) and starts "name"
#   stage_end      ends the running stage (before a nested script's stages)
#   stages_report  ends the running stage, removes the paths in
#                  stages_cleanup and prints every stage's time (the EXIT
#                  trap)
# Stages of a nested script (tests/run.sh under .ci/run) go to the same
# list, through STAGES_FILE.
if [ -z "${STAGES_FILE:-}" ]; then
  STAGES_FILE="$(mktemp)"
  STAGES_OWNER=$$
  STAGES_T0=$(date +%s)
  export STAGES_FILE
fi
_stage_name=""
_stage_t0=0
stages_cleanup=()
stage_end() { _stage_close; }
stage() {
  _stage_close
  _stage_name="$1"
  _stage_t0=$(date +%s)
  echo "== $1"
}
_stage_close() {
  if [ -n "$_stage_name" ]; then
    printf '%6ds  %s\n' "$(( $(date +%s) - _stage_t0 ))" "$_stage_name" >> "$STAGES_FILE"
    _stage_name=""
  fi
}
stages_report() {
  local status=$?
  _stage_close
  [ ${#stages_cleanup[@]} -eq 0 ] || rm -rf "${stages_cleanup[@]}"
  if [ "${STAGES_OWNER:-}" = "$$" ]; then
    echo "== stage times"
    cat "$STAGES_FILE"
    printf '%6ds  total%s\n' "$(( $(date +%s) - STAGES_T0 ))" "$([ "$status" = 0 ] || echo " (failed, exit $status)")"
    rm -f "$STAGES_FILE"
  fi
  return "$status"
}
