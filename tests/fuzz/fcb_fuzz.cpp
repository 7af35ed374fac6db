// FlexSPI NOR configuration block parser (boot::parse_fcb); a parsed FCB must survive a
// serialize/parse round trip unchanged.
#include "fuzz_support.hpp"
#include "rtprov/boot/fcb.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    fuzz::expect_parse_or_reject([&] {
        const Bytes once = boot::serialize(boot::parse_fcb(fuzz::bytes_of(data, size), "fuzz.fcb"));
        const Bytes twice = boot::serialize(boot::parse_fcb(once, "reserialized"));
        fuzz::check(once == twice, "FCB serialize(parse(serialize(x))) == serialize(x)");
    });
    return 0;
}
