// Package metadata: the manifest JSON of every schema version (pkg::parse_manifest), the
// manifest signature file (pkg::parse_signature) and the per-board data CSV
// (write::parse_board_csv).
#include "fuzz_support.hpp"
#include "rtprov/pkg/manifest.hpp"
#include "rtprov/pkg/signature.hpp"
#include "rtprov/write/board_data.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    if (size == 0)
        return 0;
    const std::uint8_t which = data[0] % 3;
    const std::string_view text = fuzz::text_of(data + 1, size - 1);
    fuzz::expect_parse_or_reject([&] {
        switch (which) {
            case 0:
                (void)pkg::parse_manifest(text, RTPROV_VERSION);
                break;
            case 1:
                (void)pkg::parse_signature(text);
                break;
            default:
                (void)write::parse_board_csv(text, "fuzz.csv");
                break;
        }
    });
    return 0;
}
