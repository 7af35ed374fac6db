// sim::serve over its HID-report socket, as a USB host sees it: the boot ROM's device goes away
// after the jump and the flashloader's appears at the same port (socket), and back after reset.

#include "rtprov/sim/server.hpp"

#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "rtprov/proto/mboot_client.hpp"
#include "rtprov/proto/sdp_client.hpp"
#include "rtprov/transport/transport.hpp"
#include "sim_test_support.hpp"
#include "test_support.hpp"

namespace rtprov::sim {
namespace {

using namespace std::chrono_literals;

TEST(SimServer, TheHidDeviceReenumeratesWhenTheProgramChanges) {
    rtprov::test::TempDir dir;
    Chip chip(device::find_device("mimxrt1020"));
    chip.fuses().set_uid(0x0123456789abcdef);
    std::atomic<bool> stop{false};
    std::promise<void> listening;
    std::vector<std::string> events;
    std::mutex mutex;
    ServerOptions o;
    o.link = LinkKind::Hid;
    o.hid_socket = dir / "hid.sock";
    ServerCallbacks cb;
    cb.on_endpoint = [&](const std::string&) { listening.set_value(); };
    cb.on_event = [&](const std::string& e) {
        std::lock_guard lock(mutex);
        events.push_back(e);
    };
    std::thread server([&] { serve(chip, o, cb, stop); });
    listening.get_future().get();

    auto rom = transport::open_socket(o.hid_socket.string(), true);
    proto::SdpClient sdp(*rom, 2000ms);
    const Bytes uid = sdp.read_register(device::find_device("mimxrt1020").fuse("UUID0")->shadow, 4);
    EXPECT_EQ(uid, (Bytes{0xef, 0xcd, 0xab, 0x89}));
    const auto img = test::flashloader_image();
    sdp.write_file(img.address, img.data);
    sdp.jump_address(img.address + img.ivt_offset);
    // The ROM's device is gone: its link reads end of file.
    EXPECT_THROW(rom->read_report(500ms), Error);
    rom.reset();

    auto loader = transport::open_socket(o.hid_socket.string(), true);
    proto::McuBootClient mb(*loader, 2000ms);
    EXPECT_EQ(mb.efuse_read_once(0x02), 0x01234567u);
    mb.reset();
    EXPECT_THROW(loader->read_report(500ms), Error);
    loader.reset();

    auto again = transport::open_socket(o.hid_socket.string(), true);
    proto::SdpClient sdp2(*again, 2000ms);
    EXPECT_EQ(sdp2.error_status(), 0xF0F0F0F0u);
    again.reset();
    stop = true;
    server.join();
    std::lock_guard lock(mutex);
    EXPECT_NE(std::find(events.begin(), events.end(), "re-enumerating as 15a2:0073 (flashloader)"),
              events.end());
    EXPECT_NE(std::find(events.begin(), events.end(), "re-enumerating as 1fc9:0130 (boot ROM)"),
              events.end());
}

}  // namespace
}  // namespace rtprov::sim
