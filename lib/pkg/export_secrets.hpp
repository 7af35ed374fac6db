#pragma once
// Internal to lib/pkg's export: the package's secrets file (sealed to the --seal-to stations, or
// in the clear on request).

#include <span>
#include <string>
#include <vector>

#include "rtprov/pkg/manifest.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/pkg/seal.hpp"

namespace rtprov::pkg {

struct SecretsFile {
    SecretsRef ref;  // for the manifest
    Bytes data;      // the file
    std::vector<std::string> warnings;
};

// The secrets file for `secrets` (at least one): sealed to options.seal_to, or plain with
// options.insecure_plain_secrets. Throws Error(Usage) naming the project and the secrets when
// neither is given, or when both are.
SecretsFile package_secrets(std::span<const Secret> secrets, const ExportOptions& options,
                            const std::string& project);

}  // namespace rtprov::pkg
