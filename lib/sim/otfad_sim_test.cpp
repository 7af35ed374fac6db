// OTFAD on the simulated RT1010: the boot check unwraps the key blobs at flash offset 0 with the
// KEK the fuses select and reads the image through the OTFAD; every missing fuse and a wrong KEK
// fail with the reason.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/otfad/otfad.hpp"
#include "rtprov/sim/bee_keys.hpp"
#include "rtprov/sim/flashloader.hpp"
#include "rtprov/sim/image_check.hpp"
#include "rtprov/sim/otfad_rom.hpp"
#include "sim_test_support.hpp"

namespace rtprov::sim {
namespace {

const device::Device& rt1010() {
    return device::find_device("mimxrt1010");
}

otfad::Key kek_of(std::uint8_t first) {
    otfad::Key k{};
    for (std::size_t i = 0; i < k.size(); ++i)
        k[i] = static_cast<std::uint8_t>(first + i);
    return k;
}

struct Rt1010 {
    explicit Rt1010(std::uint64_t uid = 0x1122334455667788) : chip(device::find_device("mimxrt1010")) {
        chip.fuses().set_uid(uid);
    }
    Chip chip;

    void write(ByteView image) { ASSERT_EQ(chip.flash().program(0, image), FlashStatus::Ok); }
    void burn(const otfad::FuseSetting& f) {
        ASSERT_EQ(chip.fuses().program(f.index, f.value), FuseStatus::Ok) << f.name;
    }
    void burn(const std::vector<otfad::FuseSetting>& fuses, std::string_view only = {}) {
        for (const auto& f : fuses) {
            if (only.empty() || f.name == only)
                burn(f);
        }
    }
};

otfad::Config sw_gp2_config(const otfad::Key& kek) {
    otfad::Config c;
    c.kek = kek;
    return c;
}

TEST(SimOtfad, BootsOnlyWithEveryFuseAndTheRightKek) {
    const boot::BootImage plain = test::xip_image("mimxrt1010");
    ASSERT_EQ(plain.address, otfad::kFlexspiBase);
    const otfad::Config config = sw_gp2_config(kek_of(0x40));
    const otfad::Result r =
        otfad::encrypt_image(plain.data, plain.address, rt1010(), config);
    Rt1010 p;
    p.write(r.data);
    EXPECT_EQ(check_flash_boot(p.chip).reason,
              "OTFAD: flash offset 0 holds OTFAD key blobs but OTFAD_ENABLE is not burned: the "
              "boot ROM leaves the OTFAD off and the core reads the encrypted image");
    p.burn(r.fuses, "OTFAD_ENABLE");
    EXPECT_EQ(check_flash_boot(p.chip).reason,
              "OTFAD: flash offset 0 holds OTFAD key blobs but ENCRYPTED_XIP is not burned: the "
              "boot ROM leaves the OTFAD off and the core reads the encrypted image");
    p.burn(r.fuses, "ENCRYPTED_XIP");
    EXPECT_EQ(check_flash_boot(p.chip).reason,
              "OTFAD: flash offset 0 holds OTFAD key blobs but ENCRYPTED_XIP counts only with "
              "BT_FUSE_SEL, which is not burned: the boot ROM leaves the OTFAD off and the core "
              "reads the encrypted image");
    p.burn(r.fuses, "BT_FUSE_SEL");
    EXPECT_EQ(check_flash_boot(p.chip).reason,
              "OTFAD (KEK from OTPMK[127:0]): key blob 0 at offset 0x0: does not unwrap with this "
              "KEK (RFC 3394 integrity check failed): another KEK, another part's key blob, or no "
              "key blob");
    p.burn(r.fuses, "OTFAD_KEY_SEL1");
    EXPECT_EQ(check_flash_boot(p.chip).reason,
              "OTFAD (KEK from SW_GP2): key blob 0 at offset 0x0: does not unwrap with this KEK "
              "(RFC 3394 integrity check failed): another KEK, another part's key blob, or no "
              "key blob");
    for (int w = 0; w < 4; ++w)
        p.burn(r.fuses, fmt::format("SW_GP2_{}", w));
    const Verdict v = check_flash_boot(p.chip);
    EXPECT_TRUE(v.ok) << v.reason;
    EXPECT_NE(v.reason.find("; OTFAD: 1 context(s) decrypted"), std::string::npos) << v.reason;
    EXPECT_EQ(rom_otfad_kek(p.chip.fuses()), kek_of(0x40));
    p.burn(r.fuses);  // the locks too
    EXPECT_TRUE(check_flash_boot(p.chip).ok);
}

TEST(SimOtfad, AnotherKekInSwGp2DoesNotBoot) {
    const boot::BootImage plain = test::xip_image("mimxrt1010");
    const otfad::Result r = otfad::encrypt_image(plain.data, plain.address, rt1010(),
                                                 sw_gp2_config(kek_of(0x40)));
    Rt1010 p;
    p.write(r.data);
    p.burn(otfad::fuse_settings(rt1010(), sw_gp2_config(kek_of(0x41))));
    EXPECT_EQ(check_flash_boot(p.chip).reason,
              "OTFAD (KEK from SW_GP2): key blob 0 at offset 0x0: does not unwrap with this KEK "
              "(RFC 3394 integrity check failed): another KEK, another part's key blob, or no "
              "key blob");
}

TEST(SimOtfad, OtpmkKeyBlobsBootOnTheirOwnPartOnly) {
    const boot::BootImage plain = test::xip_image("mimxrt1010");
    Rt1010 a(0x0102030405060708), b(0x0807060504030201);
    otfad::Config c;
    c.kek_source = otfad::KekSource::OtpmkHigh;
    c.kek = sim_otpmk_key(a.chip.fuses(), 1);  // known to the simulator only
    const otfad::Result r = otfad::encrypt_image(plain.data, plain.address, rt1010(), c);
    for (Rt1010* p : {&a, &b}) {
        p->write(r.data);
        p->burn(r.fuses);
    }
    const Verdict ok = check_flash_boot(a.chip);
    EXPECT_TRUE(ok.ok) << ok.reason;
    EXPECT_EQ(check_flash_boot(b.chip).reason,
              "OTFAD (KEK from OTPMK[255:128]): key blob 0 at offset 0x0: does not unwrap with "
              "this KEK (RFC 3394 integrity check failed): another KEK, another part's key blob, "
              "or no key blob");
}

TEST(SimOtfad, EnabledWithoutKeyBlobsDoesNotBootAndPlainPartsAreUnaffected) {
    const boot::BootImage plain = test::xip_image("mimxrt1010");
    Rt1010 p;
    p.write(plain.data);
    EXPECT_TRUE(check_flash_boot(p.chip).ok);  // OTFAD off, plain image
    p.burn(otfad::fuse_settings(rt1010(), sw_gp2_config(kek_of(0x40))));
    EXPECT_EQ(check_flash_boot(p.chip).reason,
              "OTFAD: OTFAD_ENABLE and ENCRYPTED_XIP are burned but flash offset 0 holds no "
              "OTFAD key blobs");
}

TEST(SimOtfad, ScrambledKekFromTheFuses) {
    const boot::BootImage plain = test::xip_image("mimxrt1010");
    otfad::Config c = sw_gp2_config(kek_of(0x40));
    c.scramble = otfad::Scramble{0xA5A5F00F, 0x1B};
    const otfad::Result r = otfad::encrypt_image(plain.data, plain.address, rt1010(), c);
    Rt1010 p;
    p.write(r.data);
    p.burn(r.fuses);
    const Verdict v = check_flash_boot(p.chip);
    EXPECT_TRUE(v.ok) << v.reason;
}

namespace mb = proto::mboot;
using mb::CommandTag;

// The flashloader's OTPMK flow (NXP-MCUBootUtility's order): configure the flash, erase, OTFAD
// option block, FCB by 0xF000000F, the image from its IVT.
struct Loader {
    explicit Loader(std::uint64_t uid) : part(uid) {}
    Rt1010 part;
    Flashloader fl{part.chip};

    std::uint32_t cmd(CommandTag tag, std::vector<std::uint32_t> params, bool data = false) {
        auto out = fl.on_command(mb::encode_packet(mb::make_command(tag, std::move(params), data)));
        return mb::decode_packet(out.back().bytes).status();
    }
    std::uint32_t configure(const std::vector<std::uint32_t>& words) {
        Bytes b;
        for (auto w : words)
            append_le32(b, w);
        part.chip.write(0x2000, b);
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
};

TEST(SimOtfad, FlashloaderMakesOtpmkKeyBlobsAndEncryptsWhileWriting) {
    const boot::BootImage plain = test::xip_image("mimxrt1010");
    otfad::Config c;
    c.kek_source = otfad::KekSource::OtpmkHigh;
    const otfad::Result r = otfad::encrypt_image(plain.data, plain.address, rt1010(), c);
    ASSERT_EQ(r.flashloader_option.size(), 3u);
    Loader a(0x0102030405060708);
    ASSERT_EQ(a.configure({0xC0000007}), 0u);
    ASSERT_EQ(a.cmd(CommandTag::FlashEraseRegion, {0x60000000, 0x10000, 0}), 0u);
    ASSERT_EQ(a.configure(r.flashloader_option), 0u);
    ASSERT_EQ(a.write(0x60000400, ByteView(plain.data).subspan(0x400)), 0u);  // FCB, IVT, app
    const Bytes flash = a.part.chip.flash().read(0, static_cast<std::uint32_t>(plain.data.size()));
    EXPECT_TRUE(otfad::looks_like_key_blob_table(flash));
    EXPECT_TRUE(std::equal(plain.data.begin() + 0x400, plain.data.begin() + 0x1000,
                           flash.begin() + 0x400));  // the FCB stays plain
    EXPECT_FALSE(std::equal(plain.data.begin() + 0x1000, plain.data.end(), flash.begin() + 0x1000));
    const otfad::Decrypted d =
        otfad::decrypt_image(flash, sim_otpmk_key(a.part.chip.fuses(), 1), std::nullopt, "flash");
    EXPECT_TRUE(std::equal(plain.data.begin() + 0x1000, plain.data.end(), d.data.begin() + 0x1000));

    EXPECT_FALSE(check_flash_boot(a.part.chip).ok);  // OTFAD off: ciphertext
    a.part.burn(r.fuses);
    const Verdict v = check_flash_boot(a.part.chip);
    EXPECT_TRUE(v.ok) << v.reason;
    // The same flash on another part does not boot: its OTPMK is another.
    Rt1010 b(0x0807060504030201);
    b.write(flash);
    b.burn(r.fuses);
    EXPECT_NE(check_flash_boot(b.chip).reason.find("does not unwrap with this KEK"),
              std::string::npos);
    // A malformed block is refused: reserved bits, no range, a range below 0x60001000.
    EXPECT_NE(a.configure({0xE0100100, 0x60001000, 0x60001FFF}), 0u);
    EXPECT_NE(a.configure({0xE0000000}), 0u);
    EXPECT_NE(a.configure({0xE0000100, 0x60000000, 0x60000FFF}), 0u);
}

}  // namespace
}  // namespace rtprov::sim
