// A whole manufacturing package as import-pkg reads it (pkg::verify_package): the zip container
// (libzip through pkg::read_zip: entry names, sizes, ratios), then manifest, signature, hashes and
// the schema 1.0 migration. Limits are small so that a zip bomb is rejected, not inflated.
#include "fuzz_support.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/pkg/zip_archive.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    pkg::ZipLimits limits;
    limits.max_total_size = 16u << 20;
    limits.ratio_min_size = 64u << 10;
    fuzz::expect_parse_or_reject(
        [&] { (void)pkg::verify_package(fuzz::bytes_of(data, size), limits, RTPROV_VERSION); });
    return 0;
}
