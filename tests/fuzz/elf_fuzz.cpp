// ELF reader (input::read_elf): section/segment tables, string tables, load addresses.
#include "fuzz_support.hpp"
#include "rtprov/input/formats.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    fuzz::expect_parse_or_reject(
        [&] { (void)input::read_elf(fuzz::bytes_of(data, size), "fuzz.elf"); });
    return 0;
}
