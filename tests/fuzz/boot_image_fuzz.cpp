// Bootable images: IVT search and pointers, boot data, DCD and CSF locations
// (boot::parse_boot_image), the bare IVT and boot data parsers, and the BEE protection region
// descriptor block (bee::parse_prdb) found at the start of encrypted XIP images.
#include "fuzz_support.hpp"
#include "rtprov/bee/bee.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/boot/ivt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    if (size == 0)
        return 0;
    const std::uint8_t which = data[0] % 4;
    const ByteView in = fuzz::bytes_of(data + 1, size - 1);
    fuzz::expect_parse_or_reject([&] {
        switch (which) {
            case 0:
                (void)boot::parse_boot_image(in, "fuzz.bin");
                break;
            case 1:
                (void)boot::parse_ivt(in, "fuzz.bin");
                break;
            case 2:
                (void)boot::parse_boot_data(in, "fuzz.bin");
                break;
            default:
                (void)bee::parse_prdb(in, "fuzz.bin");
                break;
        }
    });
    return 0;
}
