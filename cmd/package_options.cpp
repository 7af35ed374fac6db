#include "package_options.hpp"

#include <cstdlib>

#include "rtprov/hab/key_io.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::cli {

pkg::TrustOptions trust_options(const std::vector<std::string>& trust_keys) {
    std::vector<std::string> paths = trust_keys;
    if (paths.empty()) {
        if (const char* env = std::getenv("RTPROV_TRUST_KEY"); env != nullptr) {
            // Set but empty is a mistake (a variable that did not expand), not "no trust".
            if (*env == '\0') {
                throw Error(ErrorCode::Usage,
                            "RTPROV_TRUST_KEY is set but empty: point it at the trust key (public "
                            "key, certificate or key PEM), or unset it to read packages without "
                            "a trust key");
            }
            paths.emplace_back(env);
        }
    }
    pkg::TrustOptions trust;
    for (const auto& p : paths)
        trust.trusted_keys.push_back(hab::load_public_key_der(p));
    return trust;
}

}  // namespace rtprov::cli
