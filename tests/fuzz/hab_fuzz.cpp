// HAB structures read back from images and files: the CSF command sequence (hab::parse_csf), the
// SRK table (hab::parse_srk_table) and X.509 certificates in PEM or DER (hab::parse_certificate).
#include "fuzz_support.hpp"
#include "rtprov/hab/key_io.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/hab/verify.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    fuzz::parse_with_one_of(
        data, size, [](ByteView in) { (void)hab::parse_csf(in); },
        [](ByteView in) { (void)hab::parse_srk_table(in); },
        [](ByteView in) { (void)hab::parse_certificate(in, "fuzz.pem"); });
    return 0;
}
