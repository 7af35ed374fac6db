// Intel HEX reader (input::read_ihex): record syntax, checksums, extended addresses, overlaps.
#include "fuzz_support.hpp"
#include "rtprov/input/formats.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    fuzz::expect_parse_or_reject(
        [&] { (void)input::read_ihex(fuzz::text_of(data, size), "fuzz.hex"); });
    return 0;
}
