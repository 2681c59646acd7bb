#!/usr/bin/env bash
# Builds the Kafka Connect image and prints its reference on the last line of stdout.
# - The base image debian:bookworm-slim comes from a registry when one answers; otherwise it is
#   made here from Debian's packages (mmdebstrap + docker import), under the same name, so the
#   same Dockerfile builds unchanged on a connected machine and here.
# - The Connect jars and Debezium archives come from Maven Central (pom.xml), cached.
# - Our record signing transforms (transforms/, a Maven module) are built into a jar of their own,
#   once per version of their sources (pom.xml, src/main); their tests run in the image suite.
# - The tag is derived from the versions and the build inputs: unchanged inputs, no rebuild.
# - Only the reference goes to stdout (Maven's output, even quiet, goes to stderr).
set -euo pipefail
source "$(dirname "$0")/../../scripts/env.sh"
source "$CMW_ROOT/toolchain/versions.env"
HERE="$CMW_ROOT/platform/connect-image"
BASE_IMAGE=debian:bookworm-slim

ensure_base_image() {
  docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 && return 0
  if timeout 60 docker pull "$BASE_IMAGE" >/dev/null 2>&1; then return 0; fi
  local tar="$CMW_CACHE/base/bookworm-minbase.tar"
  if [[ ! -f $tar ]]; then
    cmw_say "no image registry answers: making $BASE_IMAGE from Debian packages (mmdebstrap)"
    mkdir -p "$CMW_CACHE/base"
    mmdebstrap --variant=minbase bookworm "${tar%.tar}.tmp.tar" >"$CMW_CACHE/base/mmdebstrap.log" 2>&1 \
      || cmw_die "mmdebstrap failed: $CMW_CACHE/base/mmdebstrap.log"
    mv "${tar%.tar}.tmp.tar" "$tar"
  fi
  docker import --change 'CMD ["bash"]' "$tar" "$BASE_IMAGE" >/dev/null
}

fill_context() {
  local ctx="$1"
  if [[ ! -f $ctx/.complete ]]; then
    cmw_say "fetching Kafka Connect $KAFKA_VERSION and Debezium $DEBEZIUM_VERSION from Maven Central"
    rm -rf "$ctx"; mkdir -p "$ctx"
    mvn -q -B -f "$HERE/pom.xml" -Dkafka.version="$KAFKA_VERSION" -Ddebezium.version="$DEBEZIUM_VERSION" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$ctx/lib" >&2 \
      || cmw_die "Maven could not fetch the Connect jars"
    mvn -q -B -f "$HERE/pom.xml" -Dkafka.version="$KAFKA_VERSION" -Ddebezium.version="$DEBEZIUM_VERSION" \
      dependency:copy -DoutputDirectory="$ctx/plugins" >&2 \
      || cmw_die "Maven could not fetch the Debezium plugin archives"
    (cd "$ctx/plugins" && sha256sum --check --strict --quiet "$HERE/plugins.sha256") \
      || cmw_die "Debezium archives do not match platform/connect-image/plugins.sha256"
    touch "$ctx/.complete"
  fi
  cp "$HERE"/{Dockerfile,plugins.sha256,log4j2.properties,entrypoint.sh,agent.sh,worker-properties.sh} "$ctx/"
  cp "$CMW_ROOT/scripts/lib/cmw.sh" "$ctx/"
}

# build_transforms CTX: the transforms jar for the current sources, in CTX/transforms/ (the
# image's plugin folder for it); prints the hash of its inputs.
build_transforms() {
  local ctx="$1" src="$HERE/transforms" hash out
  hash=$(cd "$src" && find pom.xml src/main -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
  out="$CMW_CACHE/connect-image/transforms-$hash"
  if [[ ! -f $out/.complete ]]; then
    cmw_say "building the record signing transforms (Maven)"
    rm -rf "$out"
    mvn -q -B -f "$src/pom.xml" -Dmaven.repo.local="$CMW_CACHE/maven" -Dcmw.build.dir="$out" -DskipTests package >&2 \
      || cmw_die "Maven could not build platform/connect-image/transforms"
    touch "$out/.complete"
  fi
  rm -rf "$ctx/transforms"; mkdir -p "$ctx/transforms"
  cp "$out"/cmw-connect-transforms-*.jar "$ctx/transforms/"
  echo "$hash"
}

ensure_base_image
ctx="$CMW_CACHE/connect-image/context-$KAFKA_VERSION-$DEBEZIUM_VERSION"
fill_context "$ctx"
transforms_hash=$(build_transforms "$ctx")
inputs_hash=$(cd "$ctx" && { sha256sum Dockerfile plugins.sha256 log4j2.properties entrypoint.sh agent.sh worker-properties.sh cmw.sh; ls lib; echo "transforms $transforms_hash"; } | sha256sum | cut -c1-12)
image="clinicmaster/connect:$KAFKA_VERSION-debezium-$DEBEZIUM_VERSION-$inputs_hash"
if ! docker image inspect "$image" >/dev/null 2>&1; then
  cmw_say "building $image"
  # Host network: the build's apt-get reaches Debian's mirror the way the host does.
  docker build --network host -t "$image" "$ctx" >"$CMW_CACHE/connect-image/build.log" 2>&1 \
    || { tail -n 30 "$CMW_CACHE/connect-image/build.log" >&2; cmw_die "image build failed: $CMW_CACHE/connect-image/build.log"; }
fi
echo "$image"
