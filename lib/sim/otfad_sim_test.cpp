// OTFAD on the simulated RT1010: the boot check unwraps the key blobs at flash offset 0 with the
// KEK the fuses select and reads the image through the OTFAD; every missing fuse and a wrong KEK
// fail with the reason.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/otfad/otfad.hpp"
#include "rtprov/sim/bee_keys.hpp"
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

}  // namespace
}  // namespace rtprov::sim
