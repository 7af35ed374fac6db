#pragma once
// Options shared by the commands that read packages (import-pkg, write, pkg).

#include <string>
#include <vector>

#include "rtprov/pkg/package.hpp"

namespace rtprov::cli {

// Trust keys from --trust-key paths, else from $RTPROV_TRUST_KEY (one path); empty when
// neither is given. Throws Error(Usage) when RTPROV_TRUST_KEY is set but empty (and no
// --trust-key is given), Error(BadInput) naming a file that holds no public key.
pkg::TrustOptions trust_options(const std::vector<std::string>& trust_keys);

}  // namespace rtprov::cli
