// Bootable images: IVT search and pointers, boot data, DCD and CSF locations
// (boot::parse_boot_image), the bare IVT and boot data parsers, and the BEE protection region
// descriptor block (bee::parse_prdb) found at the start of encrypted XIP images.
#include "fuzz_support.hpp"
#include "rtprov/bee/bee.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/boot/ivt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    fuzz::parse_with_one_of(
        data, size, [](ByteView in) { (void)boot::parse_boot_image(in, "fuzz.bin"); },
        [](ByteView in) { (void)boot::parse_ivt(in, "fuzz.bin"); },
        [](ByteView in) { (void)boot::parse_boot_data(in, "fuzz.bin"); },
        [](ByteView in) { (void)bee::parse_prdb(in, "fuzz.bin"); });
    return 0;
}
