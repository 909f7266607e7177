#!/bin/sh
# Build deploy/Dockerfile and try the image the way compose.yaml runs it, offline:
#   sh deploy/check-image.sh            # needs a Docker daemon and the python:3.11-slim image
#   sh deploy/check-image.sh --standin  # no Docker Hub: first make a stand-in python:3.11-slim
#                                       # from Debian bookworm (root, debootstrap; Debian's own
#                                       # Python 3.11 with pip, as the official image has)
# Run from the repository's root. Each check prints what it tried; the first failure stops it.
set -eu

IMAGE=fact-desk:check
VOLUME=fact-desk-check-$$
# compose.yaml's hardening, and no network: nothing here may need Discord
RUN="docker run --rm --network none --read-only --tmpfs /tmp --cap-drop ALL \
--security-opt no-new-privileges:true --init -v $VOLUME:/data"
# the shape of a bot token, so the bot goes as far as logging in
TOKEN=MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB

fail() { echo "FAILED: $*" >&2; exit 1; }

if [ "${1:-}" = "--standin" ] && ! docker image inspect python:3.11-slim >/dev/null 2>&1; then
    root=$(mktemp -d) && chmod 755 "$root"  # the image's / (mktemp makes it 700)
    debootstrap --variant=minbase --include=python3,python3-pip,ca-certificates \
        bookworm "$root" http://deb.debian.org/debian
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"  # this machine's view of PyPI
    ln -sf /usr/bin/python3 "$root/usr/local/bin/python"
    ln -sf /usr/bin/pip3 "$root/usr/local/bin/pip"
    rm -f "$root"/usr/lib/python3.*/EXTERNALLY-MANAGED  # pip installs system-wide, as in the image
    tar -C "$root" -c . | docker import --change 'ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
        - python:3.11-slim
    rm -rf "$root"
fi

echo "== build"
docker build --network host -f deploy/Dockerfile -t "$IMAGE" .
trap 'docker volume rm -f "$VOLUME" >/dev/null' EXIT

echo "== runs as its own user, not root"
[ "$($RUN "$IMAGE" id -u)" = 10001 ] || fail "the bot's user is not uid 10001"

echo "== offline ask on an empty volume answers from the shipped base"
$RUN "$IMAGE" python bot.py ask "silk way flights" | grep -q "Silk Way" || fail "ask"

echo "== status before the first start: unhealthy (no database), exit 1"
if $RUN "$IMAGE" python bot.py status; then fail "status said healthy with no database"; fi

echo "== the bot creates the database, then says plainly it cannot reach Discord"
out=$($RUN -e DISCORD_TOKEN=$TOKEN -e NEWSROOM_GUILD_IDS=123456789012345678 "$IMAGE" \
    timeout 60 python bot.py 2>&1 || true)
echo "$out" | grep -q "Could not reach Discord" || fail "bot start: $out"

echo "== status now: healthy, 28 facts"
$RUN "$IMAGE" python bot.py status | grep -q "28 facts" || fail "status after the first start"

echo "== backup and restore on the volume"
$RUN "$IMAGE" sh -c 'python bot.py backup /data/backups && python bot.py restore /data/backups/facts.json-*' \
    || fail "backup and restore"

echo "All checks passed."
