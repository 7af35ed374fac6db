// SB 1.x files (sb::parse): header, section table, boot tags, command CRCs and digests.
#include "fuzz_support.hpp"
#include "rtprov/sb/sb.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    fuzz::expect_parse_or_reject([&] { (void)sb::parse(fuzz::bytes_of(data, size), "fuzz.sb"); });
    return 0;
}
