// receive-sb-file in the simulated flashloader: an SB file leaves the same flash as the direct
// write path, statuses follow MCUBoot's sbloader, data may arrive in any packet sizes.

#include "rtprov/sim/sb_loader.hpp"

#include <gtest/gtest.h>

#include "rtprov/sim/flashloader.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"
#include "sim_test_support.hpp"
#include "test_support.hpp"

namespace rtprov::sim {
namespace {

namespace mb = proto::mboot;
using mb::CommandTag;

constexpr std::uint32_t kFlashOption = 0xC0000007;

struct Board {
    explicit Board(std::string_view part = "mimxrt1020") : chip(device::find_device(part)) {}
    Chip chip;
    Flashloader fl{chip};

    std::uint32_t cmd(CommandTag tag, std::vector<std::uint32_t> params, bool data = false) {
        auto out = fl.on_command(mb::encode_packet(mb::make_command(tag, std::move(params), data)));
        return mb::decode_packet(out.back().bytes).status();
    }
    // Sends `data` as the data phase of the last command in packets of `packet` bytes.
    std::uint32_t data_phase(const Bytes& data, std::size_t packet = 1024) {
        std::vector<MbootOut> last;
        for (std::size_t at = 0; at < data.size(); at += packet) {
            last = fl.on_data(
                ByteView(data).subspan(at, std::min<std::size_t>(packet, data.size() - at)));
            if (at + packet < data.size()) {
                EXPECT_TRUE(last.empty());
            }
        }
        EXPECT_EQ(last.size(), 1u);
        const mb::Packet p = mb::decode_packet(last.back().bytes);
        EXPECT_EQ(p.params.at(1), static_cast<std::uint32_t>(CommandTag::ReceiveSbFile));
        return p.status();
    }
    std::uint32_t receive_sb(const Bytes& sb, std::size_t packet = 1024) {
        const std::uint32_t s =
            cmd(CommandTag::ReceiveSbFile, {static_cast<std::uint32_t>(sb.size())}, true);
        return s != 0 ? s : data_phase(sb, packet);
    }
    // The direct path: the same steps as blhost commands.
    void write_direct(std::uint32_t option, std::uint32_t address, const Bytes& image,
                      std::uint32_t erase_length, bool program_fcb = true) {
        Bytes word(4);
        store_le32(word.data(), option);
        chip.write(0x2000, word);
        ASSERT_EQ(cmd(CommandTag::ConfigureMemory, {9, 0x2000}), 0u);
        ASSERT_EQ(cmd(CommandTag::FlashEraseRegion, {0x60000000, erase_length, 0}), 0u);
        if (program_fcb) {
            ASSERT_EQ(cmd(CommandTag::FillMemory, {0x2000, 4, 0xF000000F}), 0u);
            ASSERT_EQ(cmd(CommandTag::ConfigureMemory, {9, 0x2000}), 0u);
        }
        ASSERT_EQ(cmd(CommandTag::WriteMemory,
                      {address, static_cast<std::uint32_t>(image.size()), 0}, true),
                  0u);
        std::vector<MbootOut> last;
        for (std::size_t at = 0; at < image.size(); at += 1024) {
            last = fl.on_data(
                ByteView(image).subspan(at, std::min<std::size_t>(1024, image.size() - at)));
        }
        ASSERT_EQ(mb::decode_packet(last.back().bytes).status(), 0u);
    }
    Bytes flash(std::size_t size) { return chip.flash().read(0, static_cast<std::uint32_t>(size)); }
};

// NXP's flash sequence: configure FlexSPI NOR, erase, let the flashloader write an FCB (unless the
// image has its own), load.
sb::Section flash_section(std::uint32_t option, std::uint32_t address, Bytes image,
                          std::uint32_t erase_length, bool program_fcb = true) {
    image.resize(align_up(image.size(), 16), 0);
    sb::Section s;
    s.commands = {sb::fill(0x2000, option), sb::enable(9, 0x2000, 4),
                  sb::erase(0x60000000, erase_length)};
    if (program_fcb) {
        s.commands.push_back(sb::fill(0x2000, 0xF000000F));
        s.commands.push_back(sb::enable(9, 0x2000, 4));
    }
    s.commands.push_back(sb::load(address, std::move(image)));
    return s;
}

Bytes sb_file(std::vector<sb::Section> sections) {
    sb::SbFile f;
    f.sections = std::move(sections);
    return sb::serialize(f);
}

TEST(SbLoader, SameFlashAsTheDirectWritePath) {
    const Bytes image = test::xip_image().data;
    const Bytes sb = sb_file({flash_section(kFlashOption, 0x60000000, image, 0x10000, false)});
    for (std::size_t packet : {1024u, 37u, 16u}) {
        SCOPED_TRACE(packet);
        Board via_sb, direct;
        EXPECT_EQ(via_sb.receive_sb(sb, packet), 0u);
        direct.write_direct(kFlashOption, 0x60000000, image, 0x10000, false);
        EXPECT_TRUE(via_sb.flash(0x10000) == direct.flash(0x10000));
        EXPECT_TRUE(via_sb.chip.flash().read(0x1000, 32) ==
                    Bytes(image.begin() + 0x1000, image.begin() + 0x1020));
        EXPECT_TRUE(via_sb.fl.take_dirty());
    }
}

TEST(SbLoader, OnlyTheFirstBootSectionRuns) {
    Board b;
    sb::Section boot = flash_section(kFlashOption, 0x60001000, Bytes(64, 0x11), 0x10000);
    sb::Section other;
    other.id = 1;
    other.commands = {sb::load(0x60008000, Bytes(16, 0x22))};
    EXPECT_EQ(b.receive_sb(sb_file({boot, other})), 0u);
    EXPECT_EQ(b.chip.flash().read(0x1000, 2), (Bytes{0x11, 0x11}));
    EXPECT_EQ(b.chip.flash().read(0x8000, 2), (Bytes{0xFF, 0xFF}));

    // With section 1 named first boot section, section 0 is skipped.
    sb::SbFile f;
    f.sections = {boot, other};
    f.first_boot_section = 1;
    Board c;
    EXPECT_EQ(c.receive_sb(sb::serialize(f)),
              static_cast<std::uint32_t>(mb::Status::MemoryNotConfigured));
}

TEST(SbLoader, StatusesAsMcuBootReportsThem) {
    const Bytes good = sb_file({flash_section(kFlashOption, 0x60001000, Bytes(64, 0x11), 0x1000)});
    auto status_of = [](Bytes sb) { return Board().receive_sb(sb); };
    Bytes bad = good;
    bad[0x14] = 'X';
    EXPECT_EQ(status_of(bad), SbLoader::kSignature);
    bad = good;
    bad[0x90] ^= 1;  // first command's checksum
    EXPECT_EQ(status_of(bad), SbLoader::kChecksum);
    bad = good;
    bad[good.size() - 48] ^= 1;  // load data (the last block before the trailer)
    EXPECT_EQ(status_of(bad), SbLoader::kCrc32Error);
    bad = good;
    bad[0x28] = 1;  // key count: encrypted
    EXPECT_EQ(status_of(bad), SbLoader::kUnencryptedOnly);
    sb::Section no_enable;
    no_enable.commands = {sb::load(0x60001000, Bytes(16, 1))};
    EXPECT_EQ(status_of(sb_file({no_enable})),
              static_cast<std::uint32_t>(mb::Status::MemoryNotConfigured));
    EXPECT_EQ(Board().cmd(CommandTag::ReceiveSbFile, {0}, true),
              static_cast<std::uint32_t>(mb::Status::InvalidArgument));
}

TEST(SbLoader, JumpAndResetEndTheFile) {
    sb::Section j;
    j.commands = {sb::fill(0x20200000, 0x12345678), sb::jump(0x20200001, 0)};
    Board b;
    EXPECT_EQ(b.receive_sb(sb_file({j})),
              static_cast<std::uint32_t>(mb::Status::RomLdrPendingJump));
    Bytes w(4);
    b.chip.read(0x20200000, w);
    EXPECT_EQ(load_le32(w.data()), 0x12345678u);
    EXPECT_FALSE(b.fl.take_reset());

    sb::Section r;
    r.commands = {sb::reset(), sb::fill(0x20200000, 0x1)};
    Board c;
    EXPECT_EQ(c.receive_sb(sb_file({r})),
              static_cast<std::uint32_t>(mb::Status::RomLdrPendingReset));
    EXPECT_TRUE(c.fl.take_reset());
}

TEST(SbLoader, FusesThroughProg) {
    sb::Section s;
    s.commands = {sb::prog(0x29, 0xA5A5A5A5, std::nullopt, SbLoader::kFuseMemoryId)};
    Board b;
    EXPECT_EQ(b.receive_sb(sb_file({s})), 0u);
    EXPECT_EQ(b.chip.fuses().read(0x29), 0xA5A5A5A5u);
    s.commands = {sb::prog(0x29, 1, std::nullopt, 9)};
    EXPECT_EQ(Board().receive_sb(sb_file({s})), SbLoader::kInvalidArgument);
}

// NXP's two-section reference file: section 0 programs the image, section 1 (the SRK table at
// 0x6000F000) is not the boot section and is skipped, as on the real flashloader.
TEST(SbLoader, NxpReferenceFileMatchesDirectWrite) {
    const auto v = rtprov::test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    const Bytes sb = read_file(*v / "rt1050-evkb/output/sb_file_2_sections.sb");
    Bytes image =
        read_file(*v / "rt1050-evkb/output/evkbimxrt1050_iled_blinky_ext_FLASH_unsigned_nofcb.bin");
    const Bytes pad = parse_hex("dce86d5de98cf57c", "pad");  // what NXP's test appended
    image.insert(image.end(), pad.begin(), pad.end());
    Board via_sb("mimxrt1050"), direct("mimxrt1050");
    EXPECT_EQ(via_sb.receive_sb(sb), 0u);
    direct.write_direct(0xC0233007, 0x60001000, image, 0x10000);
    EXPECT_TRUE(via_sb.flash(0x10000) == direct.flash(0x10000));
    EXPECT_EQ(via_sb.chip.flash().read(0xF000, 4), (Bytes{0xFF, 0xFF, 0xFF, 0xFF}));
}

}  // namespace
}  // namespace rtprov::sim
