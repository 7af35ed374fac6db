// Package metadata: the manifest JSON of every schema version (pkg::parse_manifest), the
// manifest signature file (pkg::parse_signature) and the per-board data CSV
// (write::parse_board_csv).
#include "fuzz_support.hpp"
#include "rtprov/pkg/manifest.hpp"
#include "rtprov/pkg/signature.hpp"
#include "rtprov/write/board_data.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    fuzz::parse_with_one_of(
        data, size,
        [](ByteView in) { (void)pkg::parse_manifest(fuzz::text_of(in), RTPROV_VERSION); },
        [](ByteView in) { (void)pkg::parse_signature(fuzz::text_of(in)); },
        [](ByteView in) { (void)write::parse_board_csv(fuzz::text_of(in), "fuzz.csv"); });
    return 0;
}
