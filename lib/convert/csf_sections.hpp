#pragma once
// Internal to lib/convert: the CSF sections of a vendor configuration -> the project's HabSpec.

#include "rtprov/convert/vendor_config.hpp"
#include "rtprov/project/hab_spec.hpp"

namespace rtprov::convert::detail {

// Interprets Header, InstallSRK, InstallCSFK, AuthenticateCSF, InstallKey, AuthenticateData,
// SetEngine and Unlock. Paths are anchored at the configuration's folder. Throws
// Error(BadInput) naming the entry for unknown sections/keys and values rtprov cannot sign with.
project::HabSpec hab_from_sections(const VendorConfig& config);

}  // namespace rtprov::convert::detail
