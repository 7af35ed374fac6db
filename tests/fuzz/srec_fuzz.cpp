// Motorola S-record reader (input::read_srec): record types, counts, checksums, termination.
#include "fuzz_support.hpp"
#include "rtprov/input/formats.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    fuzz::expect_parse_or_reject(
        [&] { (void)input::read_srec(fuzz::text_of(data, size), "fuzz.srec"); });
    return 0;
}
