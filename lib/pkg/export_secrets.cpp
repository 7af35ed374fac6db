#include "export_secrets.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "rtprov/util/error.hpp"

namespace rtprov::pkg {

SecretsFile package_secrets(std::span<const Secret> secrets, const ExportOptions& options,
                            const std::string& project) {
    SecretsFile out;
    for (const Secret& s : secrets)
        out.ref.names.push_back(s.name);
    const std::string names = fmt::format("{}", fmt::join(out.ref.names, ", "));
    if (options.seal_to.empty() && !options.insecure_plain_secrets) {
        throw Error(ErrorCode::Usage,
                    fmt::format("{}: the package would hold secrets ({}): seal them to the "
                                "stations that write it with --seal-to STATION.pub (made by "
                                "`rtprov station keygen`), or give --insecure-plain-secrets to "
                                "keep them in the clear",
                                project, names));
    }
    if (!options.seal_to.empty() && options.insecure_plain_secrets)
        throw Error(ErrorCode::Usage, "--seal-to and --insecure-plain-secrets exclude each other");
    std::string text;
    if (options.insecure_plain_secrets) {
        out.ref.file = "secrets/plain.json";
        out.ref.sealed = false;
        text = plain_secrets(secrets);
        out.warnings.push_back(fmt::format(
            "--insecure-plain-secrets: the package holds {} in the clear: whoever has it has "
            "the keys",
            names));
    } else {
        std::vector<StationPublicKey> stations;
        for (const auto& path : options.seal_to)
            stations.push_back(load_station_public_key(path));
        out.ref.file = "secrets/sealed.json";
        text = seal_secrets(secrets, stations);
    }
    out.data.assign(text.begin(), text.end());
    return out;
}

}  // namespace rtprov::pkg
