#!/usr/bin/env bash
# The README's test command (`npm test`): the type check of the server and the web runs beside
# the suite instead of before it (on two cores it fills the time the suite waits on child
# processes, Chromium and PostgreSQL); both must pass. Arguments go to Vitest.
npm run --silent typecheck &
typecheck=$!
npx vitest run "$@"
tests=$?
if ! wait "$typecheck"; then
  echo 'npm test: the type check FAILED (its errors are above)'
  exit 1
fi
exit "$tests"
