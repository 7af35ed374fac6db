// Behaviour fixed after fuzzing found it (tests/fuzz/regressions/ holds the inputs): each test
// here states what the device side must do instead, without needing clang or libFuzzer.

#include <gtest/gtest.h>

#include "rtprov/device/device.hpp"
#include "rtprov/sim/boot_rom.hpp"
#include "rtprov/sim/chip.hpp"

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

}  // namespace
}  // namespace rtprov::sim
