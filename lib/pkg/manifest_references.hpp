#pragma once
// parse_manifest's cross-reference check (manifest_references.cpp).

#include "rtprov/pkg/manifest.hpp"

namespace rtprov::pkg::detail {

// Every file named by images, flashloaders, steps and secrets is in files[] (the secrets file
// with role secrets), every fuse word a step names is in fuses[], every secret a fuse word or
// key-blob step names is in secrets.names, and per-board-data steps have distinct names and
// fuse words no other step burns. Throws Error(BadInput) "manifest.json: <field>: ...".
void check_references(const Manifest& m);

}  // namespace rtprov::pkg::detail
