#!/usr/bin/env bash
# Usage: chat-demo/app/publish.sh [IMAGE[:TAG]]
#
# Builds the chat image for the phones (linux/arm64) and laptops (linux/amd64) and pushes it.
#   IMAGE[:TAG]  where to push. Default: ghcr.io/parttimenerd/k3s-on-phone-chat:VERSION, with
#                VERSION from chat-demo/app/package.json (the image chat.yaml runs).
#                A name without a tag gets VERSION as its tag.
#   -h, --help   this text
#
# Needs Docker with buildx, a builder for both platforms (docker buildx create --use; on an x86
# laptop arm64 runs in QEMU: docker run --privileged --rm tonistiigi/binfmt --install arm64),
# and a login to the registry (docker login ghcr.io). Works from any directory.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

APP_DIR="$REPO_ROOT/chat-demo/app"
DEFAULT_REPOSITORY="ghcr.io/parttimenerd/k3s-on-phone-chat"

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  -*) usage_error "unknown option: $1" ;;
esac
(($# <= 1)) || usage_error "expected at most one argument, IMAGE[:TAG]"

# The version and the repository address, read without node or jq (neither is needed to build).
VERSION=$(sed -n 's/^  "version": "\([^"]*\)".*/\1/p' "$APP_DIR/package.json")
[[ -n $VERSION ]] || die "No version found in $APP_DIR/package.json."
SOURCE_URL=$(sed -n 's/^  "repository": "\([^"]*\)".*/\1/p' "$REPO_ROOT/project.json")

IMAGE="${1:-$DEFAULT_REPOSITORY:$VERSION}"
# No tag after the last slash (and no digest): tag it with the version.
if [[ ${IMAGE##*/} != *:* && $IMAGE != *@* ]]; then
  IMAGE="$IMAGE:$VERSION"
fi

require_cmd docker "Install Docker: https://docs.docker.com/get-docker/"
docker buildx version >/dev/null 2>&1 ||
  die "docker buildx is not available." "Install the buildx plugin: https://docs.docker.com/build/install-buildx/"

step "Build $IMAGE for linux/arm64 and linux/amd64, and push it"
# #region slide
docker buildx build \
  --platform linux/arm64,linux/amd64 \
  --file "$APP_DIR/Dockerfile" \
  --tag "$IMAGE" \
  --label "org.opencontainers.image.source=$SOURCE_URL" \
  --label "org.opencontainers.image.version=$VERSION" \
  --push \
  "$REPO_ROOT"
# #endregion slide
ok "Pushed $IMAGE"
if [[ $IMAGE != "$DEFAULT_REPOSITORY:$VERSION" ]]; then
  info "The cluster runs the image named in chat-demo/manifests/chat.yaml: change it there to use $IMAGE."
fi
