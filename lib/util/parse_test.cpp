#include "rtprov/util/parse.hpp"

#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"

namespace rtprov {
namespace {

TEST(ParseUint, AcceptsDecimalHexBinaryAndSeparators) {
    EXPECT_EQ(parse_uint("4096"), 4096u);
    EXPECT_EQ(parse_uint("0x60002000"), 0x60002000u);
    EXPECT_EQ(parse_uint("0X6000_2000"), 0x60002000u);
    EXPECT_EQ(parse_uint("0b101"), 5u);
}

TEST(ParseUint, RejectsMalformedText) {
    EXPECT_FALSE(parse_uint(""));
    EXPECT_FALSE(parse_uint("0x"));
    EXPECT_FALSE(parse_uint("12a"));
    EXPECT_FALSE(parse_uint("0b102"));
    EXPECT_FALSE(parse_uint("_1"));
    EXPECT_FALSE(parse_uint("0x1_0000_0000_0000_0000"));  // overflows 64 bits
}

TEST(ParseU32, NamesTheFieldInErrors) {
    try {
        parse_u32("0x100000000", "--app-address");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Usage);
        EXPECT_STREQ(e.what(), "--app-address: 0x100000000 does not fit in 32 bits");
    }
}

}  // namespace
}  // namespace rtprov
