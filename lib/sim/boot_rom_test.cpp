#include "rtprov/sim/boot_rom.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/boot/dcd.hpp"

#include "sim_test_support.hpp"

namespace rtprov::sim {
namespace {

using proto::sdp::Command;
using proto::sdp::CommandType;
using proto::sdp::Response;

constexpr std::uint32_t w(Response r) {
    return static_cast<std::uint32_t>(r);
}

std::uint32_t status_of(const SdpReply& r) {
    return proto::sdp::decode_word(r.payload);
}

struct Rom : ::testing::Test {
    Chip chip{device::find_device("mimxrt1020")};
    BootRom rom{chip};

    SdpReply write_file(std::uint32_t address, const Bytes& data) {
        EXPECT_FALSE(rom.on_command(
            {CommandType::WriteFile, address, 0, static_cast<std::uint32_t>(data.size()), 0}));
        auto r = rom.on_data(data);
        EXPECT_TRUE(r);
        return *r;
    }
    SdpReply jump(std::uint32_t address) {
        return *rom.on_command({CommandType::JumpAddress, address, 0, 0, 0});
    }
};

TEST_F(Rom, ErrorStatusOnAnOpenPart) {
    auto r = rom.on_command({CommandType::ErrorStatus, 0, 0, 0, 0});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->hab_word, w(Response::HabUnlocked));
    EXPECT_EQ(status_of(*r), w(Response::HabSuccess));
}

TEST_F(Rom, ClosedPartAnswersHabLocked) {
    chip.fuses().program(chip.device().fuse("BOOT_CFG1")->index, 0x2);
    EXPECT_EQ(rom.on_command({CommandType::ErrorStatus, 0, 0, 0, 0})->hab_word,
              w(Response::HabLocked));
}

TEST_F(Rom, WriteAndReadRegister) {
    auto r = rom.on_command({CommandType::WriteRegister, 0x20000010, 32, 4, 0x11223344});
    EXPECT_EQ(status_of(*r), w(Response::WriteDataOk));
    r = rom.on_command({CommandType::ReadRegister, 0x20000010, 32, 4, 0});
    EXPECT_EQ(r->payload, (Bytes{0x44, 0x33, 0x22, 0x11}));
}

TEST_F(Rom, WriteFileInChunksThenJumpStartsTheFlashloader) {
    const auto img = test::flashloader_image();
    EXPECT_FALSE(rom.on_command(
        {CommandType::WriteFile, img.address, 0, static_cast<std::uint32_t>(img.data.size()), 0}));
    const ByteView all(img.data);
    EXPECT_FALSE(rom.on_data(all.first(1024)));
    auto r = rom.on_data(all.subspan(1024));
    ASSERT_TRUE(r);
    EXPECT_EQ(status_of(*r), w(Response::WriteFileOk));
    r = rom.on_command({CommandType::JumpAddress, img.address + img.ivt_offset, 0, 0, 0});
    EXPECT_TRUE(r->payload.empty()) << rom.last_jump_error();
    EXPECT_TRUE(rom.take_jumped());
    EXPECT_EQ(chip.mode(), ChipMode::Flashloader);
}

TEST_F(Rom, JumpWithoutIvtIsRefused) {
    write_file(0x20208000, Bytes(0x100, 0));
    auto r = jump(0x20208000);
    EXPECT_EQ(r.payload.size(), 4u);
    EXPECT_EQ(rom.last_jump_error(), "no IVT at 0x20208000 (header 00 00 00 00)");
    EXPECT_EQ(chip.mode(), ChipMode::Rom);
    EXPECT_EQ(status_of(*rom.on_command({CommandType::ErrorStatus, 0, 0, 0, 0})) >> 24, 0x33u);
}

TEST_F(Rom, JumpWithEntryOutsideTheLoadedDataIsRefused) {
    auto img = test::flashloader_image();
    store_le32(&img.data[4], 0x20300000);  // IVT entry
    write_file(img.address, img.data);
    jump(img.address);
    EXPECT_EQ(rom.last_jump_error(),
              fmt::format("IVT entry 0x20300000 is outside the loaded data 0x{:08X}..0x{:08X}",
                          img.address, img.address + img.data.size()));
    EXPECT_EQ(chip.mode(), ChipMode::Rom);
}

TEST_F(Rom, JumpToAnUnsignedImageOnAClosedPartIsRefused) {
    chip.fuses().program(chip.device().fuse("BOOT_CFG1")->index, 0x2);
    const auto img = test::flashloader_image();
    write_file(img.address, img.data);
    auto r = jump(img.address);
    EXPECT_EQ(r.hab_word, w(Response::HabLocked));
    EXPECT_TRUE(rom.last_jump_error().starts_with("HAB closed: authentication failed: "))
        << rom.last_jump_error();
    EXPECT_EQ(chip.mode(), ChipMode::Rom);
}

TEST_F(Rom, DcdWriteRunsWriteDataCommands) {
    boot::Dcd dcd;
    dcd.commands.push_back(boot::DcdWrite{
        4, boot::DcdWriteOp::WriteValue, {{0x400FC068, 0xFFFFFFFF}, {0x20000000, 0x12345678}}});
    const Bytes bin = boot::serialize(dcd);
    EXPECT_FALSE(rom.on_command(
        {CommandType::WriteDcd, 0x20001000, 0, static_cast<std::uint32_t>(bin.size()), 0}));
    auto r = rom.on_data(bin);
    EXPECT_EQ(status_of(*r), w(Response::WriteDataOk));
    EXPECT_EQ(chip.ram().read_le32(0x20000000), 0x12345678u);
    EXPECT_EQ(chip.ram().read_le32(0x400FC068), 0xFFFFFFFFu);
}

TEST_F(Rom, SkipDcdAndBaudRate) {
    EXPECT_EQ(status_of(*rom.on_command({CommandType::SkipDcdHeader, 0, 0, 0, 0})),
              w(Response::SkipDcdOk));
    EXPECT_EQ(status_of(*rom.on_command({CommandType::SetBaudrate, 921600, 0, 0, 0})),
              w(Response::BaudrateSet));
    EXPECT_EQ(rom.take_baud_rate(), 921600u);
}

}  // namespace
}  // namespace rtprov::sim
