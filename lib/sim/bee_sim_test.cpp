// BEE on the simulated part: the flashloader's OTPMK option encrypts while writing, and the boot
// check reads the flash through the BEE with the keys the fuses select.

#include <gtest/gtest.h>

#include "rtprov/sim/bee_keys.hpp"
#include "rtprov/sim/flashloader.hpp"
#include "rtprov/sim/image_check.hpp"
#include "rtprov/util/file.hpp"
#include "sim_test_support.hpp"
#include "test_support.hpp"

namespace rtprov::sim {
namespace {

namespace mb = proto::mboot;
using mb::CommandTag;

struct Part {
    explicit Part(std::string_view name = "mimxrt1020") : chip(device::find_device(name)) {}
    Chip chip;
    Flashloader fl{chip};

    std::uint32_t cmd(CommandTag tag, std::vector<std::uint32_t> params, bool data = false) {
        auto out = fl.on_command(mb::encode_packet(mb::make_command(tag, std::move(params), data)));
        return mb::decode_packet(out.back().bytes).status();
    }
    std::uint32_t configure(std::vector<std::uint32_t> words) {
        Bytes b;
        for (auto w : words)
            append_le32(b, w);
        chip.write(0x2000, b);
        return cmd(CommandTag::ConfigureMemory, {9, 0x2000});
    }
    std::uint32_t write(std::uint32_t address, ByteView data) {
        std::uint32_t s = cmd(CommandTag::WriteMemory,
                              {address, static_cast<std::uint32_t>(data.size()), 0}, true);
        std::vector<MbootOut> last;
        for (std::size_t at = 0; s == 0 && at < data.size(); at += 1000)
            last = fl.on_data(data.subspan(at, std::min<std::size_t>(1000, data.size() - at)));
        return s != 0 ? s : mb::decode_packet(last.back().bytes).status();
    }
    void burn(std::string_view word, std::uint32_t bits) {
        ASSERT_EQ(chip.fuses().program(chip.device().fuse(word)->index, bits), FuseStatus::Ok);
    }
};

// SPSDK's OTPMK flow: configure, erase, FCB (the flashloader's, or `fcb`), BEE option block,
// write the image from the IVT.
void write_otpmk(Part& p, ByteView image_from_ivt, ByteView fcb = {}) {
    ASSERT_EQ(p.configure({0xC0000007}), 0u);
    ASSERT_EQ(p.cmd(CommandTag::FlashEraseRegion, {0x60000000, 0x10000, 0}), 0u);
    if (fcb.empty()) {
        ASSERT_EQ(p.configure({0xF000000F}), 0u);
    } else {
        ASSERT_EQ(p.write(0x60000000, fcb), 0u);
    }
    ASSERT_EQ(p.configure(bee::otpmk_option_block(std::vector<bee::Fac>{{0x60001000, 0x2000, 0}})),
              0u);
    ASSERT_EQ(p.write(0x60001000, image_from_ivt), 0u);
}

TEST(SimBee, FlashloaderEncryptsWithTheOtpmkAndBootsThroughTheBee) {
    const Bytes image = test::xip_image().data;  // FCB at 0, IVT at 0x1000
    Part p;
    write_otpmk(p, ByteView(image).subspan(0x1000), ByteView(image).first(boot::kFcbSize));
    const Bytes flash = p.chip.flash().read(0, static_cast<std::uint32_t>(image.size()));
    EXPECT_FALSE(std::equal(image.begin() + 0x1000, image.end(), flash.begin() + 0x1000));
    // The given key decrypts it back to what was written (the gaps stay erased).
    const bee::Key key = sim_otpmk_key(p.chip.fuses(), 0);
    const bee::Decrypted d = bee::decrypt_image(flash, std::span(&key, 1), "flash");
    EXPECT_TRUE(std::equal(image.begin() + 0x1000, image.end(), d.data.begin() + 0x1000));
    EXPECT_TRUE(std::equal(image.begin(), image.begin() + boot::kFcbSize, d.data.begin()));
    EXPECT_EQ(d.regions[0].header.prdb.facs, (std::vector<bee::Fac>{{0x60001000, 0x2000, 0}}));

    // BEE off: the IVT is ciphertext. Each missing fuse is named.
    const std::string header = "BEE region 0 header at flash offset 0x400";
    EXPECT_EQ(check_flash_boot(p.chip).reason,
              header +
                  ", but the boot ROM does not enable BEE: ENCRYPTED_XIP (BOOT_CFG0) and "
                  "BT_FUSE_SEL (BOOT_CFG1) are not burned");
    p.burn("BOOT_CFG0", 1u << 0);  // ENCRYPTED_XIP (bit 0 on the RT1020)
    EXPECT_EQ(check_flash_boot(p.chip).reason,
              header +
                  ", but the boot ROM does not enable BEE: ENCRYPTED_XIP is burned but "
                  "BT_FUSE_SEL (BOOT_CFG1) is not, so the boot ROM takes Encrypted XIP from "
                  "the boot pins (off)");
    p.burn("BOOT_CFG1", 1u << 4);  // BT_FUSE_SEL
    EXPECT_EQ(check_flash_boot(p.chip).reason,
              header +
                  ": BEE_KEY0_SEL (BOOT_CFG1) is not burned, so the boot ROM gives region 0 "
                  "no key (2 selects the OTPMK, 3 SW_GP2)");
    p.burn("BOOT_CFG1", 2u << 12);  // BEE_KEY0_SEL = OTPMK
    const Verdict v = check_flash_boot(p.chip);
    EXPECT_TRUE(v.ok) << v.reason;
    EXPECT_NE(v.reason.find("BEE: 1 region(s) decrypted"), std::string::npos) << v.reason;
}

// Without BT_FUSE_SEL the boot ROM takes Encrypted XIP from the boot configuration pin, not from
// the fuse.
TEST(SimBee, WithoutBtFuseSelTheBootPinDecides) {
    const Bytes image = test::xip_image().data;
    Part p;
    write_otpmk(p, ByteView(image).subspan(0x1000), ByteView(image).first(boot::kFcbSize));
    p.burn("BOOT_CFG1", 2u << 12);  // BEE_KEY0_SEL = OTPMK; ENCRYPTED_XIP and BT_FUSE_SEL not
    EXPECT_FALSE(check_flash_boot(p.chip).ok);
    p.chip.set_encrypted_xip_pin(true);
    EXPECT_TRUE(check_flash_boot(p.chip).ok) << check_flash_boot(p.chip).reason;
    // With BT_FUSE_SEL the pin no longer counts: the fuse (not burned) says no BEE.
    p.burn("BOOT_CFG1", 1u << 4);
    EXPECT_EQ(check_flash_boot(p.chip).reason,
              "BEE region 0 header at flash offset 0x400, but the boot ROM does not enable BEE: "
              "ENCRYPTED_XIP (BOOT_CFG0) is not burned");
}

// The same through an SB file: its enable command carries the BEE option block.
TEST(SimBee, SbFileWithTheOtpmkOptionEncryptsToo) {
    const Bytes image = test::xip_image().data;
    sb::FlashImageOptions o;  // from the IVT: the flashloader's header at 0x400 stays intact
    o.program_fcb = true;
    o.bee_option = bee::otpmk_option_block(std::vector<bee::Fac>{{0x60001000, 0x1000, 0}});
    sb::SbFile f;
    f.sections.push_back(sb::flash_image_section(0x60001000, ByteView(image).subspan(0x1000), o));
    const Bytes file = sb::serialize(f);
    Part p;
    ASSERT_EQ(p.cmd(CommandTag::ReceiveSbFile, {static_cast<std::uint32_t>(file.size())}, true),
              0u);
    std::vector<MbootOut> last;
    for (std::size_t at = 0; at < file.size(); at += 512) {
        last =
            p.fl.on_data(ByteView(file).subspan(at, std::min<std::size_t>(512, file.size() - at)));
    }
    ASSERT_EQ(mb::decode_packet(last.back().bytes).status(), 0u);
    const Bytes flash = p.chip.flash().read(0, static_cast<std::uint32_t>(image.size()));
    const bee::Key key = sim_otpmk_key(p.chip.fuses(), 0);
    const Bytes plain = bee::decrypt_image(flash, std::span(&key, 1), "flash").data;
    EXPECT_TRUE(std::equal(image.begin() + 0x1000, image.end(), plain.begin() + 0x1000));
    EXPECT_FALSE(
        std::equal(image.begin() + 0x1000, image.begin() + 0x2000, flash.begin() + 0x1000));
    p.burn("BOOT_CFG0", 1u << 0);
    p.burn("BOOT_CFG1", (2u << 12) | (1u << 4));  // BEE_KEY0_SEL = OTPMK, BT_FUSE_SEL
    EXPECT_TRUE(check_flash_boot(p.chip).ok) << check_flash_boot(p.chip).reason;
}

TEST(SimBee, UserKeyImageBootsWithItsSwGp2Fuses) {
    bee::Config c;
    bee::RegionConfig r;
    r.key = bee::Key{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    r.facs = {{0x60001000, 0x1000, 0}, {0x60002000, 0x800, 0}};
    c.regions.push_back(r);
    const auto& dev = device::find_device("mimxrt1020");
    const bee::Result enc = bee::encrypt_image(test::xip_image().data, 0x60000000, dev, c);
    Part p;
    ASSERT_EQ(p.configure({0xC0000007}), 0u);
    ASSERT_EQ(p.cmd(CommandTag::FlashEraseRegion, {0x60000000, 0x10000, 0}), 0u);
    ASSERT_EQ(p.write(0x60000000, enc.data), 0u);
    for (const auto& f : enc.fuses) {
        if (!f.word.starts_with("SW_GP2"))
            p.burn(f.word, f.value);
    }
    p.burn("BOOT_CFG1", 1u << 4);  // BT_FUSE_SEL
    EXPECT_EQ(check_flash_boot(p.chip).reason,
              "BEE region 0 header at flash offset 0x400: BEE_KEY0_SEL selects SW_GP2, but SW_GP2 "
              "is not burned");
    for (const auto& f : enc.fuses) {
        if (f.word.starts_with("SW_GP2"))
            p.burn(f.word, f.value);
    }
    const Verdict v = check_flash_boot(p.chip);
    EXPECT_TRUE(v.ok) << v.reason;
    // A wrong SW_GP2 word: the header does not decrypt.
    Part q;
    ASSERT_EQ(q.configure({0xC0000007}), 0u);
    ASSERT_EQ(q.write(0x60000000, enc.data), 0u);
    for (const auto& f : enc.fuses)
        q.burn(f.word, f.word == "SW_GP2_0" ? f.value ^ 1 : f.value);
    q.burn("BOOT_CFG1", 1u << 4);
    EXPECT_EQ(check_flash_boot(q.chip).reason.rfind(
                  "BEE region 0 header at flash offset 0x400: PRDB offset 0x0: tag ", 0),
              0u);
}

TEST(SimBee, BadOptionBlocksAreRefused) {
    Part p;
    EXPECT_EQ(p.configure({0xE0110000, 0x60001000, 0x2000}),
              static_cast<std::uint32_t>(mb::Status::MemoryNotConfigured));
    ASSERT_EQ(p.configure({0xC0000007}), 0u);
    const auto invalid = static_cast<std::uint32_t>(mb::Status::InvalidArgument);
    EXPECT_EQ(p.configure({0xE0110000, 0x60001100, 0x2000}), invalid);  // not 1 KiB aligned
    EXPECT_EQ(p.configure({0xE0110000, 0x60000000, 0x2000}), invalid);  // covers the headers
    EXPECT_EQ(p.configure({0xE0010000, 0x60001000, 0x2000}), invalid);  // ECB
    EXPECT_EQ(p.configure({0xE0140000, 0x60001000, 0x400, 0x60002000, 0x400, 0x60003000, 0x400,
                           0x60004000, 0x400}),
              invalid);  // four FACs
}

// NXP's OTPMK reference image is the signed image as the host writes it; through the simulated
// flashloader it lands encrypted, and the simulator's OTPMK key decrypts it back to the file.
TEST(SimBee, NxpOtpmkImageEncryptedOnThePartDecryptsToTheFile) {
    const auto v = rtprov::test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    const Bytes file =
        read_file(*v / "rt1050-evkb/output/evkbimxrt1050_iled_blinky_ext_FLASH_bee_otmpk.bin");
    Part p("mimxrt1050");
    write_otpmk(p, file);
    const Bytes flash = p.chip.flash().read(0, 0x1000 + static_cast<std::uint32_t>(file.size()));
    const bee::Key key = sim_otpmk_key(p.chip.fuses(), 0);
    const bee::Decrypted d = bee::decrypt_image(flash, std::span(&key, 1), "flash");
    EXPECT_TRUE(std::equal(file.begin(), file.end(), d.data.begin() + 0x1000));
    EXPECT_FALSE(std::equal(file.begin(), file.begin() + 0x2000, flash.begin() + 0x1000));
    EXPECT_TRUE(
        std::equal(file.begin() + 0x2000, file.end(), flash.begin() + 0x3000));  // CSF: plain
    p.burn("BOOT_CFG0", 1u << 1);                 // ENCRYPTED_XIP (bit 1 on the RT1050)
    p.burn("BOOT_CFG1", (2u << 12) | (1u << 4));  // BEE_KEY0_SEL = OTPMK, BT_FUSE_SEL
    const Verdict verdict = check_flash_boot(p.chip);
    EXPECT_TRUE(verdict.ok) << verdict.reason;
}

}  // namespace
}  // namespace rtprov::sim
