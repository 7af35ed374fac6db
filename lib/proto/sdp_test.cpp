// SDP codec tests: byte layout, round trips, decoding errors, HAB names.

#include "rtprov/proto/sdp.hpp"

#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"

namespace rtprov::proto::sdp {
namespace {

TEST(SdpCommand, BigEndianLayout) {
    const auto b = encode_command({CommandType::WriteRegister, 0x400FC068, 32, 4, 0xFFFFFFFF});
    const std::array<std::uint8_t, 16> want{0x02, 0x02, 0x40, 0x0F, 0xC0, 0x68, 0x20, 0x00,
                                            0x00, 0x00, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0x00};
    EXPECT_EQ(b, want);
}

TEST(SdpCommand, RoundTripAllTypesWithPadding) {
    for (auto t :
         {CommandType::ReadRegister, CommandType::WriteRegister, CommandType::WriteFile,
          CommandType::ErrorStatus, CommandType::WriteCsf, CommandType::WriteDcd,
          CommandType::JumpAddress, CommandType::SkipDcdHeader, CommandType::SetBaudrate}) {
        const Command c{t, 0x20001C00, 8, 0x1234, 0xCAFEBABE};
        const auto b = encode_command(c);
        Bytes padded(b.begin(), b.end());
        padded.resize(kCommandReportSize, 0);
        EXPECT_EQ(decode_command(padded), c);
    }
}

TEST(SdpCommand, DecodeErrors) {
    try {
        decode_command(Bytes(15, 0));
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Device);
        EXPECT_STREQ(e.what(), "SDP command of 15 bytes, expected 16");
    }
    Bytes b(16, 0);
    b[0] = 0x07;
    b[1] = 0x07;
    try {
        decode_command(b);
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "unknown SDP command type 0x0707");
    }
    try {
        decode_word(Bytes{1, 2});
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "SDP response of 2 bytes, expected 4");
    }
}

TEST(SdpWords, EncodeDecodeAndMeaning) {
    EXPECT_EQ(decode_word(encode_word(0x128A8A12)), 0x128A8A12u);
    const auto w = encode_word(0x09D00D90);
    EXPECT_EQ(w[0], 0x09);
    EXPECT_EQ(w[3], 0x90);
    EXPECT_TRUE(is_hab_word(0x56787856));
    EXPECT_TRUE(is_hab_word(0x12343412));
    EXPECT_FALSE(is_hab_word(0x88888888));
    EXPECT_EQ(expected_status(CommandType::WriteFile), 0x88888888u);
    EXPECT_EQ(expected_status(CommandType::JumpAddress), 0u);
    EXPECT_TRUE(has_data_phase(CommandType::WriteDcd));
    EXPECT_FALSE(has_data_phase(CommandType::ReadRegister));
    EXPECT_EQ(response_name(0x12343412), "HAB_LOCKED");
    EXPECT_EQ(command_name(CommandType::SkipDcdHeader), "SKIP_DCD_HEADER");
}

TEST(SdpHab, Names) {
    EXPECT_EQ(describe_error_status(0xF0F0F0F0), "0xF0F0F0F0 (HAB_SUCCESS)");
    EXPECT_EQ(describe_error_status(0x33333333), "0x33333333 (HAB_FAILURE)");
    EXPECT_EQ(describe_error_status(0x33180A00),
              "0x33180A00 (status HAB_FAILURE, reason INVALID_SIGNATURE, context "
              "AUTHENTICATE_IMAGE)");
    EXPECT_EQ(describe_error_status(0x12345678), "0x12345678");
    EXPECT_EQ(hab_reason_name(0x27), "INVALID_DCD");
    EXPECT_EQ(hab_context_name(0xDD), "RUN_DCD");
    EXPECT_EQ(hab_status_name(0x42), "0x42");
}

}  // namespace
}  // namespace rtprov::proto::sdp
