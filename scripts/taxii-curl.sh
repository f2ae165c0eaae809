#!/bin/sh
# taxii-curl.sh — speaks TAXII 2.1 to a running `ciiguard demo` with plain curl: signs in as
# the demo grid operator's administrator, makes an analyst API token, then with HTTP Basic
# (e-mail and token) reads discovery, the API Root, the collections, the objects the
# regulator sent to the energy sector (with paging), posts an indicator to the private
# collection and reads the status back. Every step checks the status code and the TAXII
# media type and stops at the first surprise.
#
#   go run ./cmd/ciiguard demo &        # then, in another shell:
#   scripts/taxii-curl.sh               # BASE=http://127.0.0.1:8080 by default
#
# Needs curl and a POSIX shell; TestCurlScript in internal/taxii runs it against a test
# installation. Environment: BASE, EMAIL (admin@grid.demo), PASSWORD (the demo password).
set -eu
BASE=${BASE:-http://127.0.0.1:8080}
EMAIL=${EMAIL:-admin@grid.demo}
PASSWORD=${PASSWORD:-ciiguard-demo-2026}
MEDIA='application/taxii+json;version=2.1'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }

# Sign in through the form and make an analyst token (the token is what Basic carries).
csrf() { sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' "$1" | head -n 1; }
curl -sS -c "$tmp/jar" -b "$tmp/jar" -o "$tmp/login.html" "$BASE/login"
t=$(csrf "$tmp/login.html")
[ -n "$t" ] || fail "no sign-in form at $BASE/login"
curl -sS -c "$tmp/jar" -b "$tmp/jar" -o /dev/null --data-urlencode "_csrf=$t" --data-urlencode "email=$EMAIL" \
	--data-urlencode "password=$PASSWORD" --data-urlencode "next=/" "$BASE/login"
curl -sS -c "$tmp/jar" -b "$tmp/jar" -o "$tmp/home.html" "$BASE/"
t=$(csrf "$tmp/home.html")
[ -n "$t" ] || fail "signing in as $EMAIL did not work"
curl -sS -c "$tmp/jar" -b "$tmp/jar" -o "$tmp/token.json" -H "X-CSRF-Token: $t" -H 'Content-Type: application/json' \
	-d '{"name":"taxii-curl","role":"analyst"}' "$BASE/api/v1/tokens"
TOKEN=$(sed -n 's/.*"token": *"\(cgt_[^"]*\)".*/\1/p' "$tmp/token.json")
[ -n "$TOKEN" ] || fail "no token: $(cat "$tmp/token.json")"

# taxii METHOD PATH WANT_STATUS [curl args…]: the answer is left in $tmp/body.
taxii() {
	m=$1 p=$2 want=$3
	shift 3
	code=$(curl -sS -X "$m" -u "$EMAIL:$TOKEN" -H "Accept: $MEDIA" -D "$tmp/headers" -o "$tmp/body" -w '%{http_code}' "$@" "$BASE$p")
	[ "$code" = "$want" ] || fail "$m $p: $code, want $want: $(cat "$tmp/body")"
	grep -qi "^content-type: application/taxii+json;version=2.1" "$tmp/headers" || fail "$m $p: not the TAXII media type"
	echo "$m $p -> $code"
}

taxii GET /taxii2/ 200
grep -q '"api_roots":\["/taxii2/ciiguard/"\]' "$tmp/body" || fail "discovery names no API Root"
taxii GET /taxii2/ciiguard/ 200
grep -q '"max_content_length"' "$tmp/body" || fail "the API Root has no max_content_length"
taxii GET /taxii2/ciiguard/collections/ 200
grep -q '"alias":"regulator:energy"' "$tmp/body" || fail "no energy-sector collection"
grep -q '"alias":"private"' "$tmp/body" || fail "no private collection"

# The regulator's warning to the energy sector, one object a page, following next.
next=
n=0
while :; do
	q='?limit=1'
	[ -z "$next" ] || q="$q&next=$next"
	taxii GET "/taxii2/ciiguard/collections/regulator:energy/objects/$q" 200
	grep -qi '^x-taxii-date-added-last:' "$tmp/headers" || fail "no X-TAXII-Date-Added-Last"
	n=$((n + 1))
	next=$(sed -n 's/.*"next":"\([^"]*\)".*/\1/p' "$tmp/body")
	[ -n "$next" ] || break
	[ $n -lt 100 ] || fail "more than 100 pages"
done
echo "regulator:energy: $n objects, one a page"

# Post an indicator to the private collection; read its status.
id="indicator--$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | sed 's/^\(.\{8\}\)\(.\{4\}\).\(.\{3\}\).\(.\{3\}\)\(.\{12\}\).*/\1-\2-4\3-8\4-\5/')"
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
cat > "$tmp/envelope.json" <<JSON
{"objects":[{"type":"indicator","spec_version":"2.1","id":"$id","created":"$now","modified":"$now","name":"curl test","pattern":"[ipv4-addr:value = '192.0.2.200']","pattern_type":"stix","valid_from":"$now"}]}
JSON
taxii POST /taxii2/ciiguard/collections/private/objects/ 202 -H "Content-Type: $MEDIA" --data-binary "@$tmp/envelope.json"
grep -q '"success_count":1' "$tmp/body" || fail "the indicator was not added: $(cat "$tmp/body")"
status=$(sed -n 's/.*"id":"\([0-9a-f-]\{36\}\)".*/\1/p' "$tmp/body" | head -n 1)
taxii GET "/taxii2/ciiguard/status/$status/" 200
taxii GET "/taxii2/ciiguard/collections/private/objects/$id/" 200
grep -q "$id" "$tmp/body" || fail "the posted indicator is not in the collection"

# The negotiation the spec requires: 406 for a non-TAXII Accept.
code=$(curl -sS -o /dev/null -w '%{http_code}' -u "$EMAIL:$TOKEN" -H 'Accept: application/json' "$BASE/taxii2/")
[ "$code" = 406 ] || fail "Accept: application/json answered $code, want 406"
echo "OK"
