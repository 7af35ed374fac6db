// MCUBoot codec tests: CRC against the protocol's published values, packets, frames, HID payloads.

#include "rtprov/proto/mboot.hpp"

#include <gtest/gtest.h>

#include <random>

#include "rtprov/util/error.hpp"

namespace rtprov::proto::mboot {
namespace {

Bytes bytes_of(std::string_view s) {
    return Bytes(s.begin(), s.end());
}

std::string error_of(auto&& fn) {
    try {
        fn();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Device);
        return e.what();
    }
    return "(no error)";
}

TEST(Crc16, CheckValue) {
    EXPECT_EQ(crc16_xmodem(bytes_of("123456789")), 0x31C3);
    EXPECT_EQ(crc16_xmodem({}), 0);
}

TEST(PingResponse, MatchesBlhostReferenceBytes) {
    // MCUBoot reference manual / blhost log: ping response of protocol P1.2.0, options 0.
    const auto b = encode_ping_response({'P', 1, 2, 0, 0});
    const Bytes want{0x5A, 0xA7, 0x00, 0x02, 0x01, 0x50, 0x00, 0x00, 0xAA, 0xEA};
    EXPECT_EQ(Bytes(b.begin(), b.end()), want);
    EXPECT_EQ(decode_ping_response(want), (PingResponse{'P', 1, 2, 0, 0}));
}

TEST(PingResponse, RejectsCorruptCrcAndSize) {
    Bytes b{0x5A, 0xA7, 0x00, 0x02, 0x01, 0x50, 0x00, 0x00, 0xAA, 0xEB};
    EXPECT_EQ(error_of([&] { decode_ping_response(b); }),
              "ping response CRC 0xEBAA, expected 0xEAAA");
    b.pop_back();
    EXPECT_EQ(error_of([&] { decode_ping_response(b); }), "ping response of 9 bytes, expected 10");
}

TEST(Frame, GetPropertyCommandMatchesReferenceBytes) {
    // blhost get-property 1 over UART (MCUBoot reference manual example frame).
    const Bytes frame = encode_frame(PacketType::Command,
                                     encode_packet(make_command(CommandTag::GetProperty, {1, 0})));
    const Bytes want{0x5A, 0xA4, 0x0C, 0x00, 0x4B, 0x33, 0x07, 0x00, 0x00,
                     0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    EXPECT_EQ(frame, want);
}

TEST(Packet, RoundTrip) {
    const Packet p = make_command(CommandTag::WriteMemory, {0x20000000, 16, 0}, true);
    const Bytes b = encode_packet(p);
    ASSERT_EQ(b.size(), 16u);
    EXPECT_EQ(b[0], 0x04);
    EXPECT_EQ(b[1], 0x01);
    EXPECT_EQ(b[3], 3);
    EXPECT_EQ(decode_packet(b), p);
    EXPECT_TRUE(decode_packet(b).has_data_phase());
    const Packet r = make_property_response(0, {0x4B010600});
    EXPECT_EQ(decode_packet(encode_packet(r)), r);
    EXPECT_EQ(decode_packet(encode_packet(r)).status(), 0u);
}

TEST(Packet, RejectsTruncatedOversizedAndInconsistent) {
    EXPECT_EQ(error_of([] {
                  decode_packet(Bytes{0xA0, 0, 0});
              }),
              "packet of 3 bytes, shorter than its 4-byte header");
    EXPECT_EQ(error_of([] {
                  decode_packet(Bytes{0xA0, 0, 0, 8});
              }),
              "packet 0xA0 announces 8 params, max 7");
    EXPECT_EQ(error_of([] {
                  decode_packet(Bytes{0xA0, 0, 0, 2, 1, 2, 3, 4, 5});
              }),
              "packet of 9 bytes, header says 2 params (12 bytes)");
    EXPECT_EQ(error_of([] { Packet{0xA0, 0, {}}.status(); }), "response 0xA0 has no status");
}

TEST(DecodeFrame, CompleteFrameAndPartialInput) {
    const Bytes payload = encode_packet(make_generic_response(0, 0x04));
    const Bytes f = encode_frame(PacketType::Command, payload);
    for (std::size_t n = 0; n < f.size(); ++n) {
        const FrameDecode d = decode_frame(ByteView(f).first(n));
        EXPECT_EQ(d.kind, FrameDecode::Kind::NeedMore) << n;
        EXPECT_GE(d.needed, 1u);
    }
    const FrameDecode d = decode_frame(f);
    ASSERT_EQ(d.kind, FrameDecode::Kind::Frame);
    EXPECT_EQ(d.type, PacketType::Command);
    EXPECT_EQ(d.consumed, f.size());
    EXPECT_EQ(d.payload, payload);
}

TEST(DecodeFrame, JunkShortBadCrcAndInvalid) {
    EXPECT_EQ(decode_frame(Bytes{0x00, 0x5A}).kind, FrameDecode::Kind::Junk);
    const FrameDecode ack = decode_frame(Bytes{0x5A, 0xA1, 0x5A});
    EXPECT_EQ(ack.kind, FrameDecode::Kind::Short);
    EXPECT_EQ(ack.type, PacketType::Ack);
    EXPECT_EQ(ack.consumed, 2u);

    Bytes f = encode_frame(PacketType::Data, Bytes{1, 2, 3});
    f.back() ^= 0xFF;
    const FrameDecode bad = decode_frame(f);
    EXPECT_EQ(bad.kind, FrameDecode::Kind::BadCrc);
    EXPECT_EQ(bad.consumed, f.size());
    EXPECT_EQ(bad.error.rfind("frame CRC 0x", 0), 0u);

    const FrameDecode unk = decode_frame(Bytes{0x5A, 0x42});
    EXPECT_EQ(unk.kind, FrameDecode::Kind::Invalid);
    EXPECT_EQ(unk.error, "unknown packet type 0x42");
    const FrameDecode big = decode_frame(Bytes{0x5A, 0xA5, 0x01, 0x20, 0, 0});
    EXPECT_EQ(big.kind, FrameDecode::Kind::Invalid);
    EXPECT_EQ(big.error, "frame payload length 8193 exceeds 4096");
}

TEST(DecodeFrame, RandomInputNeverCrashes) {
    std::mt19937 rng(1234);
    for (int i = 0; i < 20000; ++i) {
        Bytes b(rng() % 40);
        for (auto& x : b)
            x = static_cast<std::uint8_t>(rng());
        if (!b.empty() && rng() % 2)
            b[0] = kStartByte;
        const FrameDecode d = decode_frame(b);
        if (d.kind != FrameDecode::Kind::NeedMore) {
            EXPECT_LE(d.consumed, b.size());
        }
        try {
            decode_packet(b);
        } catch (const Error&) {
        }
        try {
            decode_hid_payload(b);
        } catch (const Error&) {
        }
    }
}

TEST(HidPayload, RoundTripPaddingAndErrors) {
    Bytes r = encode_hid_payload(Bytes{9, 8, 7});
    EXPECT_EQ(r, (Bytes{0, 3, 0, 9, 8, 7}));
    r.resize(60, 0);  // devices may pad reports
    EXPECT_EQ(decode_hid_payload(r), (Bytes{9, 8, 7}));
    EXPECT_EQ(error_of([] {
                  decode_hid_payload(Bytes{0, 5, 0, 1});
              }),
              "HID report announces 5 bytes but carries 1");
    EXPECT_EQ(error_of([] {
                  decode_hid_payload(Bytes{0, 5});
              }),
              "HID report of 2 bytes, shorter than its header");
}

TEST(Names, StatusCommandPropertyVersion) {
    EXPECT_EQ(status_name(0), "kStatus_Success");
    EXPECT_EQ(status_name(10200), "kStatusMemoryRangeInvalid");
    EXPECT_EQ(status_name(20109), "kStatus_FlexSPINOR_Flash_NotFound");
    EXPECT_EQ(status_name(4242), "unknown status 4242");
    EXPECT_EQ(command_name(0x11), "configure-memory");
    EXPECT_EQ(property_name(11), "MaxPacketSize");
    EXPECT_EQ(parse_property("max-packet-size"), 11);
    EXPECT_EQ(parse_property("0x19"), 0x19);
    EXPECT_EQ(parse_property("nope"), std::nullopt);
    EXPECT_EQ(version_string(0x4B010600), "K1.6.0");
    EXPECT_EQ(version_string(0x00010200), "1.2.0");
}

}  // namespace
}  // namespace rtprov::proto::mboot
