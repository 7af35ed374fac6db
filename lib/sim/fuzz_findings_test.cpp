// Behaviour fixed after fuzzing found it (tests/fuzz/regressions/ holds the inputs): each test
// here states what the device side must do instead, without needing clang or libFuzzer.

#include <gtest/gtest.h>

#include "rtprov/device/device.hpp"
#include "rtprov/sim/boot_rom.hpp"
#include "rtprov/sim/chip.hpp"
#include "rtprov/sim/flashloader.hpp"

namespace rtprov::sim {
namespace {

using proto::sdp::CommandType;

// sdp_sim/read-register-4gib-count: READ_REGISTER's count is the host's; a count of 4 GiB made
// the simulator allocate it. The reply is capped at kMaxReadRegister bytes of the real memory.
TEST(FuzzFindings, ReadRegisterWithAHugeCountIsCapped) {
    Chip chip{device::find_device("mimxrt1020")};
    BootRom rom{chip};
    const Bytes pattern = {1, 2, 3, 4};
    ASSERT_EQ(chip.write(0x20200000, pattern), BusStatus::Ok);
    const auto reply = rom.on_command({CommandType::ReadRegister, 0x20200000, 32, 0xFFFFFFFF, 0});
    ASSERT_TRUE(reply);
    ASSERT_EQ(reply->payload.size(), BootRom::kMaxReadRegister);
    EXPECT_TRUE(std::equal(pattern.begin(), pattern.end(), reply->payload.begin()));
    // Ordinary counts are answered in full.
    const auto small = rom.on_command({CommandType::ReadRegister, 0x20200000, 32, 4, 0});
    ASSERT_TRUE(small);
    EXPECT_EQ(small->payload, pattern);
}

// mboot_sim/fill-memory-whole-sdram: fill-memory wrote its pattern a byte at a time, so a few
// commands over the SDRAM stalled the device for seconds. Same bytes, any length and alignment.
TEST(FuzzFindings, FillMemoryPatternHoldsForEveryLength) {
    namespace mb = proto::mboot;
    Chip chip{device::find_device("mimxrt1050")};
    Flashloader loader{chip};
    const std::uint32_t pattern = 0xA1B2C3D4;
    for (const std::uint32_t count : {1u, 3u, 4u, 5u, 7u, 64u, 1000u, 4097u}) {
        const std::uint32_t at = 0x20200001;  // unaligned on purpose
        ASSERT_EQ(chip.write(at, Bytes(count + 4, 0xEE)), BusStatus::Ok);
        const auto out = loader.on_command(
            mb::encode_packet(mb::make_command(mb::CommandTag::FillMemory, {at, count, pattern})));
        ASSERT_EQ(mb::decode_packet(out.back().bytes).status(), 0u) << count;
        Bytes got(count + 4);
        ASSERT_EQ(chip.read(at, got), BusStatus::Ok);
        for (std::uint32_t i = 0; i < count; ++i)
            ASSERT_EQ(got[i], static_cast<std::uint8_t>(pattern >> (8 * (i % 4))))
                << count << " " << i;
        EXPECT_EQ(got[count], 0xEE) << "wrote past the end, count " << count;
    }
}

}  // namespace
}  // namespace rtprov::sim
