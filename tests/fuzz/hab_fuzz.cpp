// HAB structures read back from images and files: the CSF command sequence (hab::parse_csf), the
// SRK table (hab::parse_srk_table) and X.509 certificates in PEM or DER (hab::parse_certificate).
#include "fuzz_support.hpp"
#include "rtprov/hab/key_io.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/hab/verify.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    if (size == 0)
        return 0;
    const std::uint8_t which = data[0] % 3;
    const ByteView in = fuzz::bytes_of(data + 1, size - 1);
    fuzz::expect_parse_or_reject([&] {
        switch (which) {
            case 0:
                (void)hab::parse_csf(in);
                break;
            case 1:
                (void)hab::parse_srk_table(in);
                break;
            default:
                (void)hab::parse_certificate(in, "fuzz.pem");
                break;
        }
    });
    return 0;
}
