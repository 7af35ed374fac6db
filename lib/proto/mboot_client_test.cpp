// McuBootClient against a scripted device thread: UART frames over a pty (ACK/NAK/CRC rules) and
// HID reports over a socketpair.

#include "rtprov/proto/mboot_client.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "wire_test_util.hpp"

namespace rtprov::proto {
namespace {

using mboot::CommandTag;
using mboot::Packet;
using mboot::PacketType;
using testing::RawEnd;

// UART device side: frame-level helpers that check what the host sends.
struct UartDevice {
    RawEnd end;
    // Reads one COMMAND/DATA frame; ACKs it unless told otherwise.
    std::pair<PacketType, Bytes> read_frame(bool ack = true) {
        Bytes h = end.read(6);
        EXPECT_EQ(h[0], 0x5A);
        Bytes payload = end.read(load_le16(h.data() + 2));
        Bytes all = h;
        all.insert(all.end(), payload.begin(), payload.end());
        EXPECT_EQ(mboot::decode_frame(all).kind, mboot::FrameDecode::Kind::Frame);
        if (ack)
            send_short(PacketType::Ack);
        return {static_cast<PacketType>(h[1]), payload};
    }
    Packet read_command() {
        auto [type, payload] = read_frame();
        EXPECT_EQ(type, PacketType::Command);
        return mboot::decode_packet(payload);
    }
    void send_short(PacketType t) { end.write(mboot::encode_short_frame(t)); }
    void expect_short(PacketType t) {
        Bytes b = end.read(2);
        EXPECT_EQ(b, (Bytes{0x5A, static_cast<std::uint8_t>(t)}));
    }
    // Sends a frame and waits for the host's ACK.
    void send(PacketType t, ByteView payload, bool corrupt = false) {
        Bytes f = mboot::encode_frame(t, payload);
        if (corrupt)
            f[4] ^= 0x55;
        end.write(f);
        expect_short(corrupt ? PacketType::Nak : PacketType::Ack);
    }
    void respond(const Packet& p, bool corrupt = false) {
        send(PacketType::Command, mboot::encode_packet(p), corrupt);
    }
};

struct MbootUart : ::testing::Test {
    std::pair<int, std::string> pty = testing::make_pty();
    UartDevice dev{RawEnd(pty.first)};
    std::unique_ptr<transport::Transport> t = transport::open_uart(pty.second, 115200);
    McuBootClient client{*t, std::chrono::milliseconds(2000)};
};

TEST_F(MbootUart, PingSkipsLeadingZeros) {
    std::thread device([&] {
        dev.expect_short(PacketType::Ping);
        dev.end.write(Bytes{0x00, 0x00});
        const auto r = mboot::encode_ping_response({'P', 1, 2, 0, 0});
        dev.end.write(r);
    });
    const auto v = client.ping();
    device.join();
    EXPECT_EQ(v, (mboot::PingResponse{'P', 1, 2, 0, 0}));
}

TEST_F(MbootUart, GetPropertyWithNakedCommandAndCorruptResponse) {
    std::thread device([&] {
        auto [type, first] = dev.read_frame(false);
        dev.send_short(PacketType::Nak);  // host must resend the same frame
        auto [type2, second] = dev.read_frame();
        EXPECT_EQ(first, second);
        EXPECT_EQ(mboot::decode_packet(second),
                  mboot::make_command(CommandTag::GetProperty, {1, 0}));
        dev.respond(mboot::make_property_response(0, {0x4B010600}), true);  // host NAKs
        dev.respond(mboot::make_property_response(0, {0x4B010600}));
    });
    const auto v = client.get_property(1);
    device.join();
    EXPECT_EQ(v, (std::vector<std::uint32_t>{0x4B010600}));
}

TEST_F(MbootUart, WriteMemoryChunkedByMaxPacketSize) {
    Bytes data(300);
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<std::uint8_t>(i);
    std::thread device([&] {
        EXPECT_EQ(dev.read_command(), mboot::make_command(CommandTag::GetProperty, {11, 0}));
        dev.respond(mboot::make_property_response(0, {128}));
        const Packet c = dev.read_command();
        EXPECT_EQ(c, mboot::make_command(CommandTag::WriteMemory, {0x20000000, 300, 0}, true));
        dev.respond(mboot::make_generic_response(0, 0x04));
        Bytes got;
        std::vector<std::size_t> sizes;
        while (got.size() < 300) {
            auto [type, payload] = dev.read_frame();
            EXPECT_EQ(type, PacketType::Data);
            sizes.push_back(payload.size());
            got.insert(got.end(), payload.begin(), payload.end());
        }
        EXPECT_EQ(sizes, (std::vector<std::size_t>{128, 128, 44}));
        EXPECT_EQ(got, data);
        dev.respond(mboot::make_generic_response(0, 0x04));
    });
    std::uint64_t last = 0;
    client.set_progress([&](std::uint64_t done, std::uint64_t) { last = done; });
    client.write_memory(0x20000000, data);
    device.join();
    EXPECT_EQ(last, 300u);
}

TEST_F(MbootUart, ReadMemoryAndStatusError) {
    std::thread device([&] {
        EXPECT_EQ(dev.read_command(),
                  mboot::make_command(CommandTag::ReadMemory, {0x60000000, 6, 0}));
        dev.respond(mboot::make_read_memory_response(0, 6));
        dev.send(PacketType::Data, Bytes{1, 2, 3, 4});
        dev.send(PacketType::Data, Bytes{5, 6});
        dev.respond(mboot::make_generic_response(0, 0x03));
        EXPECT_EQ(dev.read_command(),
                  mboot::make_command(CommandTag::FlashEraseRegion, {0x70000000, 0x1000, 0}));
        dev.respond(mboot::make_generic_response(10200, 0x02));
    });
    EXPECT_EQ(client.read_memory(0x60000000, 6), (Bytes{1, 2, 3, 4, 5, 6}));
    try {
        client.flash_erase_region(0x70000000, 0x1000);
        FAIL();
    } catch (const McuBootStatusError& e) {
        EXPECT_EQ(e.status(), 10200u);
        EXPECT_EQ(e.code(), ErrorCode::Device);
        EXPECT_STREQ(e.what(), "flash-erase-region: kStatusMemoryRangeInvalid (10200)");
    }
    device.join();
}

TEST_F(MbootUart, SilentDeviceTimesOut) {
    McuBootClient quick(*t, std::chrono::milliseconds(50));
    try {
        quick.fill_memory(0x2000, 4, 0xC0000007);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), t->describe() + ": no ACK within 50 ms");
    }
}

struct MbootHid : ::testing::Test {
    std::pair<int, int> fds = testing::make_socketpair();
    std::unique_ptr<transport::Transport> t =
        transport::socket_transport_from_fd(fds.first, true, "sim:test");
    RawEnd dev{fds.second};
    McuBootClient client{*t, std::chrono::milliseconds(2000)};

    Packet read_command() {
        auto [id, payload] = dev.read_report();
        EXPECT_EQ(id, 1);
        return mboot::decode_packet(mboot::decode_hid_payload(payload));
    }
    void respond(const Packet& p) {
        dev.write_report(3, mboot::encode_hid_payload(mboot::encode_packet(p)));
    }
};

TEST_F(MbootHid, ConfigureMemoryFlexspiNorSequence) {
    std::thread device([&] {
        EXPECT_EQ(read_command(),
                  mboot::make_command(CommandTag::FillMemory, {0x2000, 4, 0xC0000007}));
        respond(mboot::make_generic_response(0, 0x05));
        EXPECT_EQ(read_command(), mboot::make_command(CommandTag::ConfigureMemory, {9, 0x2000}));
        respond(mboot::make_generic_response(0, 0x11));
        EXPECT_EQ(read_command(), mboot::make_command(CommandTag::FlashReadOnce, {0x18, 4}));
        respond(mboot::make_read_once_response(0, {0xA5A5A5A5}));
    });
    client.fill_memory(0x2000, 4, flexspi_nor_option0(0, 0, 0, 0, 0, 0, 7));
    client.configure_memory(9, 0x2000);
    EXPECT_EQ(client.efuse_read_once(0x18), 0xA5A5A5A5u);
    device.join();
}

TEST_F(MbootHid, ReadMemoryAndSbFilePendingReset) {
    std::thread device([&] {
        read_command();
        dev.write_report(3, mboot::encode_hid_payload(
                                mboot::encode_packet(mboot::make_read_memory_response(0, 5))));
        dev.write_report(4, mboot::encode_hid_payload(Bytes{9, 8, 7, 6, 5}));
        respond(mboot::make_generic_response(0, 0x03));
        EXPECT_EQ(read_command(), mboot::make_command(CommandTag::GetProperty, {11, 0}));
        respond(mboot::make_property_response(0, {1024}));
        EXPECT_EQ(read_command(), mboot::make_command(CommandTag::ReceiveSbFile, {2000}, true));
        respond(mboot::make_generic_response(0, 0x08));
        std::size_t got = 0;
        while (got < 2000) {
            auto [id, payload] = dev.read_report();
            EXPECT_EQ(id, 2);
            got += mboot::decode_hid_payload(payload).size();
        }
        respond(mboot::make_generic_response(10120, 0x08));
    });
    EXPECT_EQ(client.read_memory(0x20000000, 5), (Bytes{9, 8, 7, 6, 5}));
    client.receive_sb_file(Bytes(2000, 0x11));
    device.join();
}

}  // namespace
}  // namespace rtprov::proto
