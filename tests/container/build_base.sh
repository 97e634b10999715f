#!/bin/sh
# Builds the local base image (Debian bookworm with python3) with debootstrap, because no image registry can be
# reached here; skipped when the image exists. Usage: build_base.sh IMAGE
set -eu
image="$1"
if podman image exists "$image"; then
  echo "base image $image exists"
  exit 0
fi
rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$rootfs" >/dev/null
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | podman import --quiet --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
echo "built base image $image"
