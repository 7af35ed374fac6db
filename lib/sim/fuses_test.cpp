#include "rtprov/sim/fuses.hpp"

#include <gtest/gtest.h>

#include "rtprov/sim/chip.hpp"

namespace rtprov::sim {
namespace {

const device::Device& rt1020() {
    return device::find_device("mimxrt1020");
}

TEST(Fuses, ProgramIsWriteOnceOr) {
    Fuses f(rt1020());
    const auto idx = rt1020().fuse("BOOT_CFG1")->index;
    EXPECT_EQ(f.read(idx), 0u);
    EXPECT_EQ(f.program(idx, 0x10), FuseStatus::Ok);
    EXPECT_EQ(f.program(idx, 0x01), FuseStatus::Ok);
    EXPECT_EQ(f.read(idx), 0x11u);
    EXPECT_EQ(f.program(idx, 0x00), FuseStatus::Ok);  // a 1 never goes back to 0
    EXPECT_EQ(f.read(idx), 0x11u);
}

TEST(Fuses, UnknownIndexIsRejected) {
    Fuses f(rt1020());
    EXPECT_EQ(f.program(0x3F, 1), FuseStatus::UnknownIndex);  // RT1020 has no bank at 0x800
    EXPECT_FALSE(f.read(0x3F));
}

TEST(Fuses, LockBitsMakeWordsReadOnly) {
    Fuses f(rt1020());
    const auto srk0 = rt1020().fuse("SRK0")->index;
    const auto revoke = rt1020().fuse("SRK_REVOKE")->index;
    const auto lock = rt1020().fuse("LOCK")->index;
    EXPECT_EQ(f.program(srk0, 0xA5), FuseStatus::Ok);
    EXPECT_EQ(f.program(lock, 1u << 14), FuseStatus::Ok);  // SRK_LOCK
    EXPECT_TRUE(f.locked(srk0));
    EXPECT_EQ(f.program(srk0, 0xFF), FuseStatus::Locked);
    EXPECT_EQ(f.read(srk0), 0xA5u);
    EXPECT_FALSE(f.locked(revoke));
    EXPECT_EQ(f.program(revoke, 1), FuseStatus::Ok);
    // BOOT_CFG_LOCK write-lock bit (LOCK[2]) guards BOOT_CFG0..2.
    EXPECT_EQ(f.program(lock, 1u << 2), FuseStatus::Ok);
    EXPECT_EQ(f.program(rt1020().fuse("BOOT_CFG1")->index, 2), FuseStatus::Locked);
}

TEST(Fuses, SecConfig1ClosesHab) {
    Fuses f(rt1020());
    EXPECT_FALSE(f.hab_closed());
    f.program(rt1020().fuse("BOOT_CFG1")->index, 0x2);
    EXPECT_TRUE(f.hab_closed());
}

TEST(Fuses, ShadowRegistersAreReadableByAddress) {
    Chip chip(rt1020());
    const auto* w = rt1020().fuse("GP1");
    chip.fuses().program(w->index, 0xCAFEF00D);
    EXPECT_EQ(chip.fuses().read_shadow(w->shadow), 0xCAFEF00Du);
    Bytes out(4);
    EXPECT_EQ(chip.read(w->shadow, out), BusStatus::Ok);
    EXPECT_EQ(load_le32(out.data()), 0xCAFEF00Du);
    EXPECT_EQ(chip.write(w->shadow, out), BusStatus::ReadOnly);
}

TEST(Fuses, UniqueIdIsFactoryProgrammed) {
    Fuses f(rt1020());
    EXPECT_NE(f.read(0x01), 0u);
    EXPECT_NE(f.read(0x02), 0u);
}

TEST(Fuses, TheUidIsUuid1ThenUuid0AndEachNewPartGetsItsOwn) {
    Fuses f(device::find_device("mimxrt1020"));
    f.set_uid(0x0123456789abcdef);
    EXPECT_EQ(f.read(0x01), 0x89abcdefu);
    EXPECT_EQ(f.read(0x02), 0x01234567u);
    EXPECT_EQ(f.uid(), 0x0123456789abcdefu);
    const std::uint64_t a = random_uid();
    EXPECT_NE(a, random_uid());
    EXPECT_NE(a >> 32, 0u);
    EXPECT_NE(a & 0xFFFFFFFFu, 0u);
}

}  // namespace
}  // namespace rtprov::sim
