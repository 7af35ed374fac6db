// RFC 3394 key wrap against the RFC's test vector for a 128-bit KEK (section 4.1); the 40-byte
// wrap of an OTFAD key blob is checked against NXP's output in otfad_test.cpp.

#include "rtprov/otfad/key_wrap.hpp"

#include <gtest/gtest.h>

#include "rtprov/util/parse.hpp"

namespace rtprov::otfad {
namespace {

bee::Key kek() {
    const Bytes b = parse_hex("000102030405060708090A0B0C0D0E0F", "kek");
    bee::Key k{};
    std::copy(b.begin(), b.end(), k.begin());
    return k;
}

TEST(KeyWrap, Rfc3394Section4_1) {
    const Bytes plain = parse_hex("00112233445566778899AABBCCDDEEFF", "p");
    const Bytes expected = parse_hex("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5", "c");
    EXPECT_EQ(aes_key_wrap(kek(), plain), expected);
    EXPECT_EQ(aes_key_unwrap(kek(), expected), plain);
}

TEST(KeyWrap, IntegrityCheckCatchesAnotherKekOrAFlippedBit) {
    const Bytes plain = parse_hex("00112233445566778899AABBCCDDEEFF", "p");
    Bytes c = aes_key_wrap(kek(), plain);
    bee::Key other = kek();
    other[15] ^= 1;
    EXPECT_FALSE(aes_key_unwrap(other, c));
    c[20] ^= 0x80;
    EXPECT_FALSE(aes_key_unwrap(kek(), c));
    EXPECT_FALSE(aes_key_unwrap(kek(), ByteView(c).first(16)));
}

}  // namespace
}  // namespace rtprov::otfad
