#!/bin/sh
# A compiler launcher for tests: logs the command to $1, then runs it.
log=$1
shift
echo "$*" >>"$log"
exec "$@"
