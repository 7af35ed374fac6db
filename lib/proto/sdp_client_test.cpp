// SdpClient against a scripted device thread exchanging real bytes (socketpair HID framing, pty
// for UART).

#include "rtprov/proto/sdp_client.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "rtprov/util/error.hpp"
#include "wire_test_util.hpp"

namespace rtprov::proto {
namespace {

using sdp::CommandType;
using testing::RawEnd;
constexpr std::uint32_t kOpen = 0x56787856;
constexpr std::uint32_t kClosed = 0x12343412;

Bytes word(std::uint32_t w) {
    auto a = sdp::encode_word(w);
    return Bytes(a.begin(), a.end());
}

// HID device side: answers one command with HAB word + optional status / data reports.
struct HidDevice {
    RawEnd end;
    sdp::Command read_command() {
        auto [id, payload] = end.read_report();
        EXPECT_EQ(id, 1);
        return sdp::decode_command(payload);
    }
    Bytes read_data(std::uint32_t count) {
        Bytes out;
        while (out.size() < count) {
            auto [id, payload] = end.read_report();
            EXPECT_EQ(id, 2);
            EXPECT_EQ(payload.size(), sdp::kDataReportSize);
            out.insert(out.end(), payload.begin(), payload.end());
        }
        out.resize(count);
        return out;
    }
    void hab(std::uint32_t w = kOpen) { end.write_report(3, word(w)); }
    void status(std::uint32_t w) {
        Bytes r = word(w);
        r.resize(sdp::kResponseReportSize, 0);
        end.write_report(4, r);
    }
};

struct SdpHid : ::testing::Test {
    std::pair<int, int> fds = testing::make_socketpair();
    std::unique_ptr<transport::Transport> t =
        transport::socket_transport_from_fd(fds.first, true, "sim:test");
    HidDevice dev{RawEnd(fds.second)};
    SdpClient client{*t, std::chrono::milliseconds(2000)};
};

TEST_F(SdpHid, WriteFileInFullSizeReportsWithProgress) {
    Bytes image(2500);
    for (std::size_t i = 0; i < image.size(); ++i)
        image[i] = static_cast<std::uint8_t>(i * 7);
    std::thread device([&] {
        const sdp::Command c = dev.read_command();
        EXPECT_EQ(c.type, CommandType::WriteFile);
        EXPECT_EQ(c.address, 0x20001C00u);
        EXPECT_EQ(c.count, 2500u);
        EXPECT_EQ(dev.read_data(c.count), image);
        dev.hab();
        dev.status(0x88888888);
    });
    std::vector<std::uint64_t> progress;
    client.set_progress([&](std::uint64_t done, std::uint64_t total) {
        EXPECT_EQ(total, 2500u);
        progress.push_back(done);
    });
    client.write_file(0x20001C00, image);
    device.join();
    EXPECT_EQ(progress, (std::vector<std::uint64_t>{1024, 2048, 2500}));
    EXPECT_FALSE(client.hab_closed());
}

TEST_F(SdpHid, ReadRegisterAcrossReports) {
    std::thread device([&] {
        const sdp::Command c = dev.read_command();
        EXPECT_EQ(c.type, CommandType::ReadRegister);
        EXPECT_EQ(c.format, 32);
        dev.hab(kClosed);
        Bytes a(64), b(64);
        for (int i = 0; i < 64; ++i) {
            a[i] = static_cast<std::uint8_t>(i);
            b[i] = static_cast<std::uint8_t>(64 + i);
        }
        dev.end.write_report(4, a);
        dev.end.write_report(4, b);
    });
    const Bytes got = client.read_register(0x401F4410, 100);
    device.join();
    ASSERT_EQ(got.size(), 100u);
    EXPECT_EQ(got[0], 0);
    EXPECT_EQ(got[99], 99);
    EXPECT_TRUE(client.hab_closed());
}

TEST_F(SdpHid, WrongStatusIsDecodedInTheError) {
    std::thread device([&] {
        const sdp::Command c = dev.read_command();
        EXPECT_EQ(c.type, CommandType::WriteRegister);
        EXPECT_EQ(c.data, 0xC0000007u);
        dev.hab(kClosed);
        dev.status(0x33333333);
    });
    try {
        client.write_register(0x2000, 0xC0000007);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Device);
        EXPECT_STREQ(e.what(),
                     "WRITE_REGISTER: status 0x33333333, expected 0x128A8A12 (WRITE_DATA_OK) "
                     "(HAB is closed)");
    }
    device.join();
}

TEST_F(SdpHid, ErrorStatusJumpAndBadHabWord) {
    std::thread device([&] {
        EXPECT_EQ(dev.read_command().type, CommandType::ErrorStatus);
        dev.hab();
        dev.status(0xF0F0F0F0);
        EXPECT_EQ(dev.read_command().type, CommandType::JumpAddress);
        dev.hab();  // then silence: the image runs
        EXPECT_EQ(dev.read_command().type, CommandType::JumpAddress);
        dev.hab();
        dev.status(0x33180A00);
        EXPECT_EQ(dev.read_command().type, CommandType::SkipDcdHeader);
        dev.end.write_report(3, word(0xDEADBEEF));
    });
    EXPECT_EQ(client.error_status(), 0xF0F0F0F0u);
    client.jump_address(0x20001C00);
    try {
        client.jump_address(0x20001C00);
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(),
                     "JUMP_ADDRESS 0x20001C00: the ROM refused the image: 0x33180A00 (status "
                     "HAB_FAILURE, reason INVALID_SIGNATURE, context AUTHENTICATE_IMAGE)");
    }
    try {
        client.skip_dcd_header();
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(),
                     "SKIP_DCD_HEADER: first response 0xDEADBEEF, expected a HAB word "
                     "(0x56787856 open or 0x12343412 closed)");
    }
    device.join();
}

// As sdphost (read_safe/write_safe): an address not aligned to the access width is refused
// before anything is sent; the silent device would make a sent command time out instead.
TEST_F(SdpHid, UnalignedRegisterAccessIsRefusedWithoutSending) {
    auto usage = [](auto&& fn, const char* what) {
        try {
            fn();
            FAIL() << what;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::Usage);
            EXPECT_STREQ(e.what(), what);
        }
    };
    usage([&] { client.read_register(0x401F4412, 4, 32); },
          "address 0x401F4412 is not aligned to 32 bits");
    usage([&] { client.read_register(0x401F4411, 2, 16); },
          "address 0x401F4411 is not aligned to 16 bits");
    usage([&] { client.write_register(0x20208002, 1, 32); },
          "address 0x20208002 is not aligned to 32 bits");
    usage([&] { client.read_register(0x401F4410, 4, 24); },
          "access width 24 bits, expected 8, 16 or 32");
}

TEST_F(SdpHid, SilentDeviceTimesOut) {
    SdpClient quick(*t, std::chrono::milliseconds(50));
    try {
        quick.error_status();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Device);
        EXPECT_STREQ(e.what(), "ERROR_STATUS: sim:test: no HAB response within 50 ms");
    }
}

TEST(SdpUart, WriteDcdAndBaudRateOverPty) {
    auto [master, slave] = testing::make_pty();
    RawEnd dev(master);
    auto t = transport::open_uart(slave, 115200);
    SdpClient client(*t, std::chrono::milliseconds(2000));
    const Bytes dcd{0xD2, 0x00, 0x0C, 0x41, 0xCC, 0x00, 0x08, 0x04, 0x40, 0x0F, 0xC0, 0x68};
    std::thread device([&] {
        sdp::Command c = sdp::decode_command(dev.read(16));
        EXPECT_EQ(c.type, CommandType::WriteDcd);
        EXPECT_EQ(dev.read(c.count), dcd);
        dev.write(word(kOpen));
        dev.write(word(0x128A8A12));
        c = sdp::decode_command(dev.read(16));
        EXPECT_EQ(c.type, CommandType::SetBaudrate);
        EXPECT_EQ(c.address, 921600u);
        dev.write(word(kOpen));
        dev.write(word(0x09D00D90));
    });
    client.write_dcd(0x20000000, dcd);
    client.set_baudrate(921600);
    device.join();
    EXPECT_EQ(t->describe(), "uart:" + slave + ",921600");
}

}  // namespace
}  // namespace rtprov::proto
