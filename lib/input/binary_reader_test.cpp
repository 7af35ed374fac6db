#include <gtest/gtest.h>

#include "input_test_support.hpp"
#include "rtprov/input/formats.hpp"

namespace rtprov::input {
namespace {

using test::error_of;

TEST(ReadBinary, PlacesTheBytesAtTheBaseAddress) {
    const Bytes data = test::pattern(1000);
    const auto image = read_binary(data, 0x60002000, "app.bin");
    ASSERT_EQ(image.segments().size(), 1u);
    EXPECT_EQ(image.segments()[0].address, 0x60002000u);
    EXPECT_EQ(image.segments()[0].data, data);
    EXPECT_EQ(image.segments()[0].origin, "app.bin");
    EXPECT_FALSE(image.entry_point);
}

TEST(ReadBinary, RejectsAnEmptyFile) {
    EXPECT_EQ(error_of([] { read_binary({}, 0x60002000, "app.bin"); }), "app.bin: file is empty");
    EXPECT_EQ(test::error_code_of([] { read_binary({}, 0, "app.bin"); }), ErrorCode::BadInput);
}

TEST(ReadBinary, RejectsBytesPastFourGigabytes) {
    EXPECT_EQ(error_of([] { read_binary(Bytes(16, 0), 0xFFFFFFF8, "app.bin"); }),
              "app.bin: 16 bytes at 0xFFFFFFF8 run past the end of the 32-bit address space");
}

}  // namespace
}  // namespace rtprov::input
