#include "package_options.hpp"

#include <cstdlib>

#include "rtprov/hab/key_io.hpp"

namespace rtprov::cli {

pkg::TrustOptions trust_options(const std::vector<std::string>& trust_keys) {
    std::vector<std::string> paths = trust_keys;
    if (paths.empty()) {
        if (const char* env = std::getenv("RTPROV_TRUST_KEY"); env != nullptr && *env != '\0')
            paths.emplace_back(env);
    }
    pkg::TrustOptions trust;
    for (const auto& p : paths)
        trust.trusted_keys.push_back(hab::load_public_key_der(p));
    return trust;
}

}  // namespace rtprov::cli
