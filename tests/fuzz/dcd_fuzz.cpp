// DCD parsers: the binary table (boot::parse_dcd) and the text form (boot::parse_dcd_text).
// A table that parses must serialize to bytes that parse to the same table again.
#include "fuzz_support.hpp"
#include "rtprov/boot/dcd.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    if (size == 0)
        return 0;
    const bool text = (data[0] & 1) != 0;
    ++data;
    --size;
    fuzz::expect_parse_or_reject([&] {
        const boot::Dcd dcd = text ? boot::parse_dcd_text(fuzz::text_of(data, size), "fuzz.dcd.txt")
                                   : boot::parse_dcd(fuzz::bytes_of(data, size), "fuzz.dcd");
        const Bytes once = boot::serialize(dcd);
        const Bytes twice = boot::serialize(boot::parse_dcd(once, "reserialized"));
        fuzz::check(once == twice, "DCD serialize(parse(serialize(x))) == serialize(x)");
    });
    return 0;
}
