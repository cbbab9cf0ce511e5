#!/usr/bin/env bash
# The floor of the 8 MB Graph send (bench/graphSend.ts): curl making the requests the product makes
# for a draft, one process and one connection per request as the product's agent keeps none:
# create the draft (JSON), createUploadSession, PUT each pre-split chunk to the upload URL (without
# the Authorization header: the URL is pre-authenticated), POST send. jq reads the two values the
# next requests need. The token is in a header file, never on a command line.
#   graphDraftFloor.sh <messages URL> <CA file> <header file> <draft JSON> <session JSON> <total bytes> <chunk>...
set -euo pipefail
messages="$1" ca="$2" headers="$3" draft="$4" session="$5" total="$6"
shift 6
id=$(curl -sS --fail --max-time 60 --cacert "$ca" -H "@$headers" --data-binary "@$draft" "$messages" | jq -r '.id | @uri')
upload=$(curl -sS --fail --max-time 60 --cacert "$ca" -H "@$headers" --data-binary "@$session" "$messages/$id/attachments/createUploadSession" | jq -r '.uploadUrl')
start=0
for chunk in "$@"; do
  size=$(stat -c %s "$chunk")
  end=$((start + size - 1))
  curl -sS --fail --max-time 60 --cacert "$ca" -X PUT -H "Content-Range: bytes $start-$end/$total" -H 'Content-Type: application/octet-stream' --data-binary "@$chunk" -o /dev/null "$upload"
  start=$((end + 1))
done
curl -sS --fail --max-time 60 --cacert "$ca" -H "@$headers" -X POST -H 'Content-Length: 0' -o /dev/null -w '%{http_code}' "$messages/$id/send"
