#pragma once
// Turning NXP's HAB configurations (BD or SPSDK YAML, read by vendor_config.hpp) into rtprov
// project settings, so `rtprov build -c project.yaml` reproduces NXP's signed image.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "rtprov/convert/vendor_config.hpp"
#include "rtprov/project/build_spec.hpp"

namespace rtprov::convert {

struct ConvertOptions {
    // The application: required for BD files (their `extern(0)`); overrides SPSDK's
    // inputImageFile when given.
    std::optional<std::filesystem::path> input;
};

struct Conversion {
    project::BuildSpec spec;
    std::vector<std::string> notes;  // decisions worth telling the user (inferred boot device, ...)
};

// Interprets a vendor configuration. Loads the application to learn its entry point (S-record
// S7 / ELF entry) and to check `startAddress` against the layout rtprov builds. Throws
// Error(BadInput) "WHERE: ..." for unknown sections or keys, unsupported values (naming the key and
// what rtprov supports), and Error(Usage) when a BD file has no --input.
Conversion convert_config(const VendorConfig& config, const ConvertOptions& options);

// Project-file text for a conversion, to be saved at `project_path` (see project_writer.hpp);
// starts with comments naming the source configuration. Deterministic.
std::string project_text(const Conversion& conversion, const VendorConfig& config,
                         const std::filesystem::path& project_path);

// "04/05/2023 14:41:11" (dd/mm/yyyy HH:MM:SS, UTC, NXP's signatureTimestamp) ->
// "2023-05-04T14:41:11Z". Throws Error(BadInput) naming `where` when malformed.
std::string iso_timestamp(const std::string& nxp_timestamp, const std::string& where);

}  // namespace rtprov::convert
