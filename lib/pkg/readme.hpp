#pragma once
// README.txt of a package: what the factory operator reads first.

#include <string>

#include "rtprov/pkg/manifest.hpp"

namespace rtprov::pkg {

// Plain text for `manifest` (device, image(s), fuse words in burn order, how to check the
// package). Deterministic: no dates, no host names.
std::string format_readme(const Manifest& manifest);

}  // namespace rtprov::pkg
