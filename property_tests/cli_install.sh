#!/usr/bin/env bash
# `cmake --install` gives a usable package: install the build into a temporary prefix, build the small
# project in property_tests/consumer against it with find_package(nrc), run it, and run the installed
# nrc. Usage: cli_install.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" || { cat "$tmp/install.log"; exit 1; }
test -f "$tmp/prefix/lib/cmake/nrc/nrcConfig.cmake"
test -f "$tmp/prefix/include/nrc/theorems/registry.hpp"
"$tmp/prefix/bin/nrc" list >/dev/null
cmake -S "$src/property_tests/consumer" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  -DCMAKE_BUILD_TYPE=Release >"$tmp/configure.log" || { cat "$tmp/configure.log"; exit 1; }
cmake --build "$tmp/consumer" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
"$tmp/consumer/consumer"
