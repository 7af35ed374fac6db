#include "rtprov/sim/flashloader.hpp"

#include <gtest/gtest.h>

#include "rtprov/boot/fcb.hpp"

namespace rtprov::sim {
namespace {

namespace mb = proto::mboot;
using mb::CommandTag;
using mb::Status;

constexpr std::uint32_t st(Status s) {
    return static_cast<std::uint32_t>(s);
}

struct Loader : ::testing::Test {
    Chip chip{device::find_device("mimxrt1020")};
    Flashloader fl{chip};

    std::vector<MbootOut> cmd(CommandTag tag, std::vector<std::uint32_t> params,
                              bool data = false) {
        return fl.on_command(mb::encode_packet(mb::make_command(tag, std::move(params), data)));
    }
    // Status of the last response packet of an exchange.
    static std::uint32_t status(const std::vector<MbootOut>& out) {
        return mb::decode_packet(out.back().bytes).status();
    }
    std::uint32_t configure() {
        Bytes opt(4);
        store_le32(opt.data(), 0xC0000007);
        chip.write(0x2000, opt);
        return status(cmd(CommandTag::ConfigureMemory, {9, 0x2000}));
    }
    std::uint32_t write(std::uint32_t address, const Bytes& data) {
        const auto first = cmd(CommandTag::WriteMemory,
                               {address, static_cast<std::uint32_t>(data.size()), 0}, true);
        if (status(first) != 0)
            return status(first);
        std::vector<MbootOut> last;
        for (std::size_t at = 0; at < data.size(); at += 1024)
            last = fl.on_data(
                ByteView(data).subspan(at, std::min<std::size_t>(1024, data.size() - at)));
        return status(last);
    }
};

TEST_F(Loader, GetProperty) {
    auto out = cmd(CommandTag::GetProperty, {1, 0});
    auto p = mb::decode_packet(out[0].bytes);
    EXPECT_EQ(p.tag, static_cast<std::uint8_t>(mb::ResponseTag::GetProperty));
    EXPECT_EQ(p.params, (std::vector<std::uint32_t>{0, Flashloader::kVersion}));
    p = mb::decode_packet(cmd(CommandTag::GetProperty, {11, 0})[0].bytes);
    EXPECT_EQ(p.params[1], 1024u);
    EXPECT_EQ(status(cmd(CommandTag::GetProperty, {0x55, 0})), st(Status::UnknownProperty));
    EXPECT_EQ(status(cmd(CommandTag::SetProperty, {11, 64})), st(Status::ReadOnlyProperty));
    EXPECT_EQ(status(cmd(CommandTag::SetProperty, {10, 0})), 0u);
}

// AvailableCommands: bit (tag - 1) per implemented command, as blhost decodes it (bit 0 is
// flash-erase-all); receive-sb-file (0x08) is implemented, flash-security-disable (0x06) is not.
TEST_F(Loader, AvailableCommandsHasBitTagMinusOne) {
    const auto p = mb::decode_packet(cmd(CommandTag::GetProperty, {7, 0})[0].bytes);
    ASSERT_EQ(p.params.size(), 2u);
    const std::uint32_t mask = p.params[1];
    auto has = [&](CommandTag t) { return (mask >> (static_cast<unsigned>(t) - 1)) & 1u; };
    EXPECT_EQ(has(CommandTag::FlashEraseAll), 1u);
    EXPECT_EQ(has(CommandTag::ReceiveSbFile), 1u);
    EXPECT_EQ(has(CommandTag::ConfigureMemory), 1u);
    EXPECT_EQ(has(CommandTag::FlashSecurityDisable), 0u);
    EXPECT_EQ(has(CommandTag::GenerateKeyBlob), 1u);
    EXPECT_EQ(mask, 0x56FDFu);
}

TEST_F(Loader, FlashNeedsConfigureMemory) {
    EXPECT_EQ(write(0x60000000, Bytes(16, 0)), st(Status::MemoryNotConfigured));
    EXPECT_EQ(status(cmd(CommandTag::FlashEraseRegion, {0x60000000, 0x1000, 0})),
              st(Status::MemoryNotConfigured));
    EXPECT_EQ(configure(), 0u);
    EXPECT_EQ(status(cmd(CommandTag::FlashEraseRegion, {0x60000000, 0x1000, 0})), 0u);
    EXPECT_EQ(write(0x60000000, Bytes(16, 0x42)), 0u);
    EXPECT_EQ(chip.flash().read(0, 2), (Bytes{0x42, 0x42}));
}

TEST_F(Loader, WritingOverProgrammedFlashFails) {
    configure();
    EXPECT_EQ(write(0x60001000, Bytes(8, 0x0F)), 0u);
    EXPECT_EQ(write(0x60001000, Bytes(8, 0xF0)), st(Status::FlexspiNorProgramFail));
    EXPECT_EQ(status(cmd(CommandTag::FlashEraseAll, {0})), 0u);
    EXPECT_EQ(write(0x60001000, Bytes(8, 0xF0)), 0u);
}

TEST_F(Loader, ReadMemorySendsDataThenStatus) {
    chip.write(0x20000000, Bytes(2000, 0x77));
    auto out = cmd(CommandTag::ReadMemory, {0x20000000, 2000, 0});
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(mb::decode_packet(out[0].bytes).params, (std::vector<std::uint32_t>{0, 2000}));
    EXPECT_TRUE(out[1].data);
    EXPECT_EQ(out[1].bytes.size(), 1024u);
    EXPECT_EQ(out[2].bytes.size(), 976u);
    EXPECT_EQ(status(out), 0u);
    EXPECT_EQ(status(cmd(CommandTag::ReadMemory, {0x10000000, 4, 0})),
              st(Status::MemoryRangeInvalid));
}

TEST_F(Loader, FillMemory) {
    EXPECT_EQ(status(cmd(CommandTag::FillMemory, {0x20000100, 8, 0xAABBCCDD})), 0u);
    EXPECT_EQ(chip.ram().read_le32(0x20000104), 0xAABBCCDDu);
}

TEST_F(Loader, EfuseProgramOnceIsWriteOnceAndHonoursLocks) {
    const auto gp1 = chip.device().fuse("GP1")->index;
    EXPECT_EQ(status(cmd(CommandTag::FlashProgramOnce, {gp1, 4, 0x0000FF00})), 0u);
    EXPECT_EQ(status(cmd(CommandTag::FlashProgramOnce, {gp1, 4, 0x000000FF})), 0u);
    auto p = mb::decode_packet(cmd(CommandTag::FlashReadOnce, {gp1, 4})[0].bytes);
    EXPECT_EQ(p.params, (std::vector<std::uint32_t>{0, 4, 0x0000FFFF}));
    EXPECT_EQ(status(cmd(CommandTag::FlashProgramOnce, {0, 4, 1u << 10})), 0u);  // GP1_LOCK
    EXPECT_EQ(status(cmd(CommandTag::FlashProgramOnce, {gp1, 4, 0x10000})),
              st(Status::OtpProgramFail));
    EXPECT_EQ(status(cmd(CommandTag::FlashProgramOnce, {0x3F, 4, 1})), st(Status::InvalidArgument));
}

TEST_F(Loader, ProgramFcbOption) {
    configure();
    Bytes opt(4);
    store_le32(opt.data(), 0xF000000F);
    chip.write(0x2000, opt);
    EXPECT_EQ(status(cmd(CommandTag::ConfigureMemory, {9, 0x2000})), 0u);
    EXPECT_EQ(chip.flash().read(0, 4), (Bytes{'F', 'C', 'F', 'B'}));
}

// As NXP's flexspi_nor_mem_config: 0xF000000F is no option before the flash is configured.
TEST_F(Loader, ProgramFcbNeedsAConfiguredFlash) {
    Bytes opt(4);
    store_le32(opt.data(), 0xF000000F);
    chip.write(0x2000, opt);
    EXPECT_EQ(status(cmd(CommandTag::ConfigureMemory, {9, 0x2000})), st(Status::InvalidArgument));
    EXPECT_EQ(chip.flash().read(0, 4), Bytes(4, 0xFF));
}

// ... and it writes only into an erased FCB area (kStatusMemoryCumulativeWrite otherwise).
TEST_F(Loader, ProgramFcbNeedsAnErasedFcbArea) {
    configure();
    ASSERT_EQ(write(0x60000100, Bytes(4, 0)), 0u);
    Bytes opt(4);
    store_le32(opt.data(), 0xF000000F);
    chip.write(0x2000, opt);
    EXPECT_EQ(status(cmd(CommandTag::ConfigureMemory, {9, 0x2000})),
              st(Status::MemoryCumulativeWrite));
    EXPECT_EQ(chip.flash().read(0, 4), Bytes(4, 0xFF));
    ASSERT_EQ(status(cmd(CommandTag::FlashEraseRegion, {0x60000000, 0x1000, 9})), 0u);
    EXPECT_EQ(status(cmd(CommandTag::ConfigureMemory, {9, 0x2000})), 0u);
    EXPECT_EQ(chip.flash().read(0, 4), (Bytes{'F', 'C', 'F', 'B'}));
}

// The FCB programmed is the flashloader's configuration: built from a HyperFlash option word
// (8 pads, the flash's DQS), or the FCB given to configure-memory, byte for byte.
TEST_F(Loader, ProgramFcbWritesTheCurrentConfiguration) {
    Bytes word(4);
    store_le32(word.data(), 0xC0233007);
    chip.write(0x2000, word);
    ASSERT_EQ(status(cmd(CommandTag::ConfigureMemory, {9, 0x2000})), 0u);
    store_le32(word.data(), 0xF000000F);
    chip.write(0x3000, word);
    ASSERT_EQ(status(cmd(CommandTag::ConfigureMemory, {9, 0x3000})), 0u);
    const boot::Fcb made = boot::parse_fcb(chip.flash().read(0, boot::kFcbSize), "flash");
    EXPECT_EQ(made.read_sample_clk_src, 3);
    EXPECT_EQ(made.sflash_pad_type, 8);
    EXPECT_EQ(made.column_address_width, 3);
    EXPECT_EQ(made.serial_clk_freq, 7);

    const Bytes preset = boot::serialize(boot::fcb_preset("rt1050-evkb"));
    chip.write(0x2000, preset);
    ASSERT_EQ(status(cmd(CommandTag::ConfigureMemory, {9, 0x2000})), 0u);
    ASSERT_EQ(status(cmd(CommandTag::FlashEraseRegion, {0x60000000, 0x200, 9})), 0u);
    ASSERT_EQ(status(cmd(CommandTag::ConfigureMemory, {9, 0x3000})), 0u);
    EXPECT_EQ(chip.flash().read(0, boot::kFcbSize), preset);
}

TEST_F(Loader, ResetReturnsToTheRomKeepingFlashAndFuses) {
    chip.set_mode(ChipMode::Flashloader);
    configure();
    write(0x60000000, Bytes(4, 0));
    EXPECT_EQ(status(cmd(CommandTag::Reset, {})), 0u);
    EXPECT_TRUE(fl.take_reset());
    EXPECT_EQ(chip.mode(), ChipMode::Rom);
    EXPECT_FALSE(chip.flash_configured());
    EXPECT_EQ(chip.flash().read(0, 1), Bytes{0});
}

TEST_F(Loader, ReceiveSbFileTakesADataPhase) {  // the SB loader itself: sb_loader_test.cpp
    EXPECT_EQ(status(cmd(CommandTag::ReceiveSbFile, {100}, true)), 0u);
    EXPECT_TRUE(fl.expects_data());
}

TEST(LoaderFaults, PowerLossStopsAWriteHalfWay) {
    Chip chip{device::find_device("mimxrt1020")};
    Flashloader fl(chip, FlashloaderFaults{nullptr, 1500});
    Bytes opt(4);
    store_le32(opt.data(), 0xC0000007);
    chip.write(0x2000, opt);
    fl.on_command(mb::encode_packet(mb::make_command(CommandTag::ConfigureMemory, {9, 0x2000})));
    fl.on_command(
        mb::encode_packet(mb::make_command(CommandTag::WriteMemory, {0x60000000, 4096, 0}, true)));
    EXPECT_TRUE(fl.on_data(Bytes(1024, 0)).empty());
    EXPECT_TRUE(fl.on_data(Bytes(1024, 0)).empty());
    EXPECT_TRUE(fl.power_lost());
    EXPECT_EQ(chip.flash().read(1499, 2), (Bytes{0x00, 0xFF}));
}

}  // namespace
}  // namespace rtprov::sim
