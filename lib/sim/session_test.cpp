// The sim's device side against rtprov's own host clients, in-process over a socketpair: the same
// protocol code that runs over a pty or USB, with the simulator behind the other end.

#include "rtprov/sim/session.hpp"

#include <thread>

#include <gtest/gtest.h>

#include "rtprov/proto/mboot_client.hpp"
#include "rtprov/proto/sdp_client.hpp"
#include "session_bench.hpp"

namespace rtprov::sim {
namespace {

using namespace std::chrono_literals;
using test::Bench;
using test::load_flashloader;

void flash_round_trip(transport::Transport& t, Chip& chip) {
    proto::McuBootClient mb(t, 2000ms);
    if (!t.is_hid())
        mb.ping();
    EXPECT_EQ(mb.get_property(1).at(0), Flashloader::kVersion);
    mb.fill_memory(0x2000, 4, 0xC0000007);
    mb.configure_memory(9, 0x2000);
    mb.flash_erase_region(0x60000000, 0x10000);
    Bytes data(0x9000);
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<std::uint8_t>(i * 13 + 5);
    mb.write_memory(0x60001000, data);
    EXPECT_EQ(mb.read_memory(0x60001000, static_cast<std::uint32_t>(data.size())), data);
    EXPECT_EQ(chip.flash().read(0x1000, 4), Bytes(data.begin(), data.begin() + 4));
    mb.efuse_program_once(0x26, 0x00F0);
    mb.efuse_program_once(0x26, 0x000F);
    EXPECT_EQ(mb.efuse_read_once(0x26), 0x00FFu);
}

TEST(Session, UartSdpThenMcuBoot) {
    Bench b(false);
    load_flashloader(b.host());
    EXPECT_EQ(b.chip().mode(), ChipMode::Flashloader);
    flash_round_trip(b.host(), b.chip());
}

TEST(Session, HidSdpThenMcuBoot) {
    Bench b(true);
    load_flashloader(b.host());
    EXPECT_EQ(b.chip().mode(), ChipMode::Flashloader);
    flash_round_trip(b.host(), b.chip());
}

TEST(Session, ResetGoesBackToTheRomOnUart) {
    Bench b(false);
    load_flashloader(b.host());
    proto::McuBootClient mb(b.host(), 2000ms);
    mb.ping();
    mb.reset();
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(b.chip().mode(), ChipMode::Rom);
    proto::SdpClient sdp(b.host(), 2000ms);
    EXPECT_EQ(sdp.error_status(), 0xF0F0F0F0u);
}

TEST(Session, RefusedJumpKeepsTheRom) {
    Bench b(false);
    proto::SdpClient sdp(b.host(), 2000ms);
    sdp.write_file(0x20208000, Bytes(0x100, 0));
    EXPECT_THROW(sdp.jump_address(0x20208000), Error);
    EXPECT_EQ(b.chip().mode(), ChipMode::Rom);
}

TEST(Session, CorruptedCrcIsNakedAndResent) {
    FaultInjector faults(parse_fault_spec("nak=0.2"), 42);
    Bench b(false, &faults);
    load_flashloader(b.host());
    proto::McuBootClient mb(b.host(), 2000ms);
    mb.set_retries(10);
    mb.ping();
    for (int i = 0; i < 20; ++i)
        EXPECT_EQ(mb.get_property(11).at(0), Flashloader::kMaxPacketSize);
}

// The host's side of raw MCUBoot UART frames, for exchanges the client would never produce.
struct RawHost {
    transport::Transport& t;
    Bytes rx;
    void send(proto::mboot::PacketType type, ByteView payload) {
        t.write(proto::mboot::encode_frame(type, payload));
    }
    void command(proto::mboot::CommandTag tag, std::vector<std::uint32_t> params, bool data) {
        send(proto::mboot::PacketType::Command,
             proto::mboot::encode_packet(proto::mboot::make_command(tag, std::move(params), data)));
    }
    proto::mboot::FrameDecode next() {
        for (;;) {
            auto f = proto::mboot::decode_frame(rx);
            if (f.kind != proto::mboot::FrameDecode::Kind::NeedMore) {
                rx.erase(rx.begin(), rx.begin() + static_cast<std::ptrdiff_t>(
                                                      std::max<std::size_t>(f.consumed, 1)));
                return f;
            }
            std::uint8_t buf[512];
            const std::size_t n = t.read(std::span(buf, sizeof buf), 1000ms);
            if (n == 0)
                return f;  // NeedMore: nothing came
            rx.insert(rx.end(), buf, buf + n);
        }
    }
    // The next frame must be an ACK and then a response packet; returns its status.
    std::uint32_t ack_then_status() {
        auto a = next();
        EXPECT_EQ(a.kind, proto::mboot::FrameDecode::Kind::Short);
        EXPECT_EQ(a.type, proto::mboot::PacketType::Ack);
        auto r = next();
        if (r.kind != proto::mboot::FrameDecode::Kind::Frame) {
            ADD_FAILURE() << "no response frame";
            return ~0u;
        }
        return proto::mboot::decode_packet(r.payload).status();
    }
};

// SPSDK flushes its UART output before every write (tcflush TCOFLUSH); over a pty that can
// discard the ACK it wrote last before the sim read it. The host's next frame stands in for that
// ACK: the sim answers it instead of waiting for the lost ACK until the host times out.
TEST(Session, AHostFrameStandsInForALostAck) {
    namespace mb = proto::mboot;
    Bench b(false);
    load_flashloader(b.host());
    RawHost h{b.host(), {}};
    h.command(mb::CommandTag::GetProperty, {1, 0}, false);
    EXPECT_EQ(h.ack_then_status(), 0u);  // not ACKed: the ACK "was lost"
    h.command(mb::CommandTag::WriteMemory, {0x20210000, 4, 0}, true);
    EXPECT_EQ(h.ack_then_status(), 0u);  // nor this one
    const Bytes data{1, 2, 3, 4};
    h.send(mb::PacketType::Data, data);
    EXPECT_EQ(h.ack_then_status(), 0u);
    h.t.write(mb::encode_short_frame(mb::PacketType::Ack));
    proto::McuBootClient client(b.host(), 2000ms);
    EXPECT_EQ(client.read_memory(0x20210000, 4), data);
}

}  // namespace
}  // namespace rtprov::sim
